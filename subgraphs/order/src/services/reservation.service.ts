/**
 * Typed access to the reservation scripts (reservation.lua.ts, where the invariants are written).
 * This file only builds KEYS/ARGV and reads replies; every rule lives in the scripts.
 */
import type Redis from 'ioredis';
import { redisKeys } from '@flashsale/platform';
import { GIVE_BACK_LUA, REBUILD_LUA, RESERVE_LUA } from './reservation.lua';

export const orderKeys = {
  /** Units of product p each buyer holds in reservations and live orders (the per-customer limit). */
  bought: (productId: string) => `bought:{${productId}}`,
  reservations: 'reservations',
  reservationsDue: 'reservations:due',
  /** placeOrder's fast path for replays: (buyer, idempotency key) -> order id. */
  idempotency: (userId: string, key: string) => `order:idem:${userId}:${key}`,
} as const;

export interface Line {
  productId: string;
  quantity: number;
}

export type RejectionCode = 'NOT_FOR_SALE' | 'SALE_NOT_OPEN' | 'SALE_CLOSED' | 'LIMIT_EXCEEDED' | 'SOLD_OUT';

export type ReserveOutcome =
  | { status: 'reserved'; at: Date; prices: Array<{ unitPrice: number; currency: string }> }
  | { status: 'missing'; productIds: string[] }
  | { status: 'rejected'; rejections: Array<{ code: RejectionCode; productId: string; detail: string }> }
  | { status: 'exists' };

/** The record a reservation leaves in `reservations` (JSON; field names kept short). */
export interface ReservationRecord {
  u: string;
  d: number;
  l: Array<[string, number]>;
}

/** What a rebuilt stock hash holds, and the order-owned state restored with it. */
export interface RebuildInput {
  productId: string;
  hash: { available: number; price: number; currency: string; opensAt: number; closesAt: number; maxPerCustomer: number; active: 0 | 1 };
  bought: Map<string, number>;
  records: Array<{ id: string; record: ReservationRecord }>;
}

type Script = (...args: Array<string | number>) => Promise<unknown>;

const lineKeys = (lines: ReadonlyArray<{ productId: string }>) => lines.flatMap((l) => [redisKeys.productStock(l.productId), orderKeys.bought(l.productId)]);

export class ReservationService {
  private readonly reserveScript: Script;
  private readonly giveBackScript: Script;
  private readonly rebuildScript: Script;

  constructor(private readonly redis: Redis) {
    redis.defineCommand('orderReserve', { lua: RESERVE_LUA });
    redis.defineCommand('orderGiveBack', { lua: GIVE_BACK_LUA });
    redis.defineCommand('orderRebuildStock', { lua: REBUILD_LUA });
    const r = redis as unknown as Record<string, Script>;
    this.reserveScript = r.orderReserve.bind(redis);
    this.giveBackScript = r.orderGiveBack.bind(redis);
    this.rebuildScript = r.orderRebuildStock.bind(redis);
  }

  /** Takes every line's units for `buyer` under reservation `id`, or none of them. */
  async reserve(id: string, buyer: string, lines: readonly Line[], holdMs: number): Promise<ReserveOutcome> {
    const keys = [orderKeys.reservations, orderKeys.reservationsDue, ...lineKeys(lines)];
    const args = [id, buyer, holdMs, ...lines.flatMap((l) => [l.productId, l.quantity])];
    const reply = (await this.reserveScript(keys.length, ...keys, ...args)) as Array<string | number>;
    const [status, ...rest] = reply;
    if (status === 'OK') {
      const [at, ...pairs] = rest;
      const prices = lines.map((_, i) => ({ unitPrice: Number(pairs[2 * i]), currency: String(pairs[2 * i + 1]) }));
      return { status: 'reserved', at: new Date(Number(at)), prices };
    }
    if (status === 'MISSING') return { status: 'missing', productIds: rest.map(String) };
    if (status === 'EXISTS') return { status: 'exists' };
    const rejections = [];
    for (let i = 0; i + 2 < rest.length; i += 3) {
      rejections.push({ code: String(rest[i]) as RejectionCode, productId: String(rest[i + 1]), detail: String(rest[i + 2]) });
    }
    return { status: 'rejected', rejections };
  }

  async record(id: string): Promise<{ raw: string; record: ReservationRecord } | null> {
    const raw = await this.redis.hget(orderKeys.reservations, id);
    return raw === null ? null : { raw, record: JSON.parse(raw) as ReservationRecord };
  }

  async allRecords(): Promise<Map<string, ReservationRecord>> {
    const all = await this.redis.hgetall(orderKeys.reservations);
    return new Map(Object.entries(all).map(([id, raw]) => [id, JSON.parse(raw) as ReservationRecord]));
  }

  /**
   * Gives a reservation's units back (the order failed, expired, or was never committed).
   * Idempotent: returns false when the reservation was already released or settled.
   */
  async release(id: string): Promise<boolean> {
    const found = await this.record(id);
    if (!found) return false;
    const lines = found.record.l.map(([productId, quantity]) => ({ productId, quantity }));
    const keys = [orderKeys.reservations, orderKeys.reservationsDue, ...lineKeys(lines)];
    const done = await this.giveBackScript(keys.length, ...keys, id, found.raw, found.record.u, ...lines.map((l) => l.quantity));
    return Number(done) === 1;
  }

  /** The order was paid: its units stay sold, so only the record goes (nothing is given back). */
  async settle(id: string): Promise<void> {
    await this.redis.multi().hdel(orderKeys.reservations, id).zrem(orderKeys.reservationsDue, id).exec();
  }

  /** Units of a paid order come back (canceled, returned): `available` up, the buyer's count down. */
  async restock(buyer: string, lines: readonly Line[]): Promise<void> {
    const keys = [orderKeys.reservations, orderKeys.reservationsDue, ...lineKeys(lines)];
    await this.giveBackScript(keys.length, ...keys, '', '', buyer, ...lines.map((l) => l.quantity));
  }

  /** Reservation ids whose deadline (Redis time, ms) is at or before `beforeMs`. */
  overdue(beforeMs: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(orderKeys.reservationsDue, '-inf', beforeMs, 'LIMIT', 0, limit);
  }

  /** Writes a lost stock hash (and the order-owned state beside it) unless it reappeared meanwhile. */
  async rebuild(input: RebuildInput): Promise<boolean> {
    const { hash } = input;
    const keys = [redisKeys.productStock(input.productId), orderKeys.bought(input.productId), orderKeys.reservations, orderKeys.reservationsDue];
    const args: Array<string | number> = [hash.available, hash.price, hash.currency, hash.opensAt, hash.closesAt, hash.maxPerCustomer, hash.active, input.bought.size];
    for (const [buyer, units] of input.bought) args.push(buyer, units);
    for (const { id, record } of input.records) args.push(id, JSON.stringify(record), record.d);
    return Number(await this.rebuildScript(keys.length, ...keys, ...args)) === 1;
  }

  async rememberIdempotency(userId: string, key: string, orderId: string): Promise<void> {
    await this.redis.set(orderKeys.idempotency(userId, key), orderId, 'EX', 24 * 3600);
  }

  recallIdempotency(userId: string, key: string): Promise<string | null> {
    return this.redis.get(orderKeys.idempotency(userId, key));
  }
}
