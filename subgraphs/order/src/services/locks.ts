/**
 * Redlock (`@sesamecare-oss/redlock`, the maintained fork of `redlock` with the expiry fixes the
 * original never released) over the subgraph's Redis, or over the independent Redis masters
 * LOCK_REDIS_URLS lists (a quorum of them must agree, so one failing is survived). On a Redis
 * Cluster a lock over several resources in different slots is taken one resource at a time in
 * sorted order (Redlock's script would span slots), all or none.
 *
 * A lock here only keeps work from overlapping; it is never the last line of defence. Whatever a
 * lock guards is also fenced in the database (order rows: optimistic `version`; new orders: the
 * unique idempotency key; reservations: the record a release deletes), so a holder whose lock
 * expired mid-way cannot commit a stale change.
 *
 * Waiting is done here, one attempt at a time, and only while the resources are taken by someone
 * else: Redlock's own retries would also retry an unreachable Redis, so a stalled Redis would hold
 * a request for (wait / retry delay) command timeouts instead of one.
 */
import type Redis from 'ioredis';
import { ExecutionError, Lock, Redlock, ResourceLockedError } from '@sesamecare-oss/redlock';
import { Config, ServiceMetrics, createRedis, isCluster, keySlot, loadConfig, secondsSince, withSpan } from '@flashsale/platform';

export class LockBusyError extends Error {
  constructor(resources: string[]) {
    super(`lock busy: ${resources.join(', ')}`);
    this.name = 'LockBusyError';
  }
}

export interface HeldLock {
  /** False once the lock's time has run out (someone else may hold it now). */
  held(): boolean;
  /** Pushes the expiry out by the lock's duration again. */
  extend(): Promise<void>;
}

const RETRY_DELAY_MS = 25;
const RETRY_JITTER_MS = 20;

export class Locks {
  private readonly redlock: Redlock;
  /** A Redis Cluster: resources in different slots are locked one by one. */
  private readonly perResource: boolean;

  /**
   * `redis`: the Redis (or cluster) to lock on, or several independent masters for Redlock's
   * quorum. `metrics` times each acquisition into flashsale_lock_wait_seconds{outcome} (acquired, busy, error).
   */
  constructor(redis: Redis | Redis[], private readonly metrics?: ServiceMetrics) {
    const masters = Array.isArray(redis) ? redis : [redis];
    this.redlock = new Redlock(masters, { retryCount: 0, retryDelay: RETRY_DELAY_MS, retryJitter: RETRY_JITTER_MS, automaticExtensionThreshold: 200 });
    this.perResource = masters.some(isCluster);
  }

  /**
   * Runs `fn` holding all `resources` (taken together, so two callers never deadlock), waiting up
   * to `waitMs` for them. Throws LockBusyError when they stay taken. The lock is released after
   * `fn` however it ends; a failed release only means the lock expires on its own.
   */
  async using<T>(resources: string[], opts: { ttlMs: number; waitMs: number }, fn: (lock: HeldLock) => Promise<T>): Promise<T> {
    const started = process.hrtime.bigint();
    let outcome = 'error';
    let locks: Lock[];
    try {
      locks = await withSpan('redlock acquire', { attributes: { 'flashsale.lock.resources': resources.length } }, () => this.acquireAll(resources, opts));
      outcome = 'acquired';
    } catch (err) {
      if (err instanceof LockBusyError) outcome = 'busy';
      throw err;
    } finally {
      this.metrics?.lockWait.observe({ outcome }, secondsSince(started));
    }
    const handle: HeldLock = {
      held: () => locks.every((l) => l.expiration > Date.now()),
      extend: async () => {
        locks = await Promise.all(locks.map((l) => l.extend(opts.ttlMs)));
      },
    };
    try {
      return await fn(handle);
    } finally {
      await Promise.all(locks.map((l) => l.release().catch(() => undefined)));
    }
  }

  /** One lock over all resources, or on a cluster one per slot in sorted order (all or none). */
  private async acquireAll(resources: string[], opts: { ttlMs: number; waitMs: number }): Promise<Lock[]> {
    if (!this.perResource || new Set(resources.map(keySlot)).size <= 1) return [await this.acquire(resources, opts)];
    const taken: Lock[] = [];
    try {
      for (const resource of [...resources].sort()) taken.push(await this.acquire([resource], opts));
      return taken;
    } catch (err) {
      await Promise.all(taken.map((l) => l.release().catch(() => undefined)));
      throw err;
    }
  }

  private async acquire(resources: string[], opts: { ttlMs: number; waitMs: number }): Promise<Lock> {
    const giveUpAt = Date.now() + opts.waitMs;
    for (;;) {
      try {
        return await this.redlock.acquire(resources, opts.ttlMs, { retryCount: 0 });
      } catch (err) {
        if (!(err instanceof ExecutionError)) throw err;
        const refusal = await lastRefusal(err);
        // Redis could not answer: its own error (a timeout, a refused connection) says so at once.
        if (!(refusal instanceof ResourceLockedError)) throw refusal ?? err;
        if (Date.now() + RETRY_DELAY_MS > giveUpAt) throw new LockBusyError(resources);
        await new Promise((r) => setTimeout(r, RETRY_DELAY_MS + Math.floor((Math.random() * 2 - 1) * RETRY_JITTER_MS)));
      }
    }
  }
}

/** The Redis masters locks run on: LOCK_REDIS_URLS when set (each its own client), else the process's own. */
export function lockMasters(config: Config, redis: Redis): Redis | Redis[] {
  if (!config.LOCK_REDIS_URLS) return redis;
  return config.LOCK_REDIS_URLS.split(',').map((url) => createRedis(loadConfig({ REDIS_URL: url, REDIS_PREFIX: config.REDIS_PREFIX, REDIS_COMMAND_TIMEOUT_MS: String(config.REDIS_COMMAND_TIMEOUT_MS) })));
}

/** Why the last attempt failed: a ResourceLockedError (someone holds it) or Redis's own error. */
async function lastRefusal(err: ExecutionError): Promise<Error | undefined> {
  const last = err.attempts[err.attempts.length - 1];
  if (!last) return undefined;
  const against = [...(await last).votesAgainst.values()];
  return against.find((e) => e instanceof ResourceLockedError) ?? against[0];
}
