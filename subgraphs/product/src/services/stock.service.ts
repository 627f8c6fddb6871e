/**
 * The Redis stock hash per product (`redisKeys.productStock(id)`, fields exactly `StockHash`):
 * the hot path's view of stock and the sale window.
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
import { redisKeys, StockHash, Logger } from '@flashsale/platform';
import { Product } from '../entities/product.entity';

// KEYS[1] hash; ARGV: mode, amount, price, currency, opensAt, closesAt, maxPerCustomer, active.
// mode 'set': available := amount (a new product, or reconcile from truth).
// mode 'delta': only if the hash has `available`; available += amount unless that goes below 0.
//   A hash holding only restored listing fields gets the new listing fields, never an `available`.
// mode 'listing': the listing fields, only where `available` is missing (restoring after a loss).
// Returns {status, available}: 1 written, 0 `available` missing (no `available` written), -1 refused (nothing written).
const SYNC_STOCK_LUA = `
local key = KEYS[1]
local mode = ARGV[1]
local amount = tonumber(ARGV[2])
local function listing()
  redis.call('HSET', key, 'price', ARGV[3], 'currency', ARGV[4], 'opensAt', ARGV[5], 'closesAt', ARGV[6],
    'maxPerCustomer', ARGV[7], 'active', ARGV[8])
end
if mode == 'set' then
  redis.call('HSET', key, 'available', amount)
  listing()
  return {1, amount}
end
-- 'delta' and 'listing' never write an available that is missing.
if redis.call('HEXISTS', key, 'available') == 0 then
  if mode == 'listing' or redis.call('EXISTS', key) == 1 then listing() end
  return {0, 0}
end
local current = tonumber(redis.call('HGET', key, 'available'))
if mode == 'listing' then return {1, current} end
if current + amount < 0 then return {-1, current} end
local available = redis.call('HINCRBY', key, 'available', amount)
listing()
return {1, available}
`;

type SyncStock = (key: string, mode: 'set' | 'delta' | 'listing', amount: number, ...fields: Array<string | number>) => Promise<[number, number]>;

export type StockChange = { status: 'applied'; available: number } | { status: 'missing' } | { status: 'refused'; available: number };

/** The hash's non-`available` fields as the product row says. */
export function hashFieldsOf(p: Pick<Product, 'price' | 'currency' | 'saleOpensAt' | 'saleClosesAt' | 'maxPerCustomer' | 'active'>): Omit<StockHash, 'available'> {
  return {
    price: p.price,
    currency: p.currency,
    opensAt: p.saleOpensAt ? p.saleOpensAt.getTime() : 0,
    closesAt: p.saleClosesAt ? p.saleClosesAt.getTime() : 0,
    maxPerCustomer: p.maxPerCustomer ?? 0,
    active: p.active ? 1 : 0,
  };
}

const fieldArgs = (f: Omit<StockHash, 'available'>) => [f.price, f.currency, f.opensAt, f.closesAt, f.maxPerCustomer, f.active];

export class StockService {
  private readonly syncStock: SyncStock;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
  ) {
    redis.defineCommand('flashsaleSyncStock', { numberOfKeys: 1, lua: SYNC_STOCK_LUA });
    const cmd = (redis as unknown as { flashsaleSyncStock: SyncStock }).flashsaleSyncStock.bind(redis);
    this.syncStock = async (...args) => {
      const [status, available] = await cmd(...args);
      return [Number(status), Number(available)];
    };
  }

  /** A new product's hash: all of its stock is available. */
  async writeNew(product: Product): Promise<void> {
    await this.syncStock(redisKeys.productStock(product.id), 'set', product.stock, ...fieldArgs(hashFieldsOf(product)));
  }

  /** Hashes of many new products in one round trip (bulk seeding). */
  async writeNewMany(products: readonly Product[]): Promise<void> {
    await this.writeSet(products.map((p) => [p, p.stock]));
  }

  private async writeSet(entries: ReadonlyArray<readonly [Product, number]>): Promise<void> {
    if (!entries.length) return;
    const pipeline = this.redis.pipeline() as unknown as { flashsaleSyncStock: (...a: unknown[]) => void; exec: () => Promise<Array<[Error | null, unknown]> | null> };
    for (const [p, available] of entries) pipeline.flashsaleSyncStock(redisKeys.productStock(p.id), 'set', available, ...fieldArgs(hashFieldsOf(p)));
    const results = await pipeline.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  /**
   * Applies an admin change: `available += stockDelta` atomically and copies the other fields.
   * Refused (nothing written) when available would go below zero; nothing written when the hash is missing.
   */
  async applyChange(productId: string, fields: Omit<StockHash, 'available'>, stockDelta: number): Promise<StockChange> {
    const [status, available] = await this.syncStock(redisKeys.productStock(productId), 'delta', stockDelta, ...fieldArgs(fields));
    if (status === 1) return { status: 'applied', available };
    if (status === -1) return { status: 'refused', available };
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
      const pipeline = this.redis.pipeline() as unknown as { flashsaleSyncStock: (...a: unknown[]) => void; exec: () => Promise<Array<[Error | null, unknown]> | null> };
      for (const p of rows) pipeline.flashsaleSyncStock(redisKeys.productStock(p.id), 'listing', 0, ...fieldArgs(hashFieldsOf(p)));
      for (const [err, reply] of (await pipeline.exec()) ?? []) {
        if (err) throw err;
        if (Number((reply as [number, number])[0]) === 0) written++;
      }
      after = rows[rows.length - 1].id;
    }
  }

  /** `available` of each product, one round trip for all; null where the hash is missing. */
  async availableOf(productIds: readonly string[]): Promise<Array<number | null>> {
    if (!productIds.length) return [];
    const pipeline = this.redis.pipeline();
    for (const id of productIds) pipeline.hget(redisKeys.productStock(id), 'available');
    const results = (await pipeline.exec()) ?? [];
    return productIds.map((_, i) => {
      const [err, v] = results[i] ?? [new Error('no reply'), null];
      if (err) throw err;
      return v == null ? null : Math.max(0, Number(v));
    });
  }

  async read(productId: string): Promise<StockHash | null> {
    const raw = await this.redis.hgetall(redisKeys.productStock(productId));
    // Listing fields alone (restored after a loss) are not a stock hash yet.
    if (!raw || raw.available === undefined) return null;
    return {
      available: Number(raw.available),
      price: Number(raw.price),
      currency: raw.currency,
      opensAt: Number(raw.opensAt),
      closesAt: Number(raw.closesAt),
      maxPerCustomer: Number(raw.maxPerCustomer),
      active: Number(raw.active) === 1 ? 1 : 0,
    };
  }
}
