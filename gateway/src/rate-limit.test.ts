import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { parse, OperationDefinitionNode, Kind } from 'graphql';
import { createRedis, deletePrefixedKeys, loadConfig } from '@flashsale/platform';
import { rateLimiter, rootFields } from './rate-limit';

const config = loadConfig({ REDIS_URL: process.env.REDIS_URL, REDIS_PREFIX: `t:rl${randomBytes(4).toString('hex')}:` });
let redis: Redis;
beforeAll(() => {
  redis = createRedis(config);
});
afterAll(async () => {
  await deletePrefixedKeys(redis, config.REDIS_PREFIX);
  await redis.quit();
});

const rule = (field: string, by: 'user' | 'ip', points: number, seconds: number) => ({ field, by, points, seconds });

/** Counts Redis commands sent by `redis` while `fn` runs (MONITOR on a second connection). */
async function commandsDuring(fn: () => Promise<unknown>): Promise<string[]> {
  const plain = new Redis(config.REDIS_URL);
  const monitor = await plain.monitor();
  const seen: string[] = [];
  monitor.on('monitor', (_time: string, args: string[]) => {
    // Only this test's keys: other test files run scripts on the same server meanwhile.
    if (args.some((a) => a.startsWith(config.REDIS_PREFIX))) seen.push(args[0].toLowerCase());
  });
  await fn();
  await new Promise((r) => setTimeout(r, 100));
  monitor.disconnect();
  plain.disconnect();
  return seen;
}

describe('rateLimiter', () => {
  it('counts every rule that applies in one Redis round trip', async () => {
    const check = rateLimiter([rule('placeOrder', 'user', 5, 10), rule('placeOrder', 'ip', 100, 10), rule('logIn', 'ip', 3, 60)], redis);
    await check(new Map([['placeOrder', 1]]), { userId: 'warm', clientIp: '10.0.0.9' }); // loads the script
    const sent = await commandsDuring(() => check(new Map([['placeOrder', 1], ['logIn', 1]]), { userId: 'u-rt', clientIp: '10.0.0.1' }));
    // One EVALSHA from the client (the INCRBY/PTTL/PEXPIRE it runs are inside the script).
    expect(sent.filter((c) => c === 'evalsha' || c === 'eval')).toHaveLength(1);
    expect(sent.filter((c) => c === 'incrby' || c === 'incr')).toHaveLength(3);
  });

  it('stays exact under concurrency: exactly `points` of many concurrent requests pass', async () => {
    const check = rateLimiter([rule('placeOrder', 'user', 10, 30)], redis);
    const answers = await Promise.all(Array.from({ length: 60 }, () => check(new Map([['placeOrder', 1]]), { userId: 'u-conc' })));
    expect(answers.filter((a) => a === null)).toHaveLength(10);
    const refused = answers.filter((a) => a !== null);
    expect(refused).toHaveLength(50);
    for (const r of refused) {
      expect(r!.field).toBe('placeOrder');
      expect(r!.retryAfter).toBeGreaterThanOrEqual(1);
      expect(r!.retryAfter).toBeLessThanOrEqual(30);
    }
  });

  it('applies the tightest of several rules, per user and per address', async () => {
    const check = rateLimiter([rule('placeOrder', 'user', 3, 30), rule('placeOrder', 'ip', 5, 30)], redis);
    const ip = '10.0.0.2';
    const a = await Promise.all(Array.from({ length: 4 }, () => check(new Map([['placeOrder', 1]]), { userId: 'ua', clientIp: ip })));
    expect(a.filter((x) => x === null)).toHaveLength(3); // the user rule
    // Another user on the same address: the address had 4 counted, one more passes.
    const b = await Promise.all(Array.from({ length: 3 }, () => check(new Map([['placeOrder', 1]]), { userId: 'ub', clientIp: ip })));
    expect(b.filter((x) => x === null)).toHaveLength(1);
  });

  it('counts each occurrence (aliases) and starts the window once', async () => {
    const check = rateLimiter([rule('logIn', 'ip', 4, 2)], redis);
    expect(await check(new Map([['logIn', 3]]), { clientIp: '10.0.0.3' })).toBeNull();
    const over = await check(new Map([['logIn', 2]]), { clientIp: '10.0.0.3' });
    expect(over).toEqual({ field: 'logIn', retryAfter: 2 });
    const ttl = await redis.pttl('rl:logIn:ip:10.0.0.3');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(2000);
  });

  it('lets a caller with no key for a rule through (anonymous on a per-user rule)', async () => {
    const check = rateLimiter([rule('placeOrder', 'user', 1, 30)], redis);
    for (let i = 0; i < 3; i++) expect(await check(new Map([['placeOrder', 1]]), { clientIp: '10.0.0.4' })).toBeNull();
  });

  it('fails when Redis cannot answer (the plugin then lets the request through)', async () => {
    const dead = createRedis(loadConfig({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_PREFIX: config.REDIS_PREFIX }), { lazyConnect: true, retryStrategy: () => null, enableOfflineQueue: false });
    dead.on('error', () => undefined);
    const check = rateLimiter([rule('placeOrder', 'user', 1, 30)], dead);
    await expect(check(new Map([['placeOrder', 1]]), { userId: 'u' })).rejects.toThrow();
    dead.disconnect();
  });
});

describe('rootFields', () => {
  const op = (doc: string) => {
    const document = parse(doc);
    return { op: document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode, document };
  };

  it('finds root fields in inline fragments and named fragment spreads, once per occurrence', () => {
    const { op: o, document } = op(`
      mutation { a: placeOrder(input: {}) { order { id } } ... on Mutation { b: placeOrder(input: {}) { order { id } } } ...F }
      fragment F on Mutation { c: placeOrder(input: {}) { order { id } } ... on Mutation { logIn(input: {}) { __typename } } }
    `);
    expect(rootFields(o, document).sort()).toEqual(['logIn', 'placeOrder', 'placeOrder', 'placeOrder']);
  });

  it('does not loop on a fragment spread twice', () => {
    const { op: o, document } = op(`mutation { ...F ...F } fragment F on Mutation { placeOrder(input: {}) { __typename } }`);
    expect(rootFields(o, document)).toEqual(['placeOrder']);
  });

  it('counts aliases once each, and the same response key once (GraphQL merges it)', () => {
    const { op: o, document } = op(`mutation { a: placeOrder(input: {}) { id } b: placeOrder(input: {}) { id } placeOrder(input: {}) { id } ... { placeOrder(input: {}) { id } } }`);
    expect(rootFields(o, document)).toEqual(['placeOrder', 'placeOrder', 'placeOrder']);
  });

  it('leaves out what @skip/@include skip for these variables, defaults included', () => {
    const { op: o, document } = op(`
      mutation ($go: Boolean!, $no: Boolean = true) {
        a: placeOrder(input: {}) @include(if: $go) { id }
        ... @skip(if: $no) { b: placeOrder(input: {}) { id } }
        ...F @include(if: false)
        ...G @skip(if: $go)
        c: logIn(input: {}) @skip(if: false) { id }
      }
      fragment F on Mutation { f: placeOrder(input: {}) { id } }
      fragment G on Mutation { g: placeOrder(input: {}) { id } }
    `);
    expect(rootFields(o, document, { go: false })).toEqual(['placeOrder', 'logIn']); // g, c
    expect(rootFields(o, document, { go: true })).toEqual(['placeOrder', 'logIn']); // a, c
    expect(rootFields(o, document, { go: true, no: false })).toEqual(['placeOrder', 'placeOrder', 'logIn']); // a, b, c
  });
});
