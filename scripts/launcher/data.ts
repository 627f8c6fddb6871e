/** A stack's own data: its databases (DB_PREFIX) and Redis keys (REDIS_PREFIX), dropped at start and stop. */
import { Config, SERVICES, createRedis, databaseName, deletePrefixedKeys, dropDatabase } from '@flashsale/platform';

/**
 * Drops the databases and keys of `config`'s prefixes (on the Redis Cluster when the config names
 * one). `owns` guards against dropping somebody else's data: it must name the prefixes the caller
 * created.
 */
export async function dropStackData(config: Config, owns: { dbPrefix: string; redisPrefix: string }): Promise<void> {
  if (config.DB_PREFIX !== owns.dbPrefix || config.REDIS_PREFIX !== owns.redisPrefix) throw new Error('refusing to drop data that is not this run’s own');
  await Promise.all(SERVICES.map((s) => dropDatabase(config.MYSQL_URL, databaseName(config, s))));
  const redis = createRedis(config);
  redis.on('error', () => undefined);
  try {
    await deletePrefixedKeys(redis, config.REDIS_PREFIX);
  } finally {
    redis.disconnect();
  }
}
