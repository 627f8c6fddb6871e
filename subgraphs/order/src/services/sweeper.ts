/**
 * The reservation sweeper: gives units back that nobody will pay for.
 *  0. Stock hashes Redis has lost for products with unpaid orders are rebuilt (reconcile), so
 *     what is shown and sold matches the truth again without waiting for the next order.
 *  1. PENDING_PAYMENT orders past `reservationExpiresAt` become EXPIRED (through the transition
 *     table, under the order's lock, so a payment in progress decides the order instead).
 *  2. Reservation parts in Redis past their deadline (plus a grace period) whose order is not
 *     pending: a reservation that never became an order (the process died between reserve and
 *     commit) or whose release after commit failed is released; one whose order was paid is
 *     settled (its units stay sold). Release is idempotent, so nothing is given back twice.
 *     Parts are found product by product (each product's due set, in its own slot).
 */
import type { MikroORM } from '@mikro-orm/mysql';
import type { Logger } from '@flashsale/platform';
import { Order, OrderStatus } from '../entities/order.entity';
import type { Clock } from './clock';
import type { OrderService } from './order.service';
import type { ReservationService } from './reservation.service';
import type { StockReconciler } from './stock-reconciler';

/** How long past its deadline a record waits before it counts as orphaned (commits take ms). */
export const ORPHAN_GRACE_MS = 30_000;
const BATCH = 200;

const PAID = new Set<string>([OrderStatus.PREPARING, OrderStatus.SHIPPING, OrderStatus.DELIVERED, OrderStatus.CANCELED, OrderStatus.RETURN_REQUESTED, OrderStatus.RETURNED]);

export interface SweepResult {
  expired: number;
  released: number;
  settled: number;
  /** Stock hashes rebuilt from the truth this round. */
  rebuilt: number;
}

export class ReservationSweeper {
  constructor(
    private readonly deps: { orm: MikroORM; logger: Logger; clock: Clock; orders: OrderService; reservations: ReservationService; reconciler: StockReconciler },
  ) {}

  async sweep(): Promise<SweepResult> {
    const result: SweepResult = { expired: 0, released: 0, settled: 0, rebuilt: 0 };
    const now = this.deps.clock.now();
    try {
      result.rebuilt = (await this.deps.reconciler.rebuildLost()).rebuilt.length;
    } catch (err) {
      // Expiry below must still run; a rebuild that cannot finish now is retried next round.
      this.deps.logger.warn({ err }, 'could not rebuild lost stock hashes this round');
    }

    for (;;) {
      const due = await this.deps.orm.em
        .fork()
        .find(Order, { status: OrderStatus.PENDING_PAYMENT, reservationExpiresAt: { $lte: now } }, { fields: ['id'], orderBy: { reservationExpiresAt: 'asc' }, limit: BATCH });
      let expired = 0;
      for (const { id } of due) if (await this.deps.orders.expireIfDue(id)) expired++;
      result.expired += expired;
      if (due.length < BATCH || expired === 0) break;
    }

    const overdue = await this.deps.reservations.overdue(now.getTime() - ORPHAN_GRACE_MS, BATCH * 5);
    if (overdue.length) {
      const orders = await this.deps.orm.em.fork().find(Order, { id: { $in: [...new Set(overdue.map((o) => o.id))] } }, { fields: ['id', 'status'] });
      const statusOf = new Map(orders.map((o) => [o.id, o.status as string]));
      for (const { id, productId } of overdue) {
        const status = statusOf.get(id);
        if (status === OrderStatus.PENDING_PAYMENT) continue; // step 1 decides it
        if (status && PAID.has(status)) {
          await this.deps.reservations.settlePart(id, productId);
          result.settled++;
        } else if (await this.deps.reservations.releasePart(id, productId, { neverPlaced: !status })) {
          result.released++;
          this.deps.logger.warn({ reservationId: id, productId, status: status ?? 'never committed' }, 'released an orphaned reservation');
        }
      }
    }
    return result;
  }
}
