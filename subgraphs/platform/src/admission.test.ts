import { AdmissionController, AdmissionRefused, Release } from './admission';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** acquire() as a promise either way, and the refusal reason instead of a throw. */
async function tryAcquire(a: AdmissionController, signal?: { onCancel(cb: () => void): void }): Promise<Release | string> {
  try {
    return await a.acquire(signal);
  } catch (err) {
    if (err instanceof AdmissionRefused) return err.reason;
    throw err;
  }
}

describe('AdmissionController', () => {
  it('admits exactly maxInFlight at once, queues exactly maxQueue more, refuses the rest at once', async () => {
    const a = new AdmissionController({ maxInFlight: 3, maxQueue: 2, queueTimeoutMs: 10_000 });
    const immediate = Array.from({ length: 3 }, () => a.acquire());
    expect(immediate.every((r) => typeof r === 'function')).toBe(true);
    const queued = [a.acquire(), a.acquire()];
    expect(queued.every((r) => r instanceof Promise)).toBe(true);
    expect(() => a.acquire()).toThrow(AdmissionRefused);
    expect(a.running).toBe(3);
    expect(a.queued).toBe(2);
    expect(a.stats.refusedQueueFull).toBe(1);
    // Each release admits exactly one waiter, oldest first.
    (immediate[0] as Release)();
    const first = await queued[0];
    expect(a.running).toBe(3);
    expect(a.queued).toBe(1);
    (immediate[1] as Release)();
    const second = await queued[1];
    expect(a.queued).toBe(0);
    for (const r of [immediate[2] as Release, first, second]) r();
    expect(a.running).toBe(0);
  });

  it('never has more than maxInFlight running under a storm of concurrent work', async () => {
    const a = new AdmissionController({ maxInFlight: 4, maxQueue: 50, queueTimeoutMs: 5_000 });
    let running = 0;
    let peak = 0;
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const got = await tryAcquire(a);
        if (typeof got === 'string') return got;
        running++;
        peak = Math.max(peak, running);
        await sleep(1 + (i % 3));
        running--;
        got();
        return 'served';
      }),
    );
    expect(peak).toBe(4);
    // 4 at once plus 50 queued are served; the other 46 were refused on arrival.
    expect(outcomes.filter((o) => o === 'served')).toHaveLength(54);
    expect(outcomes.filter((o) => o === 'queue-full')).toHaveLength(46);
    expect(a.running).toBe(0);
    expect(a.queued).toBe(0);
  });

  it('refuses a queued request at its deadline, not later, and it never takes a slot', async () => {
    const a = new AdmissionController({ maxInFlight: 1, maxQueue: 5, queueTimeoutMs: 50 });
    const holder = a.acquire() as Release;
    const started = Date.now();
    const waited = await tryAcquire(a);
    const took = Date.now() - started;
    expect(waited).toBe('deadline');
    expect(took).toBeGreaterThanOrEqual(45);
    expect(took).toBeLessThan(500);
    expect(a.queued).toBe(0);
    expect(a.stats.refusedDeadline).toBe(1);
    // The slot is still the holder's; after it is released the next request is admitted at once.
    holder();
    expect(typeof a.acquire()).toBe('function');
  });

  it('admits a queued request that gets a slot before its deadline', async () => {
    const a = new AdmissionController({ maxInFlight: 1, maxQueue: 1, queueTimeoutMs: 200 });
    const holder = a.acquire() as Release;
    setTimeout(holder, 20);
    const got = await tryAcquire(a);
    expect(typeof got).toBe('function');
    expect(a.running).toBe(1);
  });

  it('withdraws a cancelled waiter (client gone) without handing it a slot', async () => {
    const a = new AdmissionController({ maxInFlight: 1, maxQueue: 2, queueTimeoutMs: 10_000 });
    const holder = a.acquire() as Release;
    let cancel: () => void = () => undefined;
    const gone = tryAcquire(a, { onCancel: (cb) => (cancel = cb) });
    const next = tryAcquire(a);
    cancel();
    expect(await gone).toBe('cancelled');
    expect(a.queued).toBe(1);
    holder();
    expect(typeof (await next)).toBe('function');
    expect(a.running).toBe(1);
  });

  it('a release called twice frees one slot only', () => {
    const a = new AdmissionController({ maxInFlight: 2, maxQueue: 0, queueTimeoutMs: 100 });
    const r1 = a.acquire() as Release;
    a.acquire();
    r1();
    r1();
    expect(a.running).toBe(1);
    a.acquire();
    expect(() => a.acquire()).toThrow(AdmissionRefused);
  });

  it('with maxQueue 0 refuses whenever every slot is taken', () => {
    const a = new AdmissionController({ maxInFlight: 1, maxQueue: 0, queueTimeoutMs: 100 });
    a.acquire();
    expect(() => a.acquire()).toThrow(AdmissionRefused);
  });
});

describe('retryAfterSeconds', () => {
  const highest = () => 0.999999;
  const lowest = () => 0;

  it('is the base when nothing was refused, whatever the draw', () => {
    const a = new AdmissionController({ maxInFlight: 2, maxQueue: 0, queueTimeoutMs: 1000 });
    a.acquire();
    expect(a.retryAfterSeconds(1, 10, highest)).toBe(1);
    expect(a.retryAfterSeconds(3, 10, highest)).toBe(3);
  });

  it('spreads over as many more seconds as requests were refused for each one admitted, at most max, with the draw anywhere in it', () => {
    const a = new AdmissionController({ maxInFlight: 2, maxQueue: 0, queueTimeoutMs: 1000 });
    a.acquire();
    a.acquire();
    for (let i = 0; i < 9; i++) expect(() => a.acquire()).toThrow(AdmissionRefused);
    // 9 refused for 2 admitted: ceil(4.5) = 5 seconds of spread on top of the base.
    expect(a.retryAfterSeconds(1, 30, highest)).toBe(6);
    expect(a.retryAfterSeconds(1, 30, lowest)).toBe(1);
    expect(a.retryAfterSeconds(1, 30, () => 0.5)).toBe(4); // 1 + floor(0.5 x 6 choices)
    expect(a.retryAfterSeconds(1, 4, highest)).toBe(4);
    // max = base: always the base (the fixed answer).
    expect(a.retryAfterSeconds(2, 2, highest)).toBe(2);
  });

  it('counts refusals at the queue deadline too', async () => {
    const a = new AdmissionController({ maxInFlight: 1, maxQueue: 3, queueTimeoutMs: 20 });
    a.acquire();
    const waiting = [tryAcquire(a), tryAcquire(a), tryAcquire(a)];
    expect(await Promise.all(waiting)).toEqual(['deadline', 'deadline', 'deadline']);
    expect(a.retryAfterSeconds(1, 10, highest)).toBe(4);
  });
});

describe('controlled delay: a burst is queued, a standing queue is shed', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());
  const codel = { intervalMs: 1000, targetMs: 50 };

  /** Serves one slot's work every `everyMs` (the machine's pace) by releasing the oldest holder. */
  function serveAtPace(holders: Release[], everyMs: number) {
    return setInterval(() => holders.shift()?.(), everyMs);
  }

  it('500 requests at once for 4 slots, served at 400/s: all 500 admitted within the burst budget, none refused', async () => {
    const a = new AdmissionController({ maxInFlight: 4, maxQueue: 2000, queueTimeoutMs: 2500, codel });
    const holders: Release[] = [];
    const outcomes: string[] = [];
    const all = Array.from({ length: 500 }, () =>
      tryAcquire(a).then((got) => {
        if (typeof got === 'string') return outcomes.push(got);
        holders.push(got);
        outcomes.push('admitted');
      }),
    );
    const pace = serveAtPace(holders, 2.5);
    await jest.advanceTimersByTimeAsync(1400);
    await Promise.all(all);
    clearInterval(pace);
    expect(outcomes.filter((o) => o === 'admitted')).toHaveLength(500);
    expect(a.stats.refusedDeadline + a.stats.refusedQueueFull).toBe(0);
  });

  it('arrivals at three times the pace for 5 s: once the queue has stood for an interval, new arrivals are refused within the target wait', async () => {
    const a = new AdmissionController({ maxInFlight: 4, maxQueue: 2000, queueTimeoutMs: 2500, codel });
    const holders: Release[] = [];
    const waits: Array<{ at: number; waited: number; outcome: string }> = [];
    const pace = serveAtPace(holders, 10); // 100/s
    const arrivals = setInterval(() => {
      const at = Date.now();
      void tryAcquire(a).then((got) => {
        waits.push({ at, waited: Date.now() - at, outcome: typeof got === 'string' ? got : 'admitted' });
        if (typeof got !== 'string') holders.push(got);
      });
    }, 10 / 3); // 300/s
    await jest.advanceTimersByTimeAsync(5000);
    clearInterval(arrivals);
    await jest.advanceTimersByTimeAsync(3000);
    clearInterval(pace);
    // Every interval from the second on stood (refusals at the deadline never count as draining).
    expect(a.stats.overloadedIntervals).toBeGreaterThanOrEqual(3);
    // After the first two intervals, every arrival was answered within the target (plus a timer tick).
    const late = waits.filter((w) => w.at >= 1_000_000 + 2000);
    expect(late.filter((w) => w.outcome === 'deadline').length).toBeGreaterThan(500);
    expect(Math.max(...late.map((w) => w.waited))).toBeLessThanOrEqual(codel.targetMs + 5);
    // And the machine kept serving at its pace all along.
    expect(waits.filter((w) => w.outcome === 'admitted').length).toBeGreaterThan(450);
  });

  it('two arrivals for one admission in an interval, with a queue, is overload; the next interval in which service keeps up ends it', async () => {
    const a = new AdmissionController({ maxInFlight: 1, maxQueue: 100, queueTimeoutMs: 2500, codel });
    const holder = a.acquire() as Release;
    const queued = tryAcquire(a);
    await jest.advanceTimersByTimeAsync(1100);
    expect(a.overloaded).toBe(true);
    holder(); // the queued one is admitted: service catches up, nobody new arrives
    ((await queued) as Release)();
    await jest.advanceTimersByTimeAsync(1000);
    expect(a.overloaded).toBe(false);
  });
});
