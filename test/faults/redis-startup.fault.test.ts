/**
 * The start-up probe (pingRedis) against a private redis-server this test owns: a Redis slow to
 * answer at start-up is waited for, up to the probe's own bound, not failed on the first ping that
 * the buyers' command timeout (REDIS_COMMAND_TIMEOUT_MS) cuts; one that never answers fails with
 * the typed, URL-naming start-up error.
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { createRedis, DependencyError, loadConfig, pingRedis } from '@flashsale/platform';
import { PrivateRedis } from '../../chaos/lib/servers';

let server: PrivateRedis;
const clients: Redis[] = [];

beforeAll(async () => {
  server = await PrivateRedis.launch();
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await server.destroy();
});

function client() {
  const config = loadConfig({ REDIS_URL: server.url, REDIS_PREFIX: `t:${randomUUID().slice(0, 8)}:`, REDIS_COMMAND_TIMEOUT_MS: '200' });
  const redis = createRedis(config);
  redis.on('error', () => undefined);
  clients.push(redis);
  return { config, redis };
}

it('waits out a Redis that answers later than the command timeout, and succeeds', async () => {
  const { config, redis } = client();
  server.pause();
  const resumed = setTimeout(() => server.resume(), 1000);
  try {
    const started = Date.now();
    await expect(pingRedis(config, redis, 5000)).resolves.toBeUndefined();
    // Several 200 ms command timeouts passed before Redis answered: the probe sent again.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  } finally {
    clearTimeout(resumed);
    server.resume();
  }
});

it('fails with the typed start-up error, naming the URL, when Redis never answers within the bound', async () => {
  const { config, redis } = client();
  await expect(redis.ping()).resolves.toBe('PONG');
  server.pause();
  try {
    const started = Date.now();
    const err = await pingRedis(config, redis, 1500).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as Error).message).toContain(`Cannot reach Redis at ${server.url}`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(Date.now() - started).toBeLessThan(5000);
  } finally {
    server.resume();
  }
});
