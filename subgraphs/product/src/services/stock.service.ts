/**
 * The product subgraph's writes to the Redis stock hash of each product (layout and scripts:
 * platform stock/, through StockLedger): the hot path's view of stock and the sale window.
 *
 * Invariants
 * - Every product has a hash from the moment it is created (available = stock, nothing reserved yet).
 * - `available` = product.stock - units held by unpaid reservations. The product subgraph never
 *   writes an absolute `available` over a live hash: an admin change of stock from S to S' applies
 *   the delta S' - S atomically (Lua) on top of whatever reservations did meanwhile, and is refused
 *   when it would take `available` below zero (it would take back units already reserved).
 * - The other fields (price, currency, window, limit, active) are plain copies of the product row.
 * - A missing hash means Redis lost it. Only `reconcile` (given the reserved units, which the order
 *   subgraph knows) writes an absolute `available`; an admin change never recreates a lost hash
 *   with a guess, because a guess that ignores reservations would oversell.
 * - After Redis lost its data, the listing fields (everything but `available`) are written back
 *   for every product (restoreListings), so carts see prices again; a hash without `available`
 *   still counts as missing for selling, which only reconcile may decide.
 * Times are epoch ms and 0 means "not set"; maxPerCustomer 0 means "no limit".
 */
import type Redis from 'ioredis';
import type { EntityManager } from '@mikro-orm/mysql';
import { Listing, Logger, StockHash, StockLedger, StockSync } from '@flashsale/platform';
import { Product } from '../entities/product.entity';

/** An admin change's effect on the hash (the ledger's sync reply). */
export type StockChange = StockSync;

/** The hash's non-`available` fields as the product row says. */
export function hashFieldsOf(p: Pick<Product, 'price' | 'currency' | 'saleOpensAt' | 'saleClosesAt' | 'maxPerCustomer' | 'active' | 'waitingRoomEnabled'>): Listing {
  return {
    price: p.price,
    currency: p.currency,
    opensAt: p.saleOpensAt ? p.saleOpensAt.getTime() : 0,
    closesAt: p.saleClosesAt ? p.saleClosesAt.getTime() : 0,
    maxPerCustomer: p.maxPerCustomer ?? 0,
    active: p.active ? 1 : 0,
    waitingRoom: p.waitingRoomEnabled ? 1 : 0,
  };
}

export class StockService {
  private readonly ledger: StockLedger;

  constructor(
    redis: Redis,
    private readonly logger: Logger,
  ) {
    this.ledger = new StockLedger(redis);
  }

  /** A new product's hash: all of its stock is available. */
  async writeNew(product: Product): Promise<void> {
    await this.ledger.sync(product.id, 'set', product.stock, hashFieldsOf(product));
  }

  /** Hashes of many new products in one round trip (bulk seeding). */
  async writeNewMany(products: readonly Product[]): Promise<void> {
    await this.writeSet(products.map((p) => [p, p.stock]));
  }

  private async writeSet(entries: ReadonlyArray<readonly [Product, number]>): Promise<void> {
    await this.ledger.syncMany(entries.map(([p, available]) => ({ productId: p.id, mode: 'set' as const, amount: available, listing: hashFieldsOf(p) })));
  }

  /**
   * Applies an admin change: `available += stockDelta` atomically and copies the other fields.
   * Refused (nothing written) when available would go below zero; nothing written when the hash is missing.
   */
  async applyChange(productId: string, fields: Listing, stockDelta: number): Promise<StockChange> {
    const change = await this.ledger.sync(productId, 'delta', stockDelta, fields);
    if (change.status !== 'missing') return change;
    this.logger.warn({ productId }, 'stock hash missing (Redis lost it?); left for reconcile to rebuild');
    return { status: 'missing' };
  }

  /**
   * Reconcile from truth: rewrites the hash of each product from the database, with
   * available = max(0, stock - reserved units). `reservedUnits` maps product id to units held by
   * live unpaid reservations (from the order subgraph); absent means none. Without `productIds`,
   * every product is rewritten, read in keyset-ordered batches. Returns how many hashes it wrote.
   */
  async reconcile(em: EntityManager, reservedUnits: ReadonlyMap<string, number> = new Map(), productIds?: readonly string[]): Promise<number> {
    let written = 0;
    const writeAll = async (rows: Product[]) => {
      await this.writeSet(rows.map((p) => [p, Math.max(0, p.stock - (reservedUnits.get(p.id) ?? 0))] as const));
      written += rows.length;
    };
    if (productIds) {
      for (let i = 0; i < productIds.length; i += 500) {
        await writeAll(await em.find(Product, { id: { $in: productIds.slice(i, i + 500) } }, { disableIdentityMap: true }));
      }
      return written;
    }
    let after = '';
    for (;;) {
      const rows = await em.find(Product, { id: { $gt: after } }, { orderBy: { id: 'asc' }, limit: 500, disableIdentityMap: true });
      if (!rows.length) break;
      await writeAll(rows);
      after = rows[rows.length - 1].id;
    }
    return written;
  }

  /**
   * After Redis lost its data: writes the listing fields (price, window, limit, active; never
   * `available`) of every product whose hash has no `available`, in keyset-ordered batches, so
   * carts know the products again. Selling still waits for reconcile. Returns how many it wrote.
   */
  async restoreListings(em: EntityManager): Promise<number> {
    let written = 0;
    let after = '';
    for (;;) {
      const rows = await em.find(Product, { id: { $gt: after } }, { orderBy: { id: 'asc' }, limit: 500, disableIdentityMap: true });
      if (!rows.length) return written;
      const replies = await this.ledger.syncMany(rows.map((p) => ({ productId: p.id, mode: 'listing' as const, amount: 0, listing: hashFieldsOf(p) })));
      written += replies.filter((r) => r.status === 'missing').length;
      after = rows[rows.length - 1].id;
    }
  }

  /** `available` of each product, one round trip for all; null where the hash is missing. */
  availableOf(productIds: readonly string[]): Promise<Array<number | null>> {
    return this.ledger.availableOf(productIds);
  }

  read(productId: string): Promise<StockHash | null> {
    return this.ledger.read(productId);
  }
}
