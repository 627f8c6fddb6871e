import Redis, { RedisOptions } from 'ioredis';
import { Config } from './config';

/**
 * One Redis connection factory. Every key goes through ioredis `keyPrefix` (REDIS_PREFIX), so a
 * test run or a second deployment on the same server never touches another's keys. Commands are
 * bounded by REDIS_COMMAND_TIMEOUT_MS so a stalled Redis answers SERVICE_UNAVAILABLE instead of
 * hanging a buyer.
 */
export function createRedis(config: Config, opts: RedisOptions & { blocking?: boolean } = {}): Redis {
  const { blocking, ...rest } = opts;
  return new Redis(config.REDIS_URL, {
    keyPrefix: config.REDIS_PREFIX,
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
    // Blocking reads (XREADGROUP BLOCK) must not be cut by the command timeout.
    commandTimeout: blocking ? undefined : config.REDIS_COMMAND_TIMEOUT_MS,
    retryStrategy: (times) => Math.min(times * 100, 2000),
    lazyConnect: false,
    ...rest,
  });
}

/** Deletes every key under this configuration's prefix (tests clean up with it). */
export async function deletePrefixedKeys(redis: Redis, prefix: string): Promise<number> {
  if (!prefix) throw new Error('refusing to delete keys without a prefix');
  let cursor = '0';
  let deleted = 0;
  do {
    // SCAN patterns are not prefixed by ioredis, and DEL below is, so strip the prefix first.
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (found.length) deleted += await redis.del(...found.map((k) => k.slice(prefix.length)));
  } while (cursor !== '0');
  return deleted;
}
