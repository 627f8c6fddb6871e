/**
 * Abuse limits (failed logins, verification mails) as fixed windows counted in Redis with
 * rate-limiter-flexible (the gateway counts its per-field limits with one Lua script of its own).
 * An attempt takes its slot before the guarded work runs, so a burst of parallel requests cannot
 * slip past the limit between a check and an increment; a slot can be given back (a successful
 * login is not a failure) or a window cleared. The window starts with the first hit and later hits never
 * extend it, so `retryAfter` is when the window ends.
 */
import type Redis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { rateLimited } from '@flashsale/platform';

export class Limit {
  private readonly limiter: RateLimiterRedis;

  constructor(redis: Redis, name: string, max: number, windowSeconds: number) {
    this.limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: `user:limit:${name}`, points: max, duration: windowSeconds });
  }

  /** `subject` in braces: one Redis Cluster slot per subject. */
  bind(subject: string): BoundLimit {
    return { limit: this, key: `{${subject}}` };
  }

  async consume(key: string): Promise<number> {
    try {
      await this.limiter.consume(key);
      return 0;
    } catch (err) {
      if (err instanceof RateLimiterRes) return Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw err;
    }
  }

  async refund(key: string): Promise<void> {
    await this.limiter.reward(key, 1);
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }
}

export interface BoundLimit {
  limit: Limit;
  key: string;
}

/** Takes one slot on every limit; over any of them: RATE_LIMITED, and none is charged. */
export async function take(...bound: BoundLimit[]): Promise<void> {
  const waits = await Promise.all(bound.map((b) => b.limit.consume(b.key)));
  const retryAfter = Math.max(0, ...waits);
  if (retryAfter > 0) {
    // The refused attempt never ran, so it must not count against any limit.
    await Promise.all(bound.map((b) => b.limit.refund(b.key)));
    throw rateLimited(retryAfter);
  }
}

export const refund = (...bound: BoundLimit[]) => Promise.all(bound.map((b) => b.limit.refund(b.key)));
export const reset = (...bound: BoundLimit[]) => Promise.all(bound.map((b) => b.limit.reset(b.key)));
