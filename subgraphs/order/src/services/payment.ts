/**
 * Payments: the provider interface the order service charges through, and the local simulator
 * that is the default provider (no real money moves anywhere in this project).
 *
 * Simulator rules: card 4242424242424242 always succeeds, 4000000000000002 always declines; any
 * other well-formed card succeeds except for a random PAYMENT_FAILURE_RATE share; every call waits
 * PAYMENT_LATENCY_MS. Charges are idempotent per `paymentKey` (a retried request never charges
 * twice) and a charge can be refunded (the order service refunds when its fence refuses a paid
 * transition) or voided before it completes (after a timeout, a late success must not stick).
 */
import { randomUUID } from 'node:crypto';

export const TEST_CARD_SUCCESS = '4242424242424242';
export const TEST_CARD_DECLINE = '4000000000000002';

export interface ChargeRequest {
  /** Idempotency key at the provider: one charge per order. */
  paymentKey: string;
  amount: number;
  currency: string;
  cardNumber: string;
}

export type ChargeResult = { ok: true; chargeId: string } | { ok: false; reason: string };

export interface PaymentProvider {
  charge(req: ChargeRequest): Promise<ChargeResult>;
  /** Cancels an attempt whose answer never came: if it has succeeded or succeeds later, it is refunded. */
  void(paymentKey: string): Promise<void>;
  refund(chargeId: string): Promise<void>;
}

export interface SimulatedCharge {
  chargeId: string;
  paymentKey: string;
  amount: number;
  currency: string;
  status: 'captured' | 'refunded';
}

export class PaymentSimulator implements PaymentProvider {
  /** Every charge the simulator has made, by payment key (tests read it to count money taken). */
  readonly charges = new Map<string, SimulatedCharge>();
  private readonly voided = new Set<string>();

  constructor(private readonly opts: { latencyMs: number; failureRate: number; random?: () => number }) {}

  async charge(req: ChargeRequest): Promise<ChargeResult> {
    if (this.opts.latencyMs > 0) await new Promise((r) => setTimeout(r, this.opts.latencyMs));
    const earlier = this.charges.get(req.paymentKey);
    if (earlier) return earlier.status === 'captured' ? { ok: true, chargeId: earlier.chargeId } : { ok: false, reason: 'This payment was refunded' };
    if (req.cardNumber === TEST_CARD_DECLINE) return { ok: false, reason: 'Card declined' };
    if (req.cardNumber !== TEST_CARD_SUCCESS && (this.opts.random ?? Math.random)() < this.opts.failureRate) return { ok: false, reason: 'Card declined by the issuer' };
    const charge: SimulatedCharge = { chargeId: `ch_${randomUUID()}`, paymentKey: req.paymentKey, amount: req.amount, currency: req.currency, status: 'captured' };
    this.charges.set(req.paymentKey, charge);
    if (this.voided.has(req.paymentKey)) {
      charge.status = 'refunded';
      return { ok: false, reason: 'Payment attempt was voided' };
    }
    return { ok: true, chargeId: charge.chargeId };
  }

  async void(paymentKey: string): Promise<void> {
    this.voided.add(paymentKey);
    const charge = this.charges.get(paymentKey);
    if (charge) charge.status = 'refunded';
  }

  async refund(chargeId: string): Promise<void> {
    for (const charge of this.charges.values()) if (charge.chargeId === chargeId) charge.status = 'refunded';
  }

  /** Money currently taken for a payment key (0 when never charged or refunded). */
  captured(paymentKey: string): number {
    const c = this.charges.get(paymentKey);
    return c?.status === 'captured' ? c.amount : 0;
  }
}
