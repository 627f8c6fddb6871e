/**
 * Redlock (`@sesamecare-oss/redlock`, the maintained fork of `redlock` with the expiry fixes the
 * original never released) over the subgraph's Redis. Pass several independent Redis masters to
 * the Redlock constructor to survive one of them failing; one is enough for a single Redis.
 *
 * A lock here only keeps work from overlapping; it is never the last line of defence. Whatever a
 * lock guards is also fenced in the database (order rows: optimistic `version`; new orders: the
 * unique idempotency key; reservations: the record a release deletes), so a holder whose lock
 * expired mid-way cannot commit a stale change.
 */
import type Redis from 'ioredis';
import { ExecutionError, Lock, Redlock, ResourceLockedError } from '@sesamecare-oss/redlock';

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

export class Locks {
  private readonly redlock: Redlock;

  constructor(redis: Redis) {
    this.redlock = new Redlock([redis], { retryCount: 0, retryDelay: RETRY_DELAY_MS, retryJitter: 20, automaticExtensionThreshold: 200 });
  }

  /**
   * Runs `fn` holding all `resources` (taken together, so two callers never deadlock), waiting up
   * to `waitMs` for them. Throws LockBusyError when they stay taken. The lock is released after
   * `fn` however it ends; a failed release only means the lock expires on its own.
   */
  async using<T>(resources: string[], opts: { ttlMs: number; waitMs: number }, fn: (lock: HeldLock) => Promise<T>): Promise<T> {
    let lock: Lock;
    try {
      lock = await this.redlock.acquire(resources, opts.ttlMs, { retryCount: Math.ceil(opts.waitMs / RETRY_DELAY_MS) });
    } catch (err) {
      if (err instanceof ExecutionError && (await isContention(err))) throw new LockBusyError(resources);
      throw err;
    }
    const handle: HeldLock = {
      held: () => lock.expiration > Date.now(),
      extend: async () => {
        lock = await lock.extend(opts.ttlMs);
      },
    };
    try {
      return await fn(handle);
    } finally {
      await lock.release().catch(() => undefined);
    }
  }
}

/** True when the last attempt failed because a resource was locked, not because Redis was unreachable. */
async function isContention(err: ExecutionError): Promise<boolean> {
  const last = err.attempts[err.attempts.length - 1];
  if (!last) return false;
  const stats = await last;
  return [...stats.votesAgainst.values()].some((e) => e instanceof ResourceLockedError);
}
