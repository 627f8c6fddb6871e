/**
 * The order subgraph's view of reservations: typed calls into the platform StockLedger (whose
 * scripts, in platform stock/stock-scripts.lua.ts, hold the rules, invariants I1–I6 and the key
 * layout) plus the plain reads and writes of the reservation parts this subgraph owns. A
 * reservation has one part per product, in that product's slot; every call here that names a
 * reservation also names its products (the order's lines), so it reads only those slots.
 */
import type Redis from 'ioredis';
import { RebuildInput as LedgerRebuildInput, ReservationPart, ReserveOutcome, StockHash, StockLedger, StockLine, anchorOf, reservationKeys } from '@flashsale/platform';

export type { ReservationPart, ReservationRecord, ReserveOutcome, RejectionCode } from '@flashsale/platform';

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
  history?: LedgerRebuildInput['history'];
}

const productsOf = (lines: ReadonlyArray<{ productId: string }>) => [...new Set(lines.map((l) => l.productId))].sort();

export class ReservationService {
  readonly ledger: StockLedger;

  constructor(private readonly redis: Redis) {
    this.ledger = new StockLedger(redis);
    redis.defineCommand('orderForgetIdempotency', { numberOfKeys: 1, lua: FORGET_IDEMPOTENCY_LUA });
  }

  /** How many reservations hold units of each product (HLEN of its reservations hash; commands sent back to back, any slot). */
  heldOf(productIds: readonly string[]): Promise<number[]> {
    return Promise.all(productIds.map((p) => this.redis.hlen(orderKeys.reservations(p))));
  }

  /** Frees a buyer's idempotency key if it still names `orderId` (an attempt that never became an order). */
  async forgetIdempotency(buyer: string, key: string, orderId: string, lines: readonly Line[]): Promise<void> {
    await (this.redis as unknown as Record<'orderForgetIdempotency', (k: string, v: string) => Promise<number>>).orderForgetIdempotency(orderKeys.idempotency(anchorOf(lines), buyer, key), orderId);
  }

  /**
   * Takes every line's units for `buyer` under reservation `id`, or none of them. With an
   * idempotency key, a key already used answers `replay` with its order id and takes nothing.
   */
  reserve(id: string, buyer: string, lines: readonly Line[], holdMs: number, idempotencyKey?: string, ticket?: { productId: string; windowMs: number }): Promise<ReserveOutcome> {
    return this.ledger.reserve({ reservationId: id, buyer, lines, holdMs, idempotencyKey, ticket });
  }

  /** The parts of reservation `id` still held among `lines`' products (in product-id order). */
  async parts(id: string, lines: ReadonlyArray<{ productId: string }>): Promise<ReservationPart[]> {
    const found = await Promise.all(productsOf(lines).map((p) => this.ledger.part(id, p)));
    return found.filter((p): p is ReservationPart => p !== null);
  }

  /** Every reservation's parts, by reservation id, over every product that has had parts. */
  async allParts(): Promise<Map<string, ReservationPart[]>> {
    const all = new Map<string, ReservationPart[]>();
    const products = await this.ledger.registeredProducts();
    for (const byId of await Promise.all(products.map((p) => this.ledger.parts(p)))) {
      for (const [id, part] of byId) all.set(id, [...(all.get(id) ?? []), part]);
    }
    return all;
  }

  /**
   * Gives a reservation's units back (the order failed, expired, or was never committed).
   * Idempotent: returns false when every part was already released or settled.
   * `neverPlaced`: no order exists for it, so its idempotency key may place an order again.
   */
  async release(id: string, lines: ReadonlyArray<{ productId: string }>, opts: { neverPlaced?: boolean } = {}): Promise<boolean> {
    let given = false;
    for (const part of await this.parts(id, lines)) if (await this.ledger.giveBack(part, id, !!opts.neverPlaced)) given = true;
    return given;
  }

  /** Gives back one product's part (the sweeper finds parts one product at a time). */
  async releasePart(id: string, productId: string, opts: { neverPlaced?: boolean } = {}): Promise<boolean> {
    const part = await this.ledger.part(id, productId);
    return part ? this.ledger.giveBack(part, id, !!opts.neverPlaced) : false;
  }

  /** The order was paid: its units stay sold, so only the parts go (nothing is given back). */
  async settle(id: string, lines: ReadonlyArray<{ productId: string }>): Promise<void> {
    await Promise.all(productsOf(lines).map((p) => this.settlePart(id, p)));
  }

  settlePart(id: string, productId: string): Promise<void> {
    return this.ledger.settle(id, productId);
  }

  /** Units of a paid order come back (canceled, returned): `available` up, the buyer's count down. */
  restock(buyer: string, lines: readonly Line[]): Promise<void> {
    return this.ledger.restock(buyer, lines);
  }

  /** Parts whose deadline (Redis time, ms) is at or before `beforeMs`, walking every product's due set. */
  async overdue(beforeMs: number, limit: number): Promise<Array<{ id: string; productId: string }>> {
    await this.ledger.reregister();
    const found: Array<{ id: string; productId: string }> = [];
    for (const productId of await this.ledger.registeredProducts()) {
      if (found.length >= limit) break;
      const ids = await this.redis.zrangebyscore(orderKeys.reservationsDue(productId), '-inf', beforeMs, 'LIMIT', 0, limit - found.length);
      for (const id of ids) found.push({ id, productId });
    }
    return found;
  }

  /** Writes a lost stock hash (and the order-owned state beside it) unless it reappeared meanwhile. */
  rebuild(input: RebuildInput): Promise<boolean> {
    const { available, ...listing } = input.hash;
    return this.ledger.rebuild({ productId: input.productId, available, listing, bought: input.bought, records: input.records, history: input.history });
  }
}
