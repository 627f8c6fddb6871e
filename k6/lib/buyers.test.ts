import { idempotencyKey, parseBuyers, pickBuyer } from './buyers.js';

const buyer = (i: number) => ({ userId: `u${i}`, email: `buyer${i}@example.test`, accessToken: `token-${i}` });

describe('parseBuyers: the seed:buyers output file', () => {
  it('reads { userId, email, accessToken } entries and drops anything else', () => {
    const text = JSON.stringify([{ ...buyer(1), extra: 'ignored' }, buyer(2)]);
    expect(parseBuyers(text, 'buyers.json')).toEqual([buyer(1), buyer(2)]);
  });

  it.each([
    ['not JSON', 'not json', /buyers\.json: not JSON/],
    ['an object instead of an array', JSON.stringify({ buyers: [] }), /expected a JSON array/],
    ['an empty array', '[]', /no buyers; run npm run seed:buyers/],
    ['an entry without a token', JSON.stringify([buyer(1), { userId: 'u2', email: 'e' }]), /entry 1 is not/],
    ['an entry with an empty token', JSON.stringify([{ ...buyer(1), accessToken: '' }]), /entry 0 is not/],
    ['a null entry', JSON.stringify([null]), /entry 0 is not/],
  ])('%s fails at start-up with the file name', (_name, text, message) => {
    expect(() => parseBuyers(text, 'buyers.json')).toThrow(message);
  });
});

describe('pickBuyer: iteration n uses buyer n', () => {
  const buyers = [buyer(0), buyer(1), buyer(2)];

  it('consecutive iterations are distinct buyers until every buyer has had a turn, then it starts over', () => {
    expect([0, 1, 2, 3, 4].map((n) => pickBuyer(buyers, n).userId)).toEqual(['u0', 'u1', 'u2', 'u0', 'u1']);
  });

  it('5,000 iterations over 5,000 buyers use each buyer exactly once', () => {
    const many = Array.from({ length: 5000 }, (_, i) => buyer(i));
    const used = new Set(Array.from({ length: 5000 }, (_, n) => pickBuyer(many, n).userId));
    expect(used.size).toBe(5000);
  });

  it('refuses an empty list and a bad index', () => {
    expect(() => pickBuyer([], 0)).toThrow('no buyers');
    expect(() => pickBuyer(buyers, -1)).toThrow('non-negative integer');
    expect(() => pickBuyer(buyers, 1.5)).toThrow('non-negative integer');
  });
});

describe('idempotencyKey', () => {
  it('differs per iteration and per run, and is stable for a retry of the same iteration', () => {
    expect(idempotencyKey('run1', 7)).toBe(idempotencyKey('run1', 7));
    expect(idempotencyKey('run1', 7)).not.toBe(idempotencyKey('run1', 8));
    expect(idempotencyKey('run1', 7)).not.toBe(idempotencyKey('run2', 7));
  });
});
