/**
 * The one place an order's status changes (O1, O2, O6 in order.service.ts): carries out a plan of
 * the state machine (order-state-machine.ts) in a unit of work fenced by the order's version, then
 * lets Redis follow.
 *
 *   1. planTransition decides the new status, the timestamps, the stock events and the Redis step.
 *   2. Status, timestamps and events are flushed together; MikroORM's optimistic lock on `version`
 *      is the stale-order fence: of two racing changes exactly one commits, the other gets
 *      StaleOrderError and re-reads.
 *   3. Only after the commit does Redis move units (settle, release or restock). A failure there
 *      leaves units held, which the sweeper or reconcile puts right; it never oversells.
 */
import { OptimisticLockError } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/mysql';
import { Logger, enqueueEvent, eventStreams } from '@flashsale/platform';
import type { Order } from '../entities/order.entity';
import type { ReservationService } from '../services/reservation.service';
import { OrderAction, planTransition } from './order-state-machine';

/** Someone else changed the order since it was read (the version fence refused the update). */
export class StaleOrderError extends Error {}

export interface OrderLifecycleDeps {
  reservations: Pick<ReservationService, 'settle' | 'release' | 'restock'>;
  logger: Logger;
  /** Wakes the outbox relay after a commit that wrote events. */
  outbox: { kick(): void };
}

export class OrderLifecycle {
  constructor(private readonly deps: OrderLifecycleDeps) {}

  /** Moves `order` (with its items loaded, read through `em`) by `action` at `at`. */
  async transition(em: EntityManager, order: Order, action: OrderAction, at: Date): Promise<void> {
    const lines = order.items.getItems().map((item) => ({ productId: item.productId, quantity: item.quantity }));
    const plan = planTransition({ id: order.id, status: order.status, lines }, action);
    order.status = plan.to;
    for (const stamp of plan.stamps) order[stamp] = at;
    for (const event of plan.events) enqueueEvent(em, eventStreams.stock, event);
    try {
      await em.flush();
    } catch (e) {
      if (e instanceof OptimisticLockError) throw new StaleOrderError(`order ${order.id} changed meanwhile`);
      throw e;
    }
    try {
      if (plan.afterCommit === 'settle') await this.deps.reservations.settle(order.id, lines);
      if (plan.afterCommit === 'release') await this.deps.reservations.release(order.id, lines);
      if (plan.afterCommit === 'restock') await this.deps.reservations.restock(order.userId, lines);
    } catch (e) {
      this.deps.logger.error({ err: e, orderId: order.id, action }, 'units not moved in Redis after the status change');
    }
    if (plan.events.length > 0) this.deps.outbox.kick();
  }
}
