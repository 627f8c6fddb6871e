/**
 * The order subgraph's view of reservations: typed calls into the platform StockLedger (whose
 * scripts, in platform stock/stock-scripts.lua.ts, hold the rules and invariants I1–I6) plus the
 * plain reads and writes of the reservation records this subgraph owns.
 */
import type Redis from 'ioredis';
import { RebuildInput as LedgerRebuildInput, ReservationRecord, ReserveOutcome, StockHash, StockLedger, StockLine, reservationKeys } from '@flashsale/platform';

export type { ReservationRecord, ReserveOutcome, RejectionCode } from '@flashsale/platform';

/** Redis keys of reservations (owned here, moved by the stock scripts). */
export const orderKeys = reservationKeys;

export type Line = StockLine;

/** Compare-and-delete: KEYS[1] only if it still holds ARGV[1]. */
const FORGET_IDEMPOTENCY_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** What a rebuilt stock hash holds, and the order-owned state restored with it. */
export interface RebuildInput {
  productId: string;
  hash: StockHash;
  bought: LedgerRebuildInput['bought'];
  records: LedgerRebuildInput['records'];
}

export class ReservationService {
  readonly ledger: StockLedger;

  constructor(private readonly redis: Redis) {
    this.ledger = new StockLedger(redis);
    redis.defineCommand('orderForgetIdempotency', { numberOfKeys: 1, lua: FORGET_IDEMPOTENCY_LUA });
  }

  /** Frees a buyer's idempotency key if it still names `orderId` (an attempt that never became an order). */
  async forgetIdempotency(buyer: string, key: string, orderId: string): Promise<void> {
    await (this.redis as unknown as Record<'orderForgetIdempotency', (k: string, v: string) => Promise<number>>).orderForgetIdempotency(orderKeys.idempotency(buyer, key), orderId);
  }

  /**
   * Takes every line's units for `buyer` under reservation `id`, or none of them. With an
   * idempotency key, a key already used answers `replay` with its order id and takes nothing.
   */
  reserve(id: string, buyer: string, lines: readonly Line[], holdMs: number, idempotencyKey?: string): Promise<ReserveOutcome> {
    return this.ledger.reserve({ reservationId: id, buyer, lines, holdMs, idempotencyKey });
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
   * `neverPlaced`: no order exists for it, so its idempotency key may place an order again.
   */
  async release(id: string, opts: { neverPlaced?: boolean } = {}): Promise<boolean> {
    const found = await this.record(id);
    if (!found) return false;
    const { record, raw } = found;
    return this.ledger.giveBack({
      buyer: record.u,
      lines: record.l.map(([productId, quantity]) => ({ productId, quantity })),
      held: { reservationId: id, raw, idempotencyKey: record.k, forget: !!opts.neverPlaced },
    });
  }

  /** The order was paid: its units stay sold, so only the record goes (nothing is given back). */
  async settle(id: string): Promise<void> {
    await this.redis.multi().hdel(orderKeys.reservations, id).zrem(orderKeys.reservationsDue, id).exec();
  }

  /** Units of a paid order come back (canceled, returned): `available` up, the buyer's count down. */
  async restock(buyer: string, lines: readonly Line[]): Promise<void> {
    await this.ledger.giveBack({ buyer, lines, held: null });
  }

  /** Reservation ids whose deadline (Redis time, ms) is at or before `beforeMs`. */
  overdue(beforeMs: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(orderKeys.reservationsDue, '-inf', beforeMs, 'LIMIT', 0, limit);
  }

  /** Writes a lost stock hash (and the order-owned state beside it) unless it reappeared meanwhile. */
  rebuild(input: RebuildInput): Promise<boolean> {
    const { available, ...listing } = input.hash;
    return this.ledger.rebuild({ productId: input.productId, available, listing, bought: input.bought, records: input.records });
  }
}
