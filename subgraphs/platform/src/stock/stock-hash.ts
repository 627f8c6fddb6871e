/**
 * The product stock hash: its key, its fields and how they are read and written, in one place.
 *
 * One Redis hash per product, `stock:{<productId>}` (the product id is a Redis Cluster hash tag,
 * so all of a product's keys share a slot). The product subgraph writes one for EVERY product when
 * it is created and keeps it in step with every change (never clobbering a live `available`); the
 * order subgraph's reservation scripts move `available`; the cart reads the listing fields for
 * display and validation. Every Lua script that touches the hash is in stock-scripts.lua.ts and is
 * called through StockLedger (stock-ledger.ts); nothing else writes the field names out.
 *
 * Fields: `available` = units for sale now (product.stock minus units held by unpaid
 * reservations), then the listing: price (minor units), currency, opensAt / closesAt (epoch ms,
 * 0 = not set), maxPerCustomer (0 = no limit), active (1/0), waitingRoom (1: the sale is behind a
 * line, platform waiting-room/; orders need a served ticket). A hash without `available` is not a
 * stock hash (Redis lost it, or only the listing was restored): selling waits for reconcile.
 * `recoverAfter` (epoch ms, Redis time) is set only on a hash made 'missing' after a Redis Cluster
 * failover (redis-cluster-guard.ts): no rebuild before then, so placements that reserved on the
 * lost history have committed or given up first. A rebuild deletes it with the rest.
 */

/** The listing fields, in the order scripts receive them as arguments. */
export const LISTING_FIELDS = ['price', 'currency', 'opensAt', 'closesAt', 'maxPerCustomer', 'active', 'waitingRoom'] as const;
/**
 * The replication history (the node's `master_replid`) a hash was written under: by a new
 * product's sync and by a rebuild. On a Redis Cluster a hash whose history is not its node's
 * current one is never sold from (redis-cluster-guard.ts G5).
 */
export const HISTORY_FIELD = 'history';

/** The quarantine field of a hash a failover made 'missing' (see above). */
export const RECOVER_AFTER_FIELD = 'recoverAfter';

/** Every field of the hash, in the order scripts read them (HMGET). */
export const STOCK_HASH_FIELDS = ['available', ...LISTING_FIELDS] as const;

export interface StockHash {
  available: number;
  price: number;
  currency: string;
  opensAt: number;
  closesAt: number;
  maxPerCustomer: number;
  active: 0 | 1;
  waitingRoom: 0 | 1;
}

/** Everything but `available`: plain copies of the product row. */
export type Listing = Omit<StockHash, 'available'>;

export const stockKey = (productId: string): string => `stock:{${productId}}`;

/** A listing as script arguments, in LISTING_FIELDS order. */
export const listingArgs = (listing: Listing): Array<string | number> => LISTING_FIELDS.map((field) => listing[field]);

/** A hash as HGETALL returns it; null unless it holds `available` (a listing alone is not stock). */
export function parseStockHash(raw: Record<string, string> | null | undefined): StockHash | null {
  if (!raw || raw.available === undefined) return null;
  return stockHashFields(raw);
}

/** Every field of a hash as numbers, whatever it holds (a missing field reads NaN or undefined). */
export function stockHashFields(raw: Record<string, string>): StockHash {
  return {
    available: Number(raw.available),
    price: Number(raw.price),
    currency: raw.currency,
    opensAt: Number(raw.opensAt),
    closesAt: Number(raw.closesAt),
    maxPerCustomer: Number(raw.maxPerCustomer),
    active: Number(raw.active) === 1 ? 1 : 0,
    waitingRoom: Number(raw.waitingRoom) === 1 ? 1 : 0,
  };
}

/** What a shop window needs of a product: its list price and whether it is on sale at all. */
export interface ListingView {
  /** Minor units; null when the stored value is not a sane amount. */
  price: number | null;
  currency: string | null;
  active: boolean;
}
