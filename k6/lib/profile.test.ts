import { envInt, envList, envString, expectedArrivals, flashSaleStages, pickWeighted, waitBeforeOpeningMs } from './profile.js';

describe('environment settings', () => {
  it('envInt: absent or empty means the default; a number is used', () => {
    expect(envInt({}, 'PEAK_RATE', 500)).toBe(500);
    expect(envInt({ PEAK_RATE: '' }, 'PEAK_RATE', 500)).toBe(500);
    expect(envInt({ PEAK_RATE: '1200' }, 'PEAK_RATE', 500)).toBe(1200);
  });

  it.each(['1k', '1.5', '-3', 'NaN'])('envInt refuses "%s", naming the variable', (raw) => {
    expect(() => envInt({ PEAK_RATE: raw }, 'PEAK_RATE', 500, 0)).toThrow(`PEAK_RATE must be an integer >= 0, got "${raw}"`);
  });

  it('envInt enforces the minimum', () => {
    expect(() => envInt({ VUS: '0' }, 'VUS', 20, 1)).toThrow('VUS must be an integer >= 1');
  });

  it('envString and envList', () => {
    expect(envString({}, 'BUYERS_FILE', 'x.json')).toBe('x.json');
    expect(envString({ BUYERS_FILE: '/tmp/b.json' }, 'BUYERS_FILE', 'x.json')).toBe('/tmp/b.json');
    expect(envList({ PRODUCT_IDS: ' a, b,,c ' }, 'PRODUCT_IDS')).toEqual(['a', 'b', 'c']);
    expect(envList({}, 'PRODUCT_IDS')).toEqual([]);
  });
});

describe('the flash-sale arrival profile', () => {
  const shape = { startRate: 10, rampSeconds: 2, peakRate: 500, holdSeconds: 5, taperSeconds: 5, endRate: 20 };

  it('ramps to the peak, holds it, then tapers', () => {
    expect(flashSaleStages(shape)).toEqual([
      { duration: '2s', target: 500 },
      { duration: '5s', target: 500 },
      { duration: '5s', target: 20 },
    ]);
  });

  it('counts the arrivals as k6 does: the area under a linearly moving rate', () => {
    // ramp (10+500)/2*2 = 510, hold 500*5 = 2500, taper (500+20)/2*5 = 1300
    expect(expectedArrivals(10, flashSaleStages(shape))).toBe(4310);
  });

  it('leaves out empty stages and refuses a profile with no load at all', () => {
    expect(flashSaleStages({ ...shape, rampSeconds: 0, taperSeconds: 0 })).toEqual([{ duration: '5s', target: 500 }]);
    expect(() => flashSaleStages({ ...shape, rampSeconds: 0, holdSeconds: 0, taperSeconds: 0 })).toThrow('at least one second');
  });

  it('expectedArrivals only accepts whole seconds', () => {
    expect(() => expectedArrivals(0, [{ duration: '1m', target: 5 }])).toThrow('"1m"');
  });
});

describe('waitBeforeOpeningMs: start the ramp so it peaks at the opening', () => {
  const now = Date.parse('2026-01-01T12:00:00.000Z');

  it('waits until the opening minus the ramp', () => {
    expect(waitBeforeOpeningMs('2026-01-01T12:00:10.000Z', now, 2000)).toBe(8000);
  });

  it('does not wait when the ramp should already have started', () => {
    expect(waitBeforeOpeningMs('2026-01-01T12:00:01.000Z', now, 2000)).toBe(0);
    expect(waitBeforeOpeningMs('2025-12-31T00:00:00.000Z', now, 2000)).toBe(0);
  });

  it('has nothing to wait for without an opening time', () => {
    expect(waitBeforeOpeningMs(null, now, 2000)).toBeNull();
    expect(waitBeforeOpeningMs('not a date', now, 2000)).toBeNull();
  });
});

describe('pickWeighted: the catalog mix', () => {
  it('maps [0, 1) onto the weights in proportion', () => {
    const weights = [35, 20, 10, 25, 10];
    expect(pickWeighted(weights, 0)).toBe(0);
    expect(pickWeighted(weights, 0.3499)).toBe(0);
    expect(pickWeighted(weights, 0.35)).toBe(1);
    expect(pickWeighted(weights, 0.65)).toBe(3);
    expect(pickWeighted(weights, 0.9999)).toBe(4);
    expect(pickWeighted(weights, 1)).toBe(4);
  });

  it('over an even spread of r, each choice is taken in proportion to its weight', () => {
    const weights = [1, 0, 3];
    const counts = [0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[pickWeighted(weights, i / 4000)]++;
    expect(counts).toEqual([1000, 0, 3000]);
  });

  it('refuses weights that cannot be drawn from', () => {
    expect(() => pickWeighted([0, 0], 0.5)).toThrow();
    expect(() => pickWeighted([1, -1, 2], 0.5)).toThrow();
    expect(() => pickWeighted([], 0.5)).toThrow();
  });
});
