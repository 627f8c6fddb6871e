/**
 * The audit after a flash sale: what the buyers were told, what MySQL recorded, what Redis holds.
 * Three numbers must be zero, whatever the clock said:
 *   oversold           units in PENDING_PAYMENT orders beyond the stock put on sale
 *   unsoldWhileDemand  units left unsold although some buyer was turned away (by default: sold out
 *                      or error; the open model counts only buyers refused for stock, see open.ts)
 *   disagreements      records that disagree: an order in MySQL without its Redis reservation or
 *                      the reverse, an order a buyer was given that MySQL does not have, and any
 *                      difference between stock − `available` (Redis), the per-buyer counts
 *                      (Redis `bought:{p}`) and the units of the orders in MySQL, and every buyer
 *                      with more than one order of the product (a double purchase: each buyer
 *                      of the bench places one order, retried only with the same idempotency key)
 */
import { createConnection } from 'mysql2/promise';
import type Redis from 'ioredis';
import { Config, databaseName, redisKeys } from '@flashsale/platform';
import { orderKeys, ReservationRecord } from '../subgraphs/order/src/services/reservation.service';
import type { Outcome } from './load';

export interface Audit {
  stock: number;
  /** Units of this product in PENDING_PAYMENT orders in MySQL. */
  soldUnits: number;
  ordersInDb: number;
  /** Orders of this product in any other status (none expected: nobody pays or cancels). */
  otherStatusOrders: number;
  available: number | null;
  boughtUnits: number;
  reservationRecords: number;
  answeredOrders: number;
  soldOutAnswers: number;
  otherAnswers: number;
  oversold: number;
  unsoldWhileDemand: number;
  disagreements: number;
  detail: {
    redisHeldMinusDbUnits: number;
    boughtMinusDbUnits: number;
    dbOrdersWithoutReservation: number;
    reservationsWithoutDbOrder: number;
    answeredButNotInDb: number;
    /** Committed although the buyer got no order back (e.g. a timed-out request); not an error by itself. */
    inDbButNotAnswered: number;
    /** Buyers with more than one order of this product in MySQL (each buyer places one). */
    buyersWithSeveralOrders: number;
  };
}

export interface AuditOptions {
  /**
   * Which outcomes turned a buyer away "for stock" (units left unsold while such a buyer exists
   * fail the audit). Default: every outcome but ORDER (the closed loop's rule).
   */
  refusedForStock?: (o: Outcome) => boolean;
}

export async function auditSale(config: Config, redis: Redis, productId: string, stock: number, outcomes: readonly Outcome[], opts: AuditOptions = {}): Promise<Audit> {
  const conn = await createConnection({ uri: config.MYSQL_URL, database: databaseName(config, 'order') });
  let rows: Array<{ id: string; user: string; status: string; quantity: number }>;
  try {
    [rows] = (await conn.query('select o.id, o.user_id as user, o.status, oi.quantity from `order` o join order_item oi on oi.order_id = o.id where oi.product_id = ?', [
      productId,
    ])) as unknown as [Array<{ id: string; user: string; status: string; quantity: number }>];
  } finally {
    await conn.end();
  }
  const pending = rows.filter((r) => r.status === 'PENDING_PAYMENT');
  const soldUnits = pending.reduce((s, r) => s + Number(r.quantity), 0);
  const dbIds = new Set(pending.map((r) => r.id));

  const [availableRaw, bought, records] = await Promise.all([
    redis.hget(redisKeys.productStock(productId), 'available'),
    redis.hgetall(orderKeys.bought(productId)),
    redis.hgetall(orderKeys.reservations(productId)),
  ]);
  const available = availableRaw === null ? null : Number(availableRaw);
  const boughtUnits = Object.values(bought).reduce((s, v) => s + Number(v), 0);
  const recordIds = new Set(
    Object.entries(records)
      .filter(([, raw]) => (JSON.parse(raw) as ReservationRecord).lines.some(([p]) => p === productId))
      .map(([id]) => id),
  );

  const answered = outcomes.filter((o) => o.kind === 'ORDER');
  const answeredIds = new Set(answered.map((o) => o.orderId!));
  const soldOutAnswers = outcomes.filter((o) => o.kind === 'SOLD_OUT').length;
  const otherAnswers = outcomes.length - answered.length - soldOutAnswers;

  const count = <T>(xs: Iterable<T>, pred: (x: T) => boolean) => [...xs].filter(pred).length;
  const ordersPerBuyer = new Map<string, Set<string>>();
  for (const r of rows) ordersPerBuyer.set(r.user, (ordersPerBuyer.get(r.user) ?? new Set()).add(r.id));
  const detail = {
    redisHeldMinusDbUnits: available === null ? stock - soldUnits : stock - available - soldUnits,
    boughtMinusDbUnits: boughtUnits - soldUnits,
    dbOrdersWithoutReservation: count(dbIds, (id) => !recordIds.has(id)),
    reservationsWithoutDbOrder: count(recordIds, (id) => !dbIds.has(id)),
    answeredButNotInDb: count(answeredIds, (id) => !dbIds.has(id)),
    inDbButNotAnswered: count(dbIds, (id) => !answeredIds.has(id)),
    buyersWithSeveralOrders: count(ordersPerBuyer.values(), (ids) => ids.size > 1),
  };
  const disagreements =
    (available === null ? 1 : 0) +
    Math.abs(detail.redisHeldMinusDbUnits) +
    Math.abs(detail.boughtMinusDbUnits) +
    detail.dbOrdersWithoutReservation +
    detail.reservationsWithoutDbOrder +
    detail.answeredButNotInDb +
    detail.buyersWithSeveralOrders;

  const turnedAway = opts.refusedForStock ? outcomes.filter(opts.refusedForStock).length : soldOutAnswers + otherAnswers;
  return {
    stock,
    soldUnits,
    ordersInDb: dbIds.size,
    otherStatusOrders: rows.length - pending.length,
    available,
    boughtUnits,
    reservationRecords: recordIds.size,
    answeredOrders: answered.length,
    soldOutAnswers,
    otherAnswers,
    oversold: Math.max(0, soldUnits - stock),
    unsoldWhileDemand: turnedAway > 0 ? Math.max(0, stock - soldUnits) : 0,
    disagreements,
    detail,
  };
}

export const auditFailed = (a: Audit) => a.oversold !== 0 || a.unsoldWhileDemand !== 0 || a.disagreements !== 0;
