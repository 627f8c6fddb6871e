/**
 * Paying an order (O4): money moves only for a PENDING_PAYMENT order whose reservation has not
 * expired, under the order's lock; if the paid status then cannot be committed, the charge is
 * refunded before the buyer is answered (the undo beside the action). A provider that does not
 * answer within PAYMENT_TIMEOUT_MS is a timed-out charge: the attempt is voided, so a late success
 * never keeps money for a PAYMENT_FAILED order.
 */
import type { MikroORM } from '@mikro-orm/mysql';
import { Config, Identity, serviceMetrics } from '@flashsale/platform';
import { Order, OrderStatus } from '../entities/order.entity';
import { OrderErrorCode, OrderOutcome, PaymentInput } from '../types/order.types';
import { OrderLifecycle, StaleOrderError } from '../lifecycle';
import type { Clock } from './clock';
import type { Locks } from './locks';
import { assertBuyerOwns, loadOrder } from './order-access';
import { orderError, payRefusal } from './order-errors';
import { underOrderLock } from './order-locking';
import type { PaymentProvider } from './payment';

/** What one charge attempt came to. */
export type ChargeOutcome = { kind: 'charged'; chargeId: string } | { kind: 'declined'; reason: string } | { kind: 'timedOut' };

export const PAYMENT_TIMED_OUT_MESSAGE = 'The payment timed out';

export interface OrderPaymentsDeps {
  orm: MikroORM;
  config: Config;
  clock: Clock;
  locks: Locks;
  lifecycle: OrderLifecycle;
  payments: PaymentProvider;
}

/** The card number as digits (PaymentInput's rule has refused anything but 12 to 19 digits, spaces and dashes). */
export function cardNumberOf(payment: PaymentInput): string {
  return payment.cardNumber.replace(/[\s-]/g, '');
}

export class OrderPayments {
  /** flashsale_payments_total{outcome}: paid, declined, timed_out, refunded. */
  private readonly counted = serviceMetrics('order').payments;

  constructor(private readonly deps: OrderPaymentsDeps) {}

  async payOrder(caller: Identity, orderId: string, payment: PaymentInput): Promise<OrderOutcome> {
    const { orm, config, clock, lifecycle } = this.deps;
    const card = cardNumberOf(payment);
    await assertBuyerOwns(orm.em.fork(), caller, orderId);
    return underOrderLock(this.deps.locks, config, orderId, config.ORDER_LOCK_TTL_MS + config.PAYMENT_TIMEOUT_MS, async () => {
      const em = orm.em.fork();
      const order = await loadOrder(em, orderId);
      if (order.status !== OrderStatus.PENDING_PAYMENT) return { order, userErrors: [payRefusal(order)] };
      if (clock.now() >= order.reservationExpiresAt) {
        await lifecycle.transition(em, order, 'expire', clock.now()).catch(ignoreStale);
        return this.rereadRefusal(order.id);
      }

      const charge = await this.charge(order, card);
      if (charge.kind !== 'charged') {
        try {
          await lifecycle.transition(em, order, 'decline', clock.now());
        } catch (e) {
          if (e instanceof StaleOrderError) return this.rereadRefusal(order.id);
          throw e;
        }
        this.counted.inc({ outcome: charge.kind === 'timedOut' ? 'timed_out' : 'declined' });
        const message = charge.kind === 'timedOut' ? PAYMENT_TIMED_OUT_MESSAGE : charge.reason;
        return { order, userErrors: [orderError(OrderErrorCode.PAYMENT_DECLINED, message, { field: 'payment.cardNumber' })] };
      }
      try {
        order.paymentId = charge.chargeId;
        await lifecycle.transition(em, order, 'pay', clock.now());
      } catch (e) {
        // The money was taken but the order could not become paid (raced and lost, or the
        // database failed): give the money back before answering.
        await this.deps.payments.refund(charge.chargeId);
        this.counted.inc({ outcome: 'refunded' });
        if (e instanceof StaleOrderError) return this.rereadRefusal(order.id);
        throw e;
      }
      this.counted.inc({ outcome: 'paid' });
      return { order, userErrors: [] };
    });
  }

  /** One charge per order (the order id is the provider's idempotency key), bounded by PAYMENT_TIMEOUT_MS. */
  private async charge(order: Order, cardNumber: string): Promise<ChargeOutcome> {
    const paymentKey = order.id;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<ChargeOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'timedOut' }), this.deps.config.PAYMENT_TIMEOUT_MS);
    });
    const attempt = this.deps.payments
      .charge({ paymentKey, amount: order.total, currency: order.currency, cardNumber })
      .then((result): ChargeOutcome => (result.ok ? { kind: 'charged', chargeId: result.chargeId } : { kind: 'declined', reason: result.reason }));
    try {
      const outcome = await Promise.race([attempt, timeout]);
      // A late success of a timed-out attempt must not take money for a failed order.
      if (outcome.kind === 'timedOut') await this.deps.payments.void(paymentKey);
      return outcome;
    } finally {
      clearTimeout(timer);
    }
  }

  /** After a lost race: re-read the order and say why it cannot be paid now. */
  private async rereadRefusal(orderId: string): Promise<OrderOutcome> {
    const order = await loadOrder(this.deps.orm.em.fork(), orderId);
    return { order, userErrors: [payRefusal(order)] };
  }
}

function ignoreStale(e: unknown): void {
  if (!(e instanceof StaleOrderError)) throw e;
}
