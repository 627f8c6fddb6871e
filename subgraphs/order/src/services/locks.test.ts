/**
 * Redlock over independent Redis masters (LOCK_REDIS_URLS): three private redis-servers on free
 * ports; a lock needs a majority of them, so it survives one dying and is refused once two are gone.
 */
import { spawn, ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { loadConfig } from '@flashsale/platform';
import { LockBusyError, Locks, lockMasters } from './locks';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

let servers: Array<{ port: number; child: ChildProcess }> = [];
let masters: Redis[] = [];

beforeAll(async () => {
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    servers.push({ port, child: spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }) });
  }
  for (const { port } of servers) {
    const probe = new Redis({ port, lazyConnect: true, retryStrategy: (n) => (n > 50 ? null : 100) });
    await probe.connect();
    await probe.quit();
  }
  const config = loadConfig({ REDIS_PREFIX: `t:${randomUUID().slice(0, 8)}:`, REDIS_COMMAND_TIMEOUT_MS: '500', LOCK_REDIS_URLS: servers.map((s) => `redis://127.0.0.1:${s.port}`).join(',') });
  masters = lockMasters(config, undefined as unknown as Redis) as Redis[];
  for (const m of masters) m.on('error', () => undefined);
});
afterAll(async () => {
  for (const m of masters) m.disconnect();
  for (const { child } of servers) child.kill('SIGKILL');
  servers = [];
});

const kill = (i: number) =>
  new Promise<void>((resolve) => {
    servers[i].child.once('exit', () => resolve());
    servers[i].child.kill('SIGKILL');
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
  await kill(0);
  expect(await locks.using(['lock:job:b'], opts, async () => 'held by a majority')).toBe('held by a majority');
  await kill(1);
  await expect(locks.using(['lock:job:c'], opts, async () => 'no quorum')).rejects.toThrow();
});
