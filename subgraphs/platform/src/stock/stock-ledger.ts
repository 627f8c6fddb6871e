/**
 * StockLedger: the one typed way to read and move product stock in Redis. It builds each script's
 * KEYS/ARGV and decodes its JSON reply (stock-scripts.lua.ts holds the rules and invariants); the
 * product subgraph writes hashes through it, the order subgraph reserves and gives back through
 * it, the cart reads listings through it.
 */
import type Redis from 'ioredis';
import { GIVE_BACK_LUA, REBUILD_LUA, RESERVE_LUA, SYNC_STOCK_LUA } from './stock-scripts.lua';
import { Listing, ListingView, StockHash, listingArgs, parseStockHash, stockKey } from './stock-hash';

/** Keys the order subgraph owns beside each stock hash, moved by the same scripts. */
export const reservationKeys = {
  /** Units of product p each buyer holds in reservations and live orders (the per-customer limit). */
  bought: (productId: string) => `bought:{${productId}}`,
  reservations: 'reservations',
  reservationsDue: 'reservations:due',
  /** The order a buyer's idempotency key placed (or is placing). */
  idempotency: (buyer: string, key: string) => `order:idem:${buyer}:${key}`,
} as const;

export interface StockLine {
  productId: string;
  quantity: number;
}

export type RejectionCode = 'NOT_FOR_SALE' | 'SALE_NOT_OPEN' | 'SALE_CLOSED' | 'LIMIT_EXCEEDED' | 'SOLD_OUT';
export interface Rejection {
  code: RejectionCode;
  productId: string;
  /** SOLD_OUT: units left; LIMIT_EXCEEDED: the limit; SALE_NOT_OPEN / SALE_CLOSED: epoch ms. */
  detail: string;
}

export type ReserveOutcome =
  | { status: 'reserved'; at: Date; prices: Array<{ unitPrice: number; currency: string }> }
  | { status: 'replay'; orderId: string }
  | { status: 'missing'; productIds: string[] }
  | { status: 'rejected'; rejections: Rejection[] }
  | { status: 'exists' };

/** The record a reservation leaves in `reservations` (JSON, as the reserve script writes it). */
export interface ReservationRecord {
  /** buyer id */
  u: string;
  /** deadline, epoch ms (Redis time) */
  d: number;
  /** lines: [productId, quantity] */
  l: Array<[string, number]>;
  /** the idempotency key that placed it, when there was one */
  k?: string;
}

export type StockSync = { status: 'applied'; available: number } | { status: 'missing' } | { status: 'refused'; available: number };
export type SyncMode = 'set' | 'delta' | 'listing';

export interface RebuildInput {
  productId: string;
  available: number;
  listing: Listing;
  bought: ReadonlyMap<string, number>;
  records: ReadonlyArray<{ id: string; record: ReservationRecord }>;
}

/** How long a buyer's idempotency key remembers its order in Redis (the database's unique index is the backstop after). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

type Script = (...args: Array<string | number>) => Promise<string>;
type ScriptName = 'stockSync' | 'stockReserve' | 'stockGiveBack' | 'stockRebuild';
const SCRIPTS: Record<ScriptName, string> = { stockSync: SYNC_STOCK_LUA, stockReserve: RESERVE_LUA, stockGiveBack: GIVE_BACK_LUA, stockRebuild: REBUILD_LUA };

const lineKeys = (lines: ReadonlyArray<{ productId: string }>) => lines.flatMap((l) => [stockKey(l.productId), reservationKeys.bought(l.productId)]);

export class StockLedger {
  constructor(private readonly redis: Redis) {
    for (const [name, lua] of Object.entries(SCRIPTS)) redis.defineCommand(name, { lua });
  }

  private script(name: ScriptName): Script {
    return (this.redis as unknown as Record<ScriptName, Script>)[name].bind(this.redis);
  }

  // ------------------------------------------------------------ product subgraph

  /** Writes one hash (see SYNC_STOCK_LUA for the modes). */
  async sync(productId: string, mode: SyncMode, amount: number, listing: Listing): Promise<StockSync> {
    return decodeSync(await this.script('stockSync')(1, stockKey(productId), mode, amount, ...listingArgs(listing)));
  }

  /** Many writes in one round trip. */
  async syncMany(entries: ReadonlyArray<{ productId: string; mode: SyncMode; amount: number; listing: Listing }>): Promise<StockSync[]> {
    if (!entries.length) return [];
    const pipeline = this.redis.pipeline() as unknown as Record<'stockSync', (...a: unknown[]) => void> & { exec(): Promise<Array<[Error | null, unknown]> | null> };
    for (const e of entries) pipeline.stockSync(1, stockKey(e.productId), e.mode, e.amount, ...listingArgs(e.listing));
    return ((await pipeline.exec()) ?? []).map(([err, reply]) => {
      if (err) throw err;
      return decodeSync(reply as string);
    });
  }

  async read(productId: string): Promise<StockHash | null> {
    return parseStockHash(await this.redis.hgetall(stockKey(productId)));
  }

  /** `available` of each product, one round trip for all; null where the hash is missing. */
  async availableOf(productIds: readonly string[]): Promise<Array<number | null>> {
    if (!productIds.length) return [];
    const pipeline = this.redis.pipeline();
    for (const id of productIds) pipeline.hget(stockKey(id), 'available');
    const results = (await pipeline.exec()) ?? [];
    return productIds.map((_, i) => {
      const [err, value] = results[i] ?? [new Error('no reply'), null];
      if (err) throw err;
      return value == null ? null : Math.max(0, Number(value));
    });
  }

  // ------------------------------------------------------------ cart subgraph

  /** Listings of any number of products in one round trip; products without a hash are absent. */
  async listings(productIds: readonly string[]): Promise<Map<string, ListingView>> {
    const found = new Map<string, ListingView>();
    if (!productIds.length) return found;
    const pipeline = this.redis.pipeline();
    for (const id of productIds) pipeline.hmget(stockKey(id), 'price', 'currency', 'active');
    ((await pipeline.exec()) ?? []).forEach(([err, value], i) => {
      if (err) throw err;
      const [price, currency, active] = value as Array<string | null>;
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
   */
  async reserve(input: { reservationId: string; buyer: string; lines: readonly StockLine[]; holdMs: number; idempotencyKey?: string }): Promise<ReserveOutcome> {
    const { reservationId, buyer, lines, holdMs } = input;
    const key = input.idempotencyKey ?? '';
    const keys = [reservationKeys.reservations, reservationKeys.reservationsDue, reservationKeys.idempotency(buyer, key), ...lineKeys(lines)];
    const args = [reservationId, buyer, holdMs, key, IDEMPOTENCY_TTL_SECONDS, ...lines.flatMap((l) => [l.productId, l.quantity])];
    const reply = JSON.parse(await this.script('stockReserve')(keys.length, ...keys, ...args)) as
      | { status: 'reserved'; at: number; lines: Array<{ price: string; currency: string }> }
      | { status: 'replay'; orderId: string }
      | { status: 'missing'; productIds: string[] }
      | { status: 'rejected'; rejections: Rejection[] }
      | { status: 'exists' };
    switch (reply.status) {
      case 'reserved':
        return { status: 'reserved', at: new Date(reply.at), prices: reply.lines.map((l) => ({ unitPrice: Number(l.price), currency: String(l.currency) })) };
      case 'rejected':
        return { status: 'rejected', rejections: reply.rejections.map((r) => ({ code: r.code, productId: r.productId, detail: String(r.detail) })) };
      default:
        return reply;
    }
  }

  /**
   * Gives a reservation's units back if its record is still exactly `raw` (I2); `forget` also
   * frees its idempotency key (only for a reservation that never became an order). Without a
   * reservation (`held` null), gives back units of a paid order. True when units moved.
   */
  async giveBack(input: { buyer: string; lines: readonly StockLine[]; held: { reservationId: string; raw: string; idempotencyKey?: string; forget: boolean } | null }): Promise<boolean> {
    const { buyer, lines, held } = input;
    // A key nobody can set (idempotency keys have 1+ characters) when there is none to forget.
    const marker = reservationKeys.idempotency(buyer, held?.idempotencyKey ?? '');
    const keys = [reservationKeys.reservations, reservationKeys.reservationsDue, marker, ...lineKeys(lines)];
    const args = [held?.reservationId ?? '', held?.raw ?? '', buyer, held?.forget ? '1' : '0', ...lines.map((l) => l.quantity)];
    const reply = JSON.parse(await this.script('stockGiveBack')(keys.length, ...keys, ...args)) as { given: boolean };
    return reply.given;
  }

  /** Writes a lost stock hash (and the order-owned state beside it) unless it reappeared meanwhile. */
  async rebuild(input: RebuildInput): Promise<boolean> {
    const keys = [stockKey(input.productId), reservationKeys.bought(input.productId), reservationKeys.reservations, reservationKeys.reservationsDue];
    const args: Array<string | number> = [input.available, ...listingArgs(input.listing), input.bought.size];
    for (const [buyer, units] of input.bought) args.push(buyer, units);
    for (const { id, record } of input.records) args.push(id, JSON.stringify(record), record.d);
    const reply = JSON.parse(await this.script('stockRebuild')(keys.length, ...keys, ...args)) as { written: boolean };
    return reply.written;
  }
}

function decodeSync(raw: string): StockSync {
  const reply = JSON.parse(raw) as { status: StockSync['status']; available: number };
  return reply.status === 'missing' ? { status: 'missing' } : { status: reply.status, available: Number(reply.available) };
}
