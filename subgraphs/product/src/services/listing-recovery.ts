/**
 * Puts product listings back into Redis after Redis lost its data (a restart without persistence).
 *
 * The order subgraph rebuilds a product's stock hash (with `available`) from the database truth
 * when someone orders it or holds it; until then a product nobody has touched would have no hash
 * at all, and the cart, which reads price and `active` from it, would call it unknown. This worker
 * keeps an epoch key; when the key is gone, it writes the listing fields of every product whose
 * hash lacks `available` (StockService.restoreListings), then writes the key again.
 */
import type { MikroORM } from '@mikro-orm/mysql';
import type Redis from 'ioredis';
import { Logger, Worker, startPeriodic } from '@flashsale/platform';
import type { StockService } from './stock.service';

export const LISTING_CHECK_MS = 2000;

export function listingEpochKey(orm: MikroORM): string {
  return `catalog:epoch:${orm.config.get('dbName')}`;
}

export function startListingRecovery(opts: { orm: MikroORM; redis: Redis; logger: Logger; stock: StockService; intervalMs?: number }): Worker {
  const key = listingEpochKey(opts.orm);
  return startPeriodic('listing-recovery', opts.intervalMs ?? LISTING_CHECK_MS, opts.logger, async () => {
    if ((await opts.redis.exists(key)) === 1) return;
    const restored = await opts.stock.restoreListings(opts.orm.em.fork());
    await opts.redis.set(key, String(Date.now()));
    if (restored) opts.logger.warn({ restored }, 'Redis lost its data: product listings written back (stock hashes are rebuilt by reconcile)');
  });
}
