import type Redis from 'ioredis';
import { ListingView, StockLedger } from '@flashsale/platform';

/** What the cart knows about a product, read from the product subgraph's stock hash. */
export type ProductListing = ListingView;

/**
 * Reads products' listings from their stock hashes (platform StockLedger): the product subgraph
 * writes one for every product. The cart uses it to refuse unknown or inactive products and to
 * show current list prices; it never reads the product database. A missing hash means "no such
 * product" (or Redis lost it before reconcile rebuilt it; adding then fails as PRODUCT_NOT_FOUND,
 * which is safe).
 */
export class ProductListings {
  private readonly ledger: StockLedger;

  constructor(redis: Redis) {
    this.ledger = new StockLedger(redis);
  }

  async one(productId: string): Promise<ProductListing | null> {
    return (await this.many([productId])).get(productId) ?? null;
  }

  /** One round trip for any number of products; absent products are missing from the map. */
  many(productIds: readonly string[]): Promise<Map<string, ProductListing>> {
    return this.ledger.listings(productIds);
  }
}
