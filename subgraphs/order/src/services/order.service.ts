/**
 * Orders: placing one in a flash sale, paying, expiring, canceling and returning it. Every status
 * change goes through TRANSITIONS below. The Redis half (taking and giving back units) is the
 * platform StockLedger's scripts (platform stock/); the midnight job and the sweeper call `advance`.
 *
 * placeOrder is its own module (placement/place-order.ts: validate -> reserve, guarded by the
 * idempotency key, in one Lua script -> commit order + items + order.placed outbox row in a unit
 * of work shared with concurrent orders -> wake the relay), with each step's undo beside it.
 *
 * Invariants
 *   O1 Redis takes units before the database records them and gets them back only after the
 *      database has committed the status that frees them. A crash in between can only hold units
 *      too long (the sweeper returns them); it can never sell a unit twice. A failed commit gives
 *      its units back before placeOrder answers. A failed COMMIT statement is read back first
 *      (the connection may have died after the server committed): found, the order stands;
 *      unreadable, the units stay held and the sweeper decides once the database answers.
 *   O2 Every status change is a row in TRANSITIONS and a compare-and-set on the order's version
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
import { OptimisticLockError } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/mysql';
import { Config, Identity, Logger, UUID_PATTERN, badInput, connectionFrom, decodeCursor, encodeCursor, enqueueEvent, eventStreams, notFound, pageSize, unavailable } from '@flashsale/platform';
import { Order, OrderStatus } from '../entities/order.entity';
import { OrderConnection, OrderError, OrderErrorCode, OrderOutcome, PaymentInput, PlaceOrderInput } from '../entities/order.types';
import type { Clock } from './clock';
import { HeldLock, LockBusyError, Locks } from './locks';
import type { PaymentProvider } from './payment';
import type { ReservationService } from './reservation.service';
import type { OrderPlacement } from './placement/place-order';

/** The keyset cursor of an order in its buyer's list (newest first): creation time, then id. */
export const orderCursor = (o: Order): string => encodeCursor([o.createdAt.getTime(), o.id]);

// ---------------------------------------------------------------- the transition table (O2)

export type OrderAction = 'pay' | 'decline' | 'expire' | 'cancel' | 'ship' | 'deliver' | 'requestReturn' | 'completeReturn';

interface Transition {
  from: OrderStatus;
  to: OrderStatus;
  /** The timestamp this change sets (besides statusChangedAt). */
  stamp?: 'paidAt' | 'deliveredAt' | 'returnRequestedAt';
  /**
   * What happens to the units: `sold` (stock.sold events; the reservation record is settled),
   * `release` (unpaid units back to Redis), `restock` (paid units back: Redis and stock.returned).
   */
  units?: 'sold' | 'release' | 'restock';
}

export const TRANSITIONS: Readonly<Record<OrderAction, Transition>> = {
  pay: { from: OrderStatus.PENDING_PAYMENT, to: OrderStatus.PREPARING, stamp: 'paidAt', units: 'sold' },
  decline: { from: OrderStatus.PENDING_PAYMENT, to: OrderStatus.PAYMENT_FAILED, units: 'release' },
  expire: { from: OrderStatus.PENDING_PAYMENT, to: OrderStatus.EXPIRED, units: 'release' },
  cancel: { from: OrderStatus.PREPARING, to: OrderStatus.CANCELED, units: 'restock' },
  ship: { from: OrderStatus.PREPARING, to: OrderStatus.SHIPPING },
  deliver: { from: OrderStatus.SHIPPING, to: OrderStatus.DELIVERED, stamp: 'deliveredAt' },
  requestReturn: { from: OrderStatus.DELIVERED, to: OrderStatus.RETURN_REQUESTED, stamp: 'returnRequestedAt' },
  completeReturn: { from: OrderStatus.RETURN_REQUESTED, to: OrderStatus.RETURNED, units: 'restock' },
};

/** The order is not in the status the transition starts from. */
export class InvalidTransitionError extends Error {
  constructor(
    readonly status: OrderStatus,
    readonly action: OrderAction,
  ) {
    super(`cannot ${action} an order in ${status}`);
  }
}

/** Someone else changed the order since it was read (the version fence refused the update). */
export class StaleOrderError extends Error {}

export const RETURN_WINDOW_MS = 24 * 3600 * 1000;

// ---------------------------------------------------------------- input rules


function readCard(payment: PaymentInput | undefined): string {
  const card = String(payment?.cardNumber ?? '').replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(card)) throw badInput('cardNumber must be 12 to 19 digits', 'payment.cardNumber');
  return card;
}

const err = (code: OrderErrorCode, message: string, extra: Partial<OrderError> = {}): OrderError => ({ code, message, ...extra });

// ---------------------------------------------------------------- the service

export interface OrderServiceDeps {
  orm: MikroORM;
  config: Config;
  logger: Logger;
  clock: Clock;
  locks: Locks;
  reservations: ReservationService;
  placement: OrderPlacement;
  payments: PaymentProvider;
  /** Wakes the outbox relay after a commit that wrote events. */
  outbox: { kick(): void };
}

export class OrderService {
  constructor(private readonly d: OrderServiceDeps) {}

  // ------------------------------------------------------------ placeOrder

  placeOrder(buyer: string, input: PlaceOrderInput): Promise<OrderOutcome> {
    return this.d.placement.place(buyer, input);
  }

  // ------------------------------------------------------------ payment (O4)

  async payOrder(caller: Identity, orderId: string, payment: PaymentInput): Promise<OrderOutcome> {
    const card = readCard(payment);
    await this.owned(caller, orderId);
    const ttl = this.d.config.ORDER_LOCK_TTL_MS + this.d.config.PAYMENT_TIMEOUT_MS;
    return this.locked([`lock:order:${orderId}`], ttl, async () => {
      const em = this.d.orm.em.fork();
      const order = await this.load(em, orderId);
      if (order.status !== OrderStatus.PENDING_PAYMENT) return { order, userErrors: [payRefusal(order)] };
      if (this.d.clock.now() >= order.reservationExpiresAt) {
        await this.apply(em, order, 'expire', this.d.clock.now()).catch(swallowStale);
        return this.answer(order.id, payRefusal);
      }

      const charge = await this.charge(order, card);
      if (!charge.ok) {
        try {
          await this.apply(em, order, 'decline', this.d.clock.now());
        } catch (e) {
          if (e instanceof StaleOrderError) return this.answer(order.id, payRefusal);
          throw e;
        }
        return { order, userErrors: [err(OrderErrorCode.PAYMENT_DECLINED, charge.reason, { field: 'payment.cardNumber' })] };
      }
      try {
        order.paymentId = charge.chargeId;
        await this.apply(em, order, 'pay', this.d.clock.now());
      } catch (e) {
        // The money was taken but the order could not become paid (raced and lost, or the
        // database failed): give the money back before answering.
        await this.d.payments.refund(charge.chargeId);
        if (e instanceof StaleOrderError) return this.answer(order.id, payRefusal);
        throw e;
      }
      return { order, userErrors: [] };
    });
  }

  private async charge(order: Order, cardNumber: string) {
    const paymentKey = order.id;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<{ ok: false; reason: string }>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, reason: 'The payment timed out' }), this.d.config.PAYMENT_TIMEOUT_MS);
    });
    try {
      const result = await Promise.race([this.d.payments.charge({ paymentKey, amount: order.total, currency: order.currency, cardNumber }), timeout]);
      // A late success of a timed-out attempt must not take money for a failed order.
      if (!result.ok && result.reason === 'The payment timed out') await this.d.payments.void(paymentKey);
      return result;
    } finally {
      clearTimeout(timer);
    }
  }

  // ------------------------------------------------------------ cancel and return

  async cancelOrder(caller: Identity, orderId: string): Promise<OrderOutcome> {
    await this.owned(caller, orderId);
    return this.changeUnderLock(orderId, 'cancel', (order) =>
      order.status === OrderStatus.PREPARING ? null : err(OrderErrorCode.INVALID_STATE, `Only a PREPARING order can be canceled; this one is ${order.status}`),
    );
  }

  async requestReturn(caller: Identity, orderId: string): Promise<OrderOutcome> {
    await this.owned(caller, orderId);
    return this.changeUnderLock(orderId, 'requestReturn', (order, now) => {
      if (order.status !== OrderStatus.DELIVERED) return err(OrderErrorCode.INVALID_STATE, `Only a DELIVERED order can be returned; this one is ${order.status}`);
      if (now.getTime() >= order.deliveredAt!.getTime() + RETURN_WINDOW_MS) return err(OrderErrorCode.RETURN_WINDOW_CLOSED, 'Returns are accepted within 24 hours of delivery');
      return null;
    });
  }

  private changeUnderLock(orderId: string, action: OrderAction, refusal: (order: Order, now: Date) => OrderError | null): Promise<OrderOutcome> {
    return this.locked([`lock:order:${orderId}`], this.d.config.ORDER_LOCK_TTL_MS, async () => {
      const em = this.d.orm.em.fork();
      const order = await this.load(em, orderId);
      const now = this.d.clock.now();
      const refused = refusal(order, now);
      if (refused) return { order, userErrors: [refused] };
      try {
        await this.apply(em, order, action, now);
      } catch (e) {
        if (!(e instanceof StaleOrderError)) throw e;
        return this.answer(orderId, (o) => refusal(o, now) ?? err(OrderErrorCode.INVALID_STATE, `The order changed meanwhile; it is ${o.status}`));
      }
      return { order, userErrors: [] };
    });
  }

  // ------------------------------------------------------------ background transitions

  /**
   * Expires an unpaid order whose reservation ran out, unless someone holds its lock (a payment
   * in progress decides it instead). True when this call expired it.
   */
  async expireIfDue(orderId: string): Promise<boolean> {
    try {
      return await this.d.locks.using([`lock:order:${orderId}`], { ttlMs: this.d.config.ORDER_LOCK_TTL_MS, waitMs: 0 }, async () => {
        const em = this.d.orm.em.fork();
        const order = await em.findOne(Order, { id: orderId }, { populate: ['items'] });
        if (!order || order.status !== OrderStatus.PENDING_PAYMENT || order.reservationExpiresAt > this.d.clock.now()) return false;
        await this.apply(em, order, 'expire', this.d.clock.now());
        return true;
      });
    } catch (e) {
      if (e instanceof LockBusyError || e instanceof StaleOrderError) return false;
      throw e;
    }
  }

  /** Applies `action` at `at` if the order is still where the action starts (the daily job). */
  async advance(orderId: string, action: OrderAction, at: Date): Promise<boolean> {
    const em = this.d.orm.em.fork();
    const order = await em.findOne(Order, { id: orderId }, { populate: ['items'] });
    if (!order || order.status !== TRANSITIONS[action].from) return false;
    try {
      await this.apply(em, order, action, at);
      return true;
    } catch (e) {
      if (e instanceof StaleOrderError) return false;
      throw e;
    }
  }

  /** The one place a status changes (O1, O2, O6). `order.items` must be loaded. */
  private async apply(em: EntityManager, order: Order, action: OrderAction, at: Date): Promise<void> {
    const t = TRANSITIONS[action];
    if (order.status !== t.from) throw new InvalidTransitionError(order.status, action);
    order.status = t.to;
    order.statusChangedAt = at;
    if (t.stamp) order[t.stamp] = at;
    const lines = order.items.getItems().map((i) => ({ productId: i.productId, quantity: i.quantity }));
    if (t.units === 'sold' || t.units === 'restock') {
      for (const l of lines) {
        enqueueEvent(em, eventStreams.stock, { type: t.units === 'sold' ? 'stock.sold' : 'stock.returned', productId: l.productId, quantity: l.quantity, orderId: order.id });
      }
    }
    try {
      await em.flush();
    } catch (e) {
      if (e instanceof OptimisticLockError) throw new StaleOrderError(`order ${order.id} changed meanwhile`);
      throw e;
    }
    // Committed: now Redis may follow (O1). A failure here leaves units held, which the sweeper
    // (release/settle of overdue records) or reconcile puts right; it never oversells.
    try {
      if (t.units === 'sold') await this.d.reservations.settle(order.id);
      if (t.units === 'release') await this.d.reservations.release(order.id);
      if (t.units === 'restock') await this.d.reservations.restock(order.userId, lines);
    } catch (e) {
      this.d.logger.error({ err: e, orderId: order.id, action }, 'units not moved in Redis after the status change');
    }
    if (t.units === 'sold' || t.units === 'restock') this.d.outbox.kick();
  }

  // ------------------------------------------------------------ reads (O5)

  /** An order its owner or an ADMIN may read; anything else is NOT_FOUND. */
  async readable(em: EntityManager, caller: Identity, id: string): Promise<Order> {
    const order = UUID_PATTERN.test(id) ? await em.findOne(Order, { id }, { populate: ['items'] }) : null;
    if (!order || (order.userId !== caller.userId && !caller.roles.includes('ADMIN'))) throw notFound('Order not found');
    return order;
  }

  /** A buyer's orders, newest first, keyset-paginated by (createdAt, id). */
  async ordersOf(em: EntityManager, userId: string, first?: number | null, after?: string | null): Promise<OrderConnection> {
    const size = pageSize(first);
    const where: Record<string, unknown> = { userId };
    if (after) {
      const [ms, id] = decodeCursor(after, ['number', 'string']) as [number, string];
      const at = new Date(ms);
      where.$or = [{ createdAt: { $lt: at } }, { createdAt: at, id: { $lt: id } }];
    }
    const rows = await em.find(Order, where, { populate: ['items'], orderBy: { createdAt: 'desc', id: 'desc' }, limit: size + 1 });
    return connectionFrom(rows, size, orderCursor, !!after);
  }

  // ------------------------------------------------------------ helpers

  private async owned(caller: Identity, orderId: string): Promise<void> {
    const em = this.d.orm.em.fork();
    const order = UUID_PATTERN.test(orderId) ? await em.findOne(Order, { id: orderId }, { fields: ['id', 'userId'] }) : null;
    if (!order || order.userId !== caller.userId) throw notFound('Order not found');
  }

  private async load(em: EntityManager, id: string): Promise<Order> {
    const order = await em.findOne(Order, { id }, { populate: ['items'] });
    if (!order) throw notFound('Order not found');
    return order;
  }

  /** Re-reads the order after a lost race and answers with why the change did not happen. */
  private async answer(orderId: string, why: (order: Order) => OrderError | null): Promise<OrderOutcome> {
    const order = await this.load(this.d.orm.em.fork(), orderId);
    const refused = why(order);
    return { order, userErrors: refused ? [refused] : [] };
  }

  private async locked<T>(resources: string[], ttlMs: number, fn: (lock: HeldLock) => Promise<T>): Promise<T> {
    try {
      return await this.d.locks.using(resources, { ttlMs, waitMs: this.d.config.ORDER_LOCK_WAIT_MS }, fn);
    } catch (e) {
      if (e instanceof LockBusyError) throw unavailable('Too many requests for this right now; please retry');
      throw e;
    }
  }
}

/** Why an order cannot be paid. */
function payRefusal(order: Order): OrderError {
  if (order.paidAt) return err(OrderErrorCode.ALREADY_PAID, 'This order is paid already');
  if (order.status === OrderStatus.EXPIRED) return err(OrderErrorCode.ORDER_EXPIRED, 'The reservation expired before payment; nothing was charged');
  return err(OrderErrorCode.INVALID_STATE, `This order cannot be paid; it is ${order.status}`);
}

function swallowStale(e: unknown): void {
  if (!(e instanceof StaleOrderError)) throw e;
}
