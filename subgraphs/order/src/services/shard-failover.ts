/**
 * What the order subgraph does when a Redis Cluster shard's history changed (platform
 * redis-cluster-guard.ts): the shard's stock hashes become 'missing', so each is rebuilt from the
 * databases' truth (StockReconciler, stock-scripts.lua.ts I5) before it sells again, and not before
 * ORDER_LOCK_TTL_MS (+1 s) has passed: a placement that reserved on the lost history commits
 * within that deadline or never (OrderCommits `stillValid`), so the truth the rebuild reads
 * already holds every order the lost writes belonged to; the outbox
 * epoch goes too, so the relay re-publishes recent events the shard may have lost and the
 * reconciler waits for them to be applied to product.stock (StockReconciler R2).
 * Single Redis: no guard (a Redis that lost its data has lost the hashes themselves: I5 already).
 */
import type { MikroORM } from '@mikro-orm/mysql';
import type Redis from 'ioredis';
import { ClusterShardGuard, Config, Logger, isCluster, outboxEpochKey, redisKeys } from '@flashsale/platform';
import type { ReservationService } from './reservation.service';
import type { StockReconciler } from './stock-reconciler';

/** Beyond ORDER_LOCK_TTL_MS: clock skew between processes and the commit's own last round trip. */
const QUARANTINE_MARGIN_MS = 1000;

export function guardShards(
  deps: { orm: MikroORM; redis: Redis; config: Config; logger: Logger },
  reservations: ReservationService,
  reconciler: StockReconciler,
): ClusterShardGuard | undefined {
  if (!isCluster(deps.redis)) return undefined;
  const quarantineMs = deps.config.ORDER_LOCK_TTL_MS + QUARANTINE_MARGIN_MS;
  const guard = new ClusterShardGuard(deps.redis, {
    logger: deps.logger,
    quarantineMs,
    onHistoryChanged: async () => {
      await deps.redis.del(outboxEpochKey(deps.orm));
    },
    // Rebuilt once the quarantine is over: by the next order for each product, or the sweeper.
    markLost: (productIds) => reservations.ledger.markLost(productIds, quarantineMs),
  });
  reservations.ledger.guardWith(guard, deps.config.REDIS_CLUSTER_WAIT_MS);
  reconciler.fenceWith(async (productIds) => {
    // The histories first (G6): verifying a changed shard starts its quarantine, checked next.
    const histories = new Map(await Promise.all(productIds.map(async (p) => [p, await guard.history(redisKeys.productStock(p))] as const)));
    const quarantined = await Promise.all(productIds.map((p) => guard.quarantined(redisKeys.productStock(p))));
    return quarantined.some(Boolean) ? null : histories;
  });
  return guard;
}
