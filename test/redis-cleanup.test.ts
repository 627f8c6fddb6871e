import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { deletePrefixedKeys } from '@flashsale/platform';

describe('deletePrefixedKeys (test and bench clean-up)', () => {
  const run = randomBytes(4).toString('hex');
  const plain = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  afterAll(async () => {
    await plain.del(`keep:${run}`);
    await plain.quit();
  });

  it('deletes exactly the keys under the prefix with a client that has no keyPrefix', async () => {
    await plain.mset(`c:${run}:a`, '1', `c:${run}:b`, '2', `keep:${run}`, '3');
    expect(await deletePrefixedKeys(plain, `c:${run}:`)).toBe(2);
    expect(await plain.exists(`c:${run}:a`, `c:${run}:b`, `keep:${run}`)).toBe(1);
  });

  it('deletes exactly the keys under the prefix with a client that adds that prefix itself', async () => {
    const prefixed = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { keyPrefix: `p:${run}:` });
    await prefixed.mset('a', '1', 'b', '2');
    expect(await deletePrefixedKeys(prefixed, `p:${run}:`)).toBe(2);
    expect(await plain.exists(`p:${run}:a`, `p:${run}:b`, `keep:${run}`)).toBe(1);
    await prefixed.quit();
  });
});
