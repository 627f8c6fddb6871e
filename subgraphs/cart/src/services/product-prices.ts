import type Redis from 'ioredis';
import { redisKeys } from '@flashsale/platform';

/** What the cart knows about a product, read from the product subgraph's stock hash (StockHash). */
export interface ProductListing {
  price: number | null;
  currency: string | null;
  active: boolean;
}

/**
 * Reads products' stock hashes: the product subgraph writes one for every product (StockHash in
 * platform keys.ts). The cart uses it to refuse unknown or inactive products and to show current
 * list prices; it never reads the product database. A missing hash means "no such product" (or Redis
 * lost it before reconcile rebuilt it; adding then fails as PRODUCT_NOT_FOUND, which is safe).
 */
export class ProductListings {
  constructor(private readonly redis: Redis) {}

  async one(productId: string): Promise<ProductListing | null> {
    return (await this.many([productId])).get(productId) ?? null;
  }

  /** One round trip for any number of products; absent products are missing from the map. */
  async many(productIds: readonly string[]): Promise<Map<string, ProductListing>> {
    const found = new Map<string, ProductListing>();
    if (!productIds.length) return found;
    const pipeline = this.redis.pipeline();
    for (const id of productIds) pipeline.hmget(redisKeys.productStock(id), 'price', 'currency', 'active');
    const results = (await pipeline.exec()) ?? [];
    results.forEach(([err, value], i) => {
      if (err) throw err;
      const [price, currency, active] = value as Array<string | null>;
      if (price === null && currency === null && active === null) return;
      const p = price === null ? NaN : Number(price);
      found.set(productIds[i], {
        price: Number.isSafeInteger(p) && p >= 0 ? p : null,
        currency: currency || null,
        active: active === '1',
      });
    });
    return found;
  }
}
