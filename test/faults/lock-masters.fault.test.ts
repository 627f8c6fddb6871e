/**
 * Redlock over independent Redis masters (LOCK_REDIS_URLS): three private redis-servers this test
 * owns; a lock needs a majority of them, so it survives one dying and is refused once two are gone.
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { loadConfig } from '@flashsale/platform';
import { LockBusyError, Locks, lockMasters } from '@flashsale/order-subgraph';
import { PrivateRedis } from '../../chaos/lib/servers';

let servers: PrivateRedis[] = [];
let masters: Redis[] = [];

beforeAll(async () => {
  // Each launch waits until its server answers PING (a first connect on a loaded machine can come
  // before the server listens).
  for (let i = 0; i < 3; i++) servers.push(await PrivateRedis.launch());
  const config = loadConfig({ REDIS_PREFIX: `t:${randomUUID().slice(0, 8)}:`, REDIS_COMMAND_TIMEOUT_MS: '500', LOCK_REDIS_URLS: servers.map((s) => s.url).join(',') });
  masters = lockMasters(config, undefined as unknown as Redis) as Redis[];
  for (const m of masters) m.on('error', () => undefined);
});
afterAll(async () => {
  for (const m of masters) m.disconnect();
  await Promise.all(servers.map((s) => s.destroy()));
  servers = [];
});

it('LOCK_REDIS_URLS: one client per master, and a held lock keeps a second holder out on all of them', async () => {
  expect(masters).toHaveLength(3);
  const locks = new Locks(masters);
  const opts = { ttlMs: 5000, waitMs: 0 };
  await locks.using(['lock:job:a'], opts, async () => {
    await expect(locks.using(['lock:job:a'], opts, async () => 'second')).rejects.toBeInstanceOf(LockBusyError);
    const holders = await Promise.all(masters.map((m) => m.exists('lock:job:a')));
    expect(holders).toEqual([1, 1, 1]);
  });
});

it('survives one master dying (2 of 3 agree) and refuses the lock once two are gone', async () => {
  const locks = new Locks(masters);
  const opts = { ttlMs: 5000, waitMs: 0 };
  await servers[0].kill();
  expect(await locks.using(['lock:job:b'], opts, async () => 'held by a majority')).toBe('held by a majority');
  await servers[1].kill();
  await expect(locks.using(['lock:job:c'], opts, async () => 'no quorum')).rejects.toThrow();
});
