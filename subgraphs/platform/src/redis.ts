import Redis, { RedisOptions } from 'ioredis';
import { Config } from './config';

/** The longest BLOCK a blocking read may ask for; its client's command timeout leaves room for it. */
export const MAX_BLOCKING_READ_MS = 5000;

/**
 * One Redis connection factory. Every key goes through ioredis `keyPrefix` (REDIS_PREFIX), so a
 * test run or a second deployment on the same server never touches another's keys. Commands are
 * bounded by REDIS_COMMAND_TIMEOUT_MS so a stalled Redis answers SERVICE_UNAVAILABLE instead of
 * hanging a buyer.
 *
 * Commands run at most once: ioredis would otherwise send again, after a reconnect, every command
 * that was in flight when the connection dropped, including ones whose caller already gave up on a
 * timeout and answered an error, and including ones Redis had executed before the drop. Replayed
 * later, possibly into a Redis that lost its data and was rebuilt meanwhile, a stock delta or a
 * restock would count twice. A caller that sees an error treats the outcome as unknown instead
 * (reservations are settled by their records, hashes by reconcile). Every command therefore needs
 * a timeout, blocking reads included (a dropped command's promise is only ever settled by it).
 */
export function createRedis(config: Config, opts: RedisOptions & { blocking?: boolean } = {}): Redis {
  const { blocking, ...rest } = opts;
  return new Redis(config.REDIS_URL, {
    keyPrefix: config.REDIS_PREFIX,
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
    autoResendUnfulfilledCommands: false,
    // Blocking reads (XREADGROUP BLOCK <= MAX_BLOCKING_READ_MS) must not be cut by the command timeout.
    commandTimeout: blocking ? config.REDIS_COMMAND_TIMEOUT_MS + MAX_BLOCKING_READ_MS : config.REDIS_COMMAND_TIMEOUT_MS,
    retryStrategy: (times) => Math.min(times * 100, 2000),
    lazyConnect: false,
    ...rest,
  });
}

/** Deletes every key under this configuration's prefix (tests clean up with it). */
export async function deletePrefixedKeys(redis: Redis, prefix: string): Promise<number> {
  if (!prefix) throw new Error('refusing to delete keys without a prefix');
  const clientPrefix = redis.options.keyPrefix ?? '';
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    // SCAN answers full key names; DEL adds the client's own keyPrefix (if any), so strip that one.
    if (found.length) deleted += await redis.del(...found.map((k) => (clientPrefix && k.startsWith(clientPrefix) ? k.slice(clientPrefix.length) : k)));
  } while (cursor !== '0');
  return deleted;
}
