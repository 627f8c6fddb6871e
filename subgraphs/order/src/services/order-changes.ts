/**
 * The order changes besides payment: a buyer's cancel and return request (under the order's lock,
 * refused with a typed userError when the order is not where the change starts), and the
 * background moves: the sweeper's expiry of an unpaid order and the daily job's ship / deliver /
 * complete-return. Every one goes through OrderLifecycle.transition, the one place a status changes.
 */
import type { MikroORM } from '@mikro-orm/mysql';
import { Config, Identity, Logger } from '@flashsale/platform';
import { Order, OrderStatus } from '../entities/order.entity';
import { OrderError, OrderErrorCode, OrderOutcome } from '../types/order.types';
import { OrderAction, OrderLifecycle, RETURN_WINDOW_MS, StaleOrderError, TRANSITIONS } from '../lifecycle';
import type { Clock } from './clock';
import { LockBusyError, Locks } from './locks';
import { assertBuyerOwns, loadOrder } from './order-access';
import { orderError } from './order-errors';
import { orderLockKey, underOrderLock } from './order-locking';

export interface OrderChangesDeps {
  orm: MikroORM;
  config: Config;
  logger: Logger;
  clock: Clock;
  locks: Locks;
  lifecycle: OrderLifecycle;
}

/** Why a buyer's change is refused for `order` at `now`, or null when it may go ahead. */
type Refusal = (order: Order, now: Date) => OrderError | null;

const cancelRefusal: Refusal = (order) =>
  order.status === OrderStatus.PREPARING ? null : orderError(OrderErrorCode.INVALID_STATE, `Only a PREPARING order can be canceled; this one is ${order.status}`);

const returnRefusal: Refusal = (order, now) => {
  if (order.status !== OrderStatus.DELIVERED) return orderError(OrderErrorCode.INVALID_STATE, `Only a DELIVERED order can be returned; this one is ${order.status}`);
  if (now.getTime() >= order.deliveredAt!.getTime() + RETURN_WINDOW_MS) return orderError(OrderErrorCode.RETURN_WINDOW_CLOSED, 'Returns are accepted within 24 hours of delivery');
  return null;
};

export class OrderChanges {
  constructor(private readonly deps: OrderChangesDeps) {}

  async cancelOrder(caller: Identity, orderId: string): Promise<OrderOutcome> {
    await assertBuyerOwns(this.deps.orm.em.fork(), caller, orderId);
    return this.changeUnderLock(orderId, 'cancel', cancelRefusal);
  }

  async requestReturn(caller: Identity, orderId: string): Promise<OrderOutcome> {
    await assertBuyerOwns(this.deps.orm.em.fork(), caller, orderId);
    return this.changeUnderLock(orderId, 'requestReturn', returnRefusal);
  }

  /**
   * Expires an unpaid order whose reservation ran out, unless someone holds its lock (a payment
   * in progress decides it instead). True when this call expired it.
   */
  async expireIfDue(orderId: string): Promise<boolean> {
    const { orm, config, clock, lifecycle } = this.deps;
    try {
      return await this.deps.locks.using([orderLockKey(orderId)], { ttlMs: config.ORDER_LOCK_TTL_MS, waitMs: 0 }, async () => {
        const em = orm.em.fork();
        const order = await em.findOne(Order, { id: orderId }, { populate: ['items'] });
        if (!order || order.status !== OrderStatus.PENDING_PAYMENT || order.reservationExpiresAt > clock.now()) return false;
        await lifecycle.transition(em, order, 'expire', clock.now());
        return true;
      });
    } catch (e) {
      if (e instanceof LockBusyError || e instanceof StaleOrderError) return false;
      throw e;
    }
  }

  /** Applies `action` at `at` if the order is still in the status the action starts from (the daily job). True when it moved. */
  async transitionIfStillDue(orderId: string, action: OrderAction, at: Date): Promise<boolean> {
    const em = this.deps.orm.em.fork();
    const order = await em.findOne(Order, { id: orderId }, { populate: ['items'] });
    if (!order || order.status !== TRANSITIONS[action].from) return false;
    try {
      await this.deps.lifecycle.transition(em, order, action, at);
      return true;
    } catch (e) {
      if (e instanceof StaleOrderError) return false;
      throw e;
    }
  }

  private changeUnderLock(orderId: string, action: OrderAction, refusal: Refusal): Promise<OrderOutcome> {
    const { orm, config, clock, lifecycle } = this.deps;
    return underOrderLock(this.deps.locks, config, orderId, config.ORDER_LOCK_TTL_MS, async () => {
      const em = orm.em.fork();
      const order = await loadOrder(em, orderId);
      const now = clock.now();
      const refused = refusal(order, now);
      if (refused) return { order, userErrors: [refused] };
      try {
        await lifecycle.transition(em, order, action, now);
      } catch (e) {
        if (!(e instanceof StaleOrderError)) throw e;
        // Lost a race: re-read and say why the change did not happen.
        const current = await loadOrder(orm.em.fork(), orderId);
        return { order: current, userErrors: [refusal(current, now) ?? orderError(OrderErrorCode.INVALID_STATE, `The order changed meanwhile; it is ${current.status}`)] };
      }
      return { order, userErrors: [] };
    });
  }
}
