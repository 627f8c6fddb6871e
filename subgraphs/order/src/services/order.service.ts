/**
 * Orders: the façade the resolvers, the sweeper and the daily job call, over small services that
 * each do one job:
 *   placement/place-order.ts  placeOrder: validate -> reserve, guarded by the idempotency key, in
 *                             one Lua script -> commit order + items + order.placed outbox row in a
 *                             unit of work shared with concurrent orders -> wake the relay
 *   order-payments.ts         payOrder (O4), with the refund beside the charge
 *   order-changes.ts          cancel, return request, expiry, the daily job's moves
 *   order-reads.ts            one order, a buyer's orders (O5 via order-access.ts)
 *   ../lifecycle/             the state machine (every status change, its unit effects) and the
 *                             one `transition` that applies it behind the version fence (O2)
 * The Redis half (taking and giving back units) is the platform StockLedger's scripts.
 *
 * Invariants
 *   O1 Redis takes units before the database records them and gets them back only after the
 *      database has committed the status that frees them. A crash in between can only hold units
 *      too long (the sweeper returns them); it can never sell a unit twice. A failed commit gives
 *      its units back before placeOrder answers. A failed COMMIT statement is read back first
 *      (the connection may have died after the server committed): found, the order stands;
 *      unreadable, the units stay held and the sweeper decides once the database answers.
 *   O2 Every status change is a row in TRANSITIONS (lifecycle/order-state-machine.ts) and a compare-and-set on the order's version
 *      (MikroORM optimistic lock): of two racing changes (pay vs expire, cancel vs ship) exactly
 *      one commits; the other sees StaleOrderError and re-reads.
 *   O3 One order per (buyer, idempotency key): the reservation script records the key with the
 *      units it takes and answers a second request with the first one's order (I6); the unique
 *      index in MySQL is the backstop after Redis lost its data (a duplicate commit fails on the
 *      index and gives its units back).
 *   O4 Money moves only for a PENDING_PAYMENT order whose reservation has not expired, under the
 *      order's lock; if the paid status then cannot be committed, the charge is refunded.
 *   O5 A foreign order and an unknown one answer the same NOT_FOUND, so ids cannot be probed.
 *   O6 Paid units leave product.stock by a stock.sold event and come back by stock.returned (same
 *      unit of work as the status); unpaid reservations only ever touch Redis.
 */
import type { EntityManager } from '@mikro-orm/mysql';
import type { Identity } from '@flashsale/platform';
import type { Order } from '../entities/order.entity';
import type { OrderConnection, OrderOutcome, PaymentInput, PlaceOrderInput } from '../types/order.types';
import type { OrderAction } from '../lifecycle';
import type { OrderChanges } from './order-changes';
import type { OrderPayments } from './order-payments';
import type { OrderReads } from './order-reads';
import type { OrderPlacement } from './placement/place-order';

export interface OrderServiceParts {
  placement: OrderPlacement;
  payments: OrderPayments;
  changes: OrderChanges;
  reads: OrderReads;
}

export class OrderService {
  constructor(private readonly parts: OrderServiceParts) {}

  placeOrder(caller: Identity, input: PlaceOrderInput): Promise<OrderOutcome> {
    return this.parts.placement.place(caller.userId, input);
  }

  payOrder(caller: Identity, orderId: string, payment: PaymentInput): Promise<OrderOutcome> {
    return this.parts.payments.payOrder(caller, orderId, payment);
  }

  cancelOrder(caller: Identity, orderId: string): Promise<OrderOutcome> {
    return this.parts.changes.cancelOrder(caller, orderId);
  }

  requestReturn(caller: Identity, orderId: string): Promise<OrderOutcome> {
    return this.parts.changes.requestReturn(caller, orderId);
  }

  /** The sweeper: expires an unpaid order whose reservation ran out (false while a payment holds its lock). */
  expireIfDue(orderId: string): Promise<boolean> {
    return this.parts.changes.expireIfDue(orderId);
  }

  /** The daily job: applies `action` at `at` if the order is still where the action starts. */
  transitionIfStillDue(orderId: string, action: OrderAction, at: Date): Promise<boolean> {
    return this.parts.changes.transitionIfStillDue(orderId, action, at);
  }

  readable(em: EntityManager, caller: Identity, id: string): Promise<Order> {
    return this.parts.reads.readable(em, caller, id);
  }

  ordersOf(em: EntityManager, userId: string, first?: number | null, after?: string | null): Promise<OrderConnection> {
    return this.parts.reads.ordersOf(em, userId, first, after);
  }
}
