/** A stack's own data: its databases (DB_PREFIX) and Redis keys (REDIS_PREFIX), dropped at start and stop. */
import Redis from 'ioredis';
import { Config, SERVICES, databaseName, deletePrefixedKeys, dropDatabase } from '@flashsale/platform';

/**
 * Drops the databases and keys of `config`'s prefixes. `owns` guards against dropping somebody
 * else's data: it must name the prefixes the caller created. On a Redis Cluster the launcher
 * started, the cluster itself goes away with the stack, so only the databases are dropped here.
 */
export async function dropStackData(config: Config, owns: { dbPrefix: string; redisPrefix: string }, opts: { redis?: 'single' | 'cluster' } = {}): Promise<void> {
  if (config.DB_PREFIX !== owns.dbPrefix || config.REDIS_PREFIX !== owns.redisPrefix) throw new Error('refusing to drop data that is not this run’s own');
  await Promise.all(SERVICES.map((s) => dropDatabase(config.MYSQL_URL, databaseName(config, s))));
  if (opts.redis === 'cluster') return;
  // deletePrefixedKeys DELs through the client's keyPrefix, so the client must carry it.
  const redis = new Redis(config.REDIS_URL, { keyPrefix: config.REDIS_PREFIX, lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await deletePrefixedKeys(redis, config.REDIS_PREFIX);
  } finally {
    redis.disconnect();
  }
}
