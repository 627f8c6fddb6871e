/**
 * What the order subgraph does when a Redis Cluster shard's history changed (platform
 * redis-cluster-guard.ts): the shard's stock hashes become 'missing', so each is rebuilt from the
 * databases' truth (StockReconciler, stock-scripts.lua.ts I5) before it sells again; the outbox
 * epoch goes too, so the relay re-publishes recent events the shard may have lost and the
 * reconciler waits for them to be applied to product.stock (StockReconciler R2).
 * Single Redis: no guard (a Redis that lost its data has lost the hashes themselves: I5 already).
 */
import type { MikroORM } from '@mikro-orm/mysql';
import type Redis from 'ioredis';
import { ClusterShardGuard, Config, Logger, isCluster, outboxEpochKey } from '@flashsale/platform';
import type { ReservationService } from './reservation.service';
import type { StockReconciler } from './stock-reconciler';

export function guardShards(
  deps: { orm: MikroORM; redis: Redis; config: Config; logger: Logger },
  reservations: ReservationService,
  reconciler: StockReconciler,
): ClusterShardGuard | undefined {
  if (!isCluster(deps.redis)) return undefined;
  const guard = new ClusterShardGuard(deps.redis, {
    logger: deps.logger,
    onHistoryChanged: async (productIds) => {
      await deps.redis.del(outboxEpochKey(deps.orm));
      await reservations.ledger.markLost(productIds);
      // Rebuilt now where possible; a reserve meeting one still missing rebuilds it first anyway.
      if (productIds.length) {
        void reconciler.rebuildMissing(productIds).catch((err) => deps.logger.warn({ err }, 'stock hashes of a changed shard not rebuilt yet; the next order for each rebuilds it'));
      }
    },
  });
  reservations.ledger.guardWith(guard, deps.config.REDIS_CLUSTER_WAIT_MS);
  return guard;
}
