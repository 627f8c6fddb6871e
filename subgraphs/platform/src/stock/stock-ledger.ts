/**
 * StockLedger: the one typed way to read and move product stock in Redis. It builds each script's
 * KEYS/ARGV and decodes its JSON reply (stock-scripts.lua.ts holds the rules and invariants); the
 * product subgraph writes hashes through it, the order subgraph reserves and gives back through
 * it, the cart reads listings through it.
 *
 * Over 300 lines on purpose: it is the single owner of the stock and reservation key layout
 * (every key one script touches must share a slot), so every script call stays in this one file.
 */
import type Redis from 'ioredis';
import { isCluster } from '../redis';
import { unavailable } from '../errors';
import { GIVE_BACK_LUA, MARK_LOST_LUA, REBUILD_LUA, RESERVE_LUA, SETTLE_LUA, SYNC_STOCK_LUA } from './stock-scripts.lua';
import { Listing, ListingView, StockHash, listingArgs, parseStockHash, stockKey } from './stock-hash';
import { lineKeys } from '../waiting-room/line-keys';

/**
 * Keys the order subgraph owns beside each stock hash, moved by the same scripts; each carries a
 * product id as its hash tag (stock-scripts.lua.ts has the layout).
 */
export const reservationKeys = {
  /** Units of product p each buyer holds in reservations and live orders (the per-customer limit). */
  bought: (productId: string) => `bought:{${productId}}`,
  /** The parts of reservations that hold product p. */
  reservations: (productId: string) => `reservations:{${productId}}`,
  /** Deadlines of those parts (the sweeper's index). */
  reservationsDue: (productId: string) => `reservations:due:{${productId}}`,
  /** The order a buyer's idempotency key placed (or is placing), on the slot of the order's anchor product. */
  idempotency: (anchorProductId: string, buyer: string, key: string) => `order:idem:{${anchorProductId}}:${buyer}:${key}`,
  /** Product ids that have had reservation parts (the sweeper walks their due sets). */
  products: 'reservations:products',
} as const;

/** The anchor of an order: its lowest product id (its part carries the idempotency key). */
export const anchorOf = (lines: ReadonlyArray<{ productId: string }>): string => lines.map((l) => l.productId).sort()[0];

export interface StockLine {
  productId: string;
  quantity: number;
}

export type RejectionCode = 'NOT_FOR_SALE' | 'SALE_NOT_OPEN' | 'SALE_CLOSED' | 'LIMIT_EXCEEDED' | 'SOLD_OUT' | 'NOT_ADMITTED';
export interface Rejection {
  code: RejectionCode;
  productId: string;
  /**
   * SOLD_OUT: units left; LIMIT_EXCEEDED: the limit; SALE_NOT_OPEN / SALE_CLOSED: epoch ms;
   * NOT_ADMITTED: NO_TICKET | NOT_IN_LINE | WAITING:<place> | EXPIRED | USED (line-scripts.lua.ts).
   */
  detail: string;
}

export type ReserveOutcome =
  | { status: 'reserved'; at: Date; prices: Array<{ unitPrice: number; currency: string }> }
  | { status: 'replay'; orderId: string }
  | { status: 'missing'; productIds: string[] }
  | { status: 'rejected'; rejections: Rejection[] }
  | { status: 'exists' };

/** A reservation's part in `reservations:{p}` (JSON, as the reserve script writes it). */
export interface ReservationRecord {
  /** the buyer's user id */
  buyer: string;
  /** when the hold ends, epoch ms (Redis time) */
  deadline: number;
  /** [productId, quantity]; one line, p's, in a part */
  lines: Array<[string, number]>;
  /** the idempotency key that placed it, on the anchor's part only */
  idempotencyKey?: string;
  /** the waiting-room number whose ticket it used, on that product's part only */
  ticket?: number;
}

/** One product's part of a reservation, exactly as stored. */
export interface ReservationPart {
  productId: string;
  raw: string;
  record: ReservationRecord;
}

export type StockSync = { status: 'applied'; available: number } | { status: 'missing' } | { status: 'refused'; available: number };
export type SyncMode = 'set' | 'delta' | 'listing';

export interface RebuildInput {
  productId: string;
  available: number;
  listing: Listing;
  bought: ReadonlyMap<string, number>;
  records: ReadonlyArray<{ id: string; record: ReservationRecord }>;
  /**
   * Cluster: the replication history the caller verified the product's shard under before it found
   * the shard out of quarantine. The write is refused if the node's history is another one by now.
   */
  history?: string;
}

/** How long a buyer's idempotency key remembers its order in Redis (the database's unique index is the backstop after). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

type Script = (...args: Array<string | number>) => Promise<string>;
type ScriptName = 'stockSync' | 'stockReserve' | 'stockGiveBack' | 'stockSettle' | 'stockRebuild' | 'stockMarkLost';
const SCRIPTS: Record<ScriptName, string> = {
  stockSync: SYNC_STOCK_LUA,
  stockReserve: RESERVE_LUA,
  stockGiveBack: GIVE_BACK_LUA,
  stockSettle: SETTLE_LUA,
  stockRebuild: REBUILD_LUA,
  stockMarkLost: MARK_LOST_LUA,
};

/** Every key of one product a reservation moves, in the order the reserve script reads them. */
const partKeys = (productId: string) => [stockKey(productId), reservationKeys.bought(productId), reservationKeys.reservations(productId), reservationKeys.reservationsDue(productId)];

type ReserveReply =
  | { status: 'reserved'; at: number; lines: Array<{ price: string; currency: string }> }
  | { status: 'replay'; orderId: string }
  | { status: 'missing'; productIds: string[] }
  | { status: 'rejected'; rejections: Rejection[] }
  | { status: 'exists' };

export class StockLedger {
  /** Products this process has put in `reservations:products` (each is written once per process). */
  private readonly registered = new Set<string>();
  /** On a cluster every product lives in its own slot: a multi-product order is reserved per product. */
  readonly perProduct: boolean;
  /** Cluster: the failover guard (redis-cluster-guard.ts G1, G4) and how long to WAIT for a replica. */
  private guard?: {
    ready(key: string): Promise<void>;
    waitForReplica(key: string, timeoutMs: number): Promise<number>;
    stale(keys: readonly string[], productIds: string[]): Promise<void>;
  };
  private waitMs = 0;
  /** Reservations no replica acknowledged within the WAIT (a failover could lose them; the guard reconciles). */
  unreplicated = 0;

  constructor(private readonly redis: Redis) {
    for (const [name, lua] of Object.entries(SCRIPTS)) redis.defineCommand(name, { lua });
    this.perProduct = isCluster(redis);
  }

  /** Cluster: check each shard's history before selling on it, and WAIT up to `waitMs` for a replica after. */
  guardWith(guard: NonNullable<StockLedger['guard']>, waitMs: number): void {
    this.guard = guard;
    this.waitMs = waitMs;
  }

  /**
   * Makes these hashes 'missing' (I5), rebuilt from the truth by a reserve or the sweeper before
   * they sell again, but not within `quarantineMs` (Redis time; stock-hash.ts `recoverAfter`).
   */
  async markLost(productIds: readonly string[], quarantineMs: number): Promise<void> {
    await Promise.all(productIds.map((id) => this.script('stockMarkLost')(1, stockKey(id), quarantineMs)));
  }

  private script(name: ScriptName): Script {
    return (this.redis as unknown as Record<ScriptName, Script>)[name].bind(this.redis);
  }

  // ------------------------------------------------------------ product subgraph

  /** Writes one hash (see SYNC_STOCK_LUA for the modes). */
  async sync(productId: string, mode: SyncMode, amount: number, listing: Listing): Promise<StockSync> {
    return decodeSync(await this.script('stockSync')(1, stockKey(productId), mode, amount, ...listingArgs(listing)));
  }

  /**
   * Many writes sent at once (ioredis writes them back to back: one round trip on a single Redis;
   * a cluster spreads them over the products' nodes, where a pipeline could not span slots).
   */
  async syncMany(entries: ReadonlyArray<{ productId: string; mode: SyncMode; amount: number; listing: Listing }>): Promise<StockSync[]> {
    return Promise.all(entries.map((e) => this.sync(e.productId, e.mode, e.amount, e.listing)));
  }

  async read(productId: string): Promise<StockHash | null> {
    return parseStockHash(await this.redis.hgetall(stockKey(productId)));
  }

  /** `available` of each product, one round trip for all; null where the hash is missing. */
  async availableOf(productIds: readonly string[]): Promise<Array<number | null>> {
    const values = await Promise.all(productIds.map((id) => this.redis.hget(stockKey(id), 'available')));
    return values.map((value) => (value == null ? null : Math.max(0, Number(value))));
  }

  // ------------------------------------------------------------ cart subgraph

  /** Listings of any number of products in one round trip; products without a hash are absent. */
  async listings(productIds: readonly string[]): Promise<Map<string, ListingView>> {
    const found = new Map<string, ListingView>();
    const values = await Promise.all(productIds.map((id) => this.redis.hmget(stockKey(id), 'price', 'currency', 'active')));
    values.forEach(([price, currency, active], i) => {
      if (price === null && currency === null && active === null) return;
      const amount = price === null ? NaN : Number(price);
      found.set(productIds[i], { price: Number.isSafeInteger(amount) && amount >= 0 ? amount : null, currency: currency || null, active: active === '1' });
    });
    return found;
  }

  // ------------------------------------------------------------ order subgraph

  /**
   * Takes every line's units for `buyer` under reservation `reservationId`, or none of them. With
   * an idempotency key, a key that placed (or is placing) an order answers `replay` instead (I6).
   * Prices come back in the order of `lines`. On a cluster, one script call per product in
   * product-id order; a refusal gives back the parts already taken (stock-scripts.lua.ts).
   */
  async reserve(input: {
    reservationId: string;
    buyer: string;
    lines: readonly StockLine[];
    holdMs: number;
    idempotencyKey?: string;
    /** A waiting-room ticket of this buyer (signature checked by the caller): its product and the order window. */
    ticket?: { productId: string; windowMs: number };
  }): Promise<ReserveOutcome> {
    const { reservationId, buyer, holdMs } = input;
    const sorted = [...input.lines].sort((a, b) => (a.productId < b.productId ? -1 : 1));
    // The sweeper finds held parts through `reservations:products`. A single Redis adds to it in the
    // reserve script itself (a refusal writes nothing); a cluster must register beforehand, since
    // no script on a product's slot can reach that key.
    if (this.perProduct) await this.register(sorted.map((l) => l.productId));
    const registry = this.registryKeys();
    const key = input.idempotencyKey ?? '';
    const call = async (lines: StockLine[], idemKey: string) => {
      // The ticket's line keys go with the call that reserves its product (its slot).
      const ticket = input.ticket && lines.some((l) => l.productId === input.ticket!.productId) ? input.ticket : undefined;
      const ticketKeys = ticket ? [lineKeys.line(ticket.productId), lineKeys.numbers(ticket.productId), lineKeys.used(ticket.productId), lineKeys.served(ticket.productId)] : [];
      const keys = [reservationKeys.idempotency(lines[0].productId, buyer, idemKey), ...lines.flatMap((l) => partKeys(l.productId)), ...ticketKeys, ...registry];
      const guard = this.guard;
      const args = [reservationId, buyer, holdMs, idemKey, IDEMPOTENCY_TTL_SECONDS, guard ? '1' : '', ticket?.productId ?? '', ticket?.windowMs ?? 0, ...lines.flatMap((l) => [l.productId, l.quantity])];
      if (guard) await Promise.all(lines.map((l) => guard.ready(stockKey(l.productId))));
      const reply = JSON.parse(await this.script('stockReserve')(keys.length, ...keys, ...args)) as ReserveReply | { status: 'stale'; productIds: string[] };
      if (reply.status === 'stale') {
        // G5: sold nothing; those hashes are rebuilt from the truth like missing ones (I5).
        await guard?.stale(reply.productIds.map(stockKey), reply.productIds);
        return { status: 'missing', productIds: reply.productIds } as ReserveReply;
      }
      if (guard && this.waitMs > 0 && reply.status === 'reserved' && (await guard.waitForReplica(stockKey(lines[0].productId), this.waitMs).catch(() => 0)) < 1) this.unreplicated++;
      return reply;
    };
    let reply: ReserveReply;
    const replies: Array<{ price: string; currency: string }> = [];
    if (!this.perProduct || sorted.length === 1) {
      reply = await call(sorted, key);
      if (reply.status === 'reserved') replies.push(...reply.lines);
    } else {
      reply = { status: 'exists' };
      for (const [i, line] of sorted.entries()) {
        reply = await call([line], i === 0 ? key : '').catch(async (err: Error) => {
          // Unknown whether this product's part was taken: give back what may be held, then fail.
          await this.giveBackParts(reservationId, sorted.slice(0, i + 1));
          throw err;
        });
        if (reply.status !== 'reserved') {
          await this.giveBackParts(reservationId, sorted.slice(0, i));
          break;
        }
        replies.push(...reply.lines);
      }
    }
    switch (reply.status) {
      case 'reserved': {
        const priceOf = new Map(sorted.map((l, i) => [l.productId, replies[i]]));
        return {
          status: 'reserved',
          at: new Date(reply.at),
          prices: input.lines.map((l) => ({ unitPrice: Number(priceOf.get(l.productId)!.price), currency: String(priceOf.get(l.productId)!.currency) })),
        };
      }
      case 'rejected': {
        // In the order of the buyer's lines (the script saw them sorted by product id).
        const lineOf = (r: Rejection) => input.lines.findIndex((l) => l.productId === r.productId);
        const rejections = reply.rejections.map((r) => ({ code: r.code, productId: r.productId, detail: String(r.detail) }));
        return { status: 'rejected', rejections: rejections.sort((a, b) => lineOf(a) - lineOf(b)) };
      }
      default:
        return reply;
    }
  }

  /** The compensation of a per-product reserve: the parts taken so far come back, the key is forgotten. */
  private async giveBackParts(reservationId: string, lines: readonly StockLine[]): Promise<void> {
    for (const line of lines) {
      const part = await this.part(reservationId, line.productId);
      if (part) await this.giveBack(part, reservationId, true);
    }
  }

  /** Adds products to `reservations:products` the first time this process reserves them. */
  async register(productIds: readonly string[]): Promise<void> {
    const fresh = productIds.filter((id) => !this.registered.has(id));
    if (!fresh.length) return;
    await this.redis.sadd(reservationKeys.products, ...fresh);
    for (const id of fresh) this.registered.add(id);
  }

  /** Writes every product this process knows into `reservations:products` again (after a shard lost it). */
  async reregister(): Promise<void> {
    if (this.registered.size) await this.redis.sadd(reservationKeys.products, ...this.registered);
  }

  /** Products whose due sets the sweeper walks. */
  async registeredProducts(): Promise<string[]> {
    return this.redis.smembers(reservationKeys.products);
  }

  /** Reservation `reservationId`'s part holding `productId`, or null. */
  async part(reservationId: string, productId: string): Promise<ReservationPart | null> {
    const raw = await this.redis.hget(reservationKeys.reservations(productId), reservationId);
    return raw === null ? null : { productId, raw, record: JSON.parse(raw) as ReservationRecord };
  }

  /** Every part holding `productId`, by reservation id. */
  async parts(productId: string): Promise<Map<string, ReservationPart>> {
    const all = await this.redis.hgetall(reservationKeys.reservations(productId));
    return new Map(Object.entries(all).map(([id, raw]) => [id, { productId, raw, record: JSON.parse(raw) as ReservationRecord }]));
  }

  /**
   * Gives a part's units back if it is still exactly as read (I2); `forget` also frees the
   * idempotency key it carries (only for a reservation that never became an order). True when units moved.
   */
  async giveBack(part: ReservationPart, reservationId: string, forget: boolean): Promise<boolean> {
    const { productId, raw, record } = part;
    const [quantity] = record.lines.filter(([p]) => p === productId).map(([, q]) => q);
    const keys = [
      reservationKeys.reservations(productId),
      reservationKeys.reservationsDue(productId),
      reservationKeys.idempotency(productId, record.buyer, record.idempotencyKey ?? ''),
      stockKey(productId),
      reservationKeys.bought(productId),
      lineKeys.used(productId),
      ...this.registryKeys(),
    ];
    const reply = JSON.parse(await this.script('stockGiveBack')(keys.length, ...keys, reservationId, raw, record.buyer, forget ? '1' : '0', quantity ?? 0, productId)) as { given: boolean };
    return reply.given;
  }

  /** A paid order's part goes; its units stay sold. */
  async settle(reservationId: string, productId: string): Promise<void> {
    const keys = [reservationKeys.reservations(productId), reservationKeys.reservationsDue(productId), ...this.registryKeys()];
    await this.script('stockSettle')(keys.length, ...keys, reservationId, productId);
  }

  /** `reservations:products` for the scripts that keep it, on a single Redis; a cluster's scripts cannot reach it. */
  private registryKeys(): string[] {
    return this.perProduct ? [] : [reservationKeys.products];
  }

  /** Units of a paid order come back (canceled, returned), one product at a time: `available` up, the buyer's count down. */
  async restock(buyer: string, lines: readonly StockLine[]): Promise<void> {
    for (const { productId, quantity } of lines) {
      const keys = [reservationKeys.reservations(productId), reservationKeys.reservationsDue(productId), reservationKeys.idempotency(productId, buyer, ''), stockKey(productId), reservationKeys.bought(productId), lineKeys.used(productId)];
      await this.script('stockGiveBack')(keys.length, ...keys, '', '', buyer, '0', quantity);
    }
  }

  /** Writes a lost stock hash (and the order-owned state beside it) unless it reappeared meanwhile. */
  async rebuild(input: RebuildInput): Promise<boolean> {
    await this.register([input.productId]);
    const keys = partKeys(input.productId);
    // A failover after the caller's quarantine check makes the script refuse (stale).
    const args: Array<string | number> = [input.history ?? '', input.available, ...listingArgs(input.listing), input.bought.size];
    for (const [buyer, units] of input.bought) args.push(buyer, units);
    for (const { id, record } of input.records) args.push(id, JSON.stringify(record), record.deadline);
    const reply = JSON.parse(await this.script('stockRebuild')(keys.length, ...keys, ...args)) as { written: boolean; stale?: boolean };
    if (reply.stale) {
      await this.guard?.stale([stockKey(input.productId)], [input.productId]);
      throw unavailable('Stock is being recovered; please retry in a moment');
    }
    return reply.written;
  }
}

function decodeSync(raw: string): StockSync {
  const reply = JSON.parse(raw) as { status: StockSync['status']; available: number };
  return reply.status === 'missing' ? { status: 'missing' } : { status: reply.status, available: Number(reply.available) };
}
