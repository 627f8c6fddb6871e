import Redis, { Cluster, RedisOptions } from 'ioredis';
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
  const options: RedisOptions = {
    keyPrefix: config.REDIS_PREFIX,
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
    autoResendUnfulfilledCommands: false,
    // Blocking reads (XREADGROUP BLOCK <= MAX_BLOCKING_READ_MS) must not be cut by the command timeout.
    commandTimeout: blocking ? config.REDIS_COMMAND_TIMEOUT_MS + MAX_BLOCKING_READ_MS : config.REDIS_COMMAND_TIMEOUT_MS,
    retryStrategy: (times) => Math.min(times * 100, 2000),
    lazyConnect: false,
    ...rest,
  };
  if (config.REDIS_CLUSTER_NODES) return createClusterClient(config.REDIS_CLUSTER_NODES, options);
  return new Redis(config.REDIS_URL, options);
}

/**
 * REDIS_CLUSTER_NODES: ioredis's Cluster client with the same per-node options. It is handed out
 * typed as `Redis`: the command API is the same, and every caller keeps to what a cluster allows
 * (each script's and each MULTI's keys in one slot, no pipeline across products, SCAN through
 * `scanEveryMaster`). Commands follow MOVED/ASK and are retried while a failover completes
 * (retryDelayOnFailover / ClusterDown), never replayed after a dropped connection.
 */
function createClusterClient(seeds: string, options: RedisOptions): Redis {
  const { keyPrefix, lazyConnect, retryStrategy, enableOfflineQueue, ...redisOptions } = options;
  const cluster = new Cluster(
    seeds.split(',').map((seed) => {
      const [host, port] = seed.split(':');
      return { host, port: Number(port) };
    }),
    {
      keyPrefix,
      lazyConnect,
      enableOfflineQueue,
      scaleReads: 'master',
      redisOptions,
      maxRedirections: 16,
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 200,
      retryDelayOnTryAgain: 100,
      slotsRefreshTimeout: 2000,
      // A promoted replica is found within a second even when no command met a MOVED.
      slotsRefreshInterval: 1000,
      clusterRetryStrategy: retryStrategy ? (times) => retryStrategy(times) : (times) => Math.min(times * 100, 2000),
    },
  );
  return cluster as unknown as Redis;
}

/** A flat [name, value, name, value, …] Redis reply (a stream entry's fields, XINFO) as a record. */
export function fieldRecord<T>(flat: readonly T[]): Record<string, T> {
  const out: Record<string, T> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

/** The client is ioredis's Cluster (REDIS_CLUSTER_NODES). */
export function isCluster(redis: Redis): boolean {
  return (redis as unknown as { isCluster?: boolean }).isCluster === true;
}

/** The key prefix a client adds (a Cluster keeps its options in another place than a Redis). */
export function clientKeyPrefix(redis: Redis): string {
  return redis.options.keyPrefix ?? '';
}

/** The single-node clients to run a node-local command on: every master of a cluster, or the client itself. */
export function everyMaster(redis: Redis): Redis[] {
  return isCluster(redis) ? (redis as unknown as Cluster).nodes('master') : [redis];
}

/** Deletes every key under this configuration's prefix (tests clean up with it); scans every master of a cluster. */
export async function deletePrefixedKeys(redis: Redis, prefix: string): Promise<number> {
  if (!prefix) throw new Error('refusing to delete keys without a prefix');
  let deleted = 0;
  for (const node of everyMaster(redis)) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      // SCAN answers full key names; the node's own client adds no prefix, so delete them as found,
      // one at a time on a cluster node (keys of one node may still sit in different slots).
      if (found.length) deleted += isCluster(redis) ? (await Promise.all(found.map((k) => node.del(k)))).reduce((a, b) => a + b, 0) : await node.del(...found.map((k) => stripPrefix(redis, k)));
    } while (cursor !== '0');
  }
  return deleted;
}

/** DEL adds the client's own keyPrefix (if any), so a full key name from SCAN loses that one first. */
function stripPrefix(redis: Redis, key: string): string {
  const clientPrefix = clientKeyPrefix(redis);
  return clientPrefix && key.startsWith(clientPrefix) ? key.slice(clientPrefix.length) : key;
}
