/**
 * The payment provider hangs: its charges do not answer until the scenario lets them go, while
 * payOrder allows PAYMENT_TIMEOUT_MS. One definition, run at full size by
 * `npm run chaos -- payment-hang` and at CI size by test/faults/payment-hang.fault.test.ts.
 *
 * `payers` buyers, each holding `quantity` units, pay at once. Each payOrder must answer within
 * the timeout (plus a slack) with PAYMENT_DECLINED alone, its order must end PAYMENT_FAILED (the one
 * defined state) and its units must be available again at once. Meanwhile the sale goes on:
 * `others` buyers place orders while the charges hang. Then the hung charges finally succeed at
 * the provider: every attempt was voided, so each is refunded, none is kept. Paying again is
 * refused (INVALID_STATE) and charges nothing.
 *
 * Method, both sizes: the stack runs in this process (the launcher's in-process mode, the
 * TypeScript sources, NODE_ENV=test, on a private redis-server), because the checks read the
 * provider's own ledger (what it captured, what it refunded) and hold its charges until the
 * scenario lets them go; a provider inside a child process can only be slowed, never asked what it
 * kept. This scenario breaks no process, so nothing is lost by not running the compiled ones.
 */
import { PaymentSimulator } from '../../subgraphs/order/src/services/payment';
import { LOAD_RATE_LIMITS } from '../../scripts/launcher';
import { startStack } from '../../test/support/stack';
import { PrivateRedis } from '../lib/servers';
import { Client, crowd, latency, PAY_ORDER, TEST_CARD, tally } from '../lib/client';
import { inProcessAuditSources, settledAudit } from '../lib/audit';
import { fmtTally, sleep } from '../lib/scenario';
import { chaosScenario, ScenarioDefinition } from '../lib/definition';
import { redisKeys } from '@flashsale/platform';
import type { Buyer } from '../lib/client';

export interface PaymentHangSize {
  stock: number;
  payers: number;
  /** Units each payer's order holds. */
  quantity: number;
  /** Buyers who place orders while the charges hang. */
  others: number;
  /** Payers who try to pay again afterwards. */
  payAgain: number;
  timeoutMs: number;
  /** Allowed on top of the timeout for an answer. */
  slackMs: number;
}

interface Payment {
  codes: string[];
  status?: string;
  ms: number;
}

export const paymentHangDefinition: ScenarioDefinition<PaymentHangSize> = {
  name: 'payment-hang',
  summary: 'the payment provider hangs on every charge',
  sizes: {
    ci: { stock: 10, payers: 4, quantity: 2, others: 2, payAgain: 1, timeoutMs: 300, slackMs: 5000 },
    full: { stock: 50, payers: 20, quantity: 1, others: 10, payAgain: 5, timeoutMs: 1500, slackMs: 2000 },
  },
  async run(size, ctx, report) {
    const STOCK = size.stock;
    const redis = await PrivateRedis.launch();
    const stack = await startStack({ REDIS_URL: redis.url, MYSQL_URL: ctx.mysqlUrl, PAYMENT_TIMEOUT_MS: String(size.timeoutMs), RATE_LIMITS: LOAD_RATE_LIMITS });
    try {
      report.line(`in-process stack on a private redis-server (port ${redis.port}); charges held until let go; PAYMENT_TIMEOUT_MS=${size.timeoutMs}`);
      const client = Client.for(stack.gatewayUrl, stack.config, stack.user.deps.secrets);
      const available = async () => Number(await stack.order.deps.redis.hget(redisKeys.productStock(productId), 'available'));
      const productId = await client.saleProduct(STOCK);
      const answered = new Set<string>();

      const payers = await client.buyers(size.payers);
      const placed = await crowd(size.payers, 20, (i) => client.placeOrder(payers[i], productId, size.quantity));
      placed.forEach((o) => o.orderId && answered.add(o.orderId));
      const orderIds = placed.map((o) => o.orderId!);
      const held = STOCK - size.payers * size.quantity;
      const availableBefore = await available();
      report.line(`${size.payers} placeOrder of ${size.quantity} units: ${fmtTally(tally(placed))}; available ${availableBefore}`);
      report.check(`every payer has an order holding ${size.quantity} units (available ${availableBefore} = ${held})`, placed.every((o) => o.kind === 'ORDER') && availableBefore === held);

      // The provider stops answering: every charge waits until the scenario lets it go.
      const provider = stack.order.services.payments as PaymentSimulator;
      const charge = provider.charge.bind(provider);
      let letGo!: () => void;
      const hung = new Promise<void>((resolve) => (letGo = resolve));
      const late: Array<Promise<unknown>> = [];
      provider.charge = (req) => {
        const result = hung.then(() => charge(req));
        late.push(result);
        return result;
      };
      try {
        const others = await client.buyers(size.others);
        const t0 = Date.now();
        const [payments, meanwhile] = await Promise.all([
          Promise.all(payers.map((b, i) => pay(client, b, orderIds[i]))),
          (async () => {
            await sleep(Math.min(300, size.timeoutMs / 2)); // while the charges hang
            return crowd(size.others, 10, (i) => client.placeOrder(others[i], productId));
          })(),
        ]);
        const wallMs = Date.now() - t0;
        meanwhile.forEach((o) => o.orderId && answered.add(o.orderId));
        const l = latency(payments);
        report.line(`${size.payers} payOrder at once: ${fmtTally(tally(payments.map((p) => ({ kind: p.codes.join('+') || 'PAID' }))))} in ${l.min}-${l.max} ms (all answered after ${wallMs} ms); order status ${fmtTally(tally(payments.map((p) => ({ kind: p.status ?? '?' }))))}`);
        report.line(`meanwhile ${size.others} other buyers placed orders: ${fmtTally(tally(meanwhile))}`);
        const bound = size.timeoutMs + size.slackMs;
        report.check(`every payOrder answered PAYMENT_DECLINED alone, each within ${size.timeoutMs} ms + ${size.slackMs} ms and all within that together`, payments.every((p) => p.codes.length === 1 && p.codes[0] === 'PAYMENT_DECLINED' && p.ms < bound) && wallMs < bound);
        report.check('every timed-out order is PAYMENT_FAILED', payments.every((p) => p.status === 'PAYMENT_FAILED'));
        report.check('the sale went on while the charges hung', meanwhile.every((o) => o.kind === 'ORDER'));
        const availableAfter = await available();
        report.check(`the failed orders' units are for sale again at once (available ${availableAfter} = ${STOCK} - ${size.others} others)`, availableAfter === STOCK - size.others);

        // The hung charges finally succeed at the provider: voided attempts are refunded.
        letGo();
        await Promise.all(late);
        const charges = [...provider.charges.values()].filter((c) => orderIds.includes(c.paymentKey));
        report.line(`the ${late.length} hung charges went through at the provider late: ${fmtTally(tally(charges.map((c) => ({ kind: c.status }))))}`);
        report.check('no money kept: nothing captured for any failed order, every late charge refunded', orderIds.every((id) => provider.captured(id) === 0) && charges.every((c) => c.status === 'refunded'));
      } finally {
        provider.charge = charge;
      }

      // The one defined state: paying again is refused and charges nothing.
      const again = await Promise.all(payers.slice(0, size.payAgain).map((b, i) => pay(client, b, orderIds[i])));
      report.line(`paying ${size.payAgain} of them again: ${fmtTally(tally(again.map((p) => ({ kind: p.codes.join('+') || 'PAID' }))))}`);
      report.check('a failed order cannot be paid again (INVALID_STATE, nothing charged)', again.every((p) => p.codes.join() === 'INVALID_STATE') && orderIds.slice(0, size.payAgain).every((id) => provider.captured(id) === 0));

      const audit = await settledAudit(inProcessAuditSources(stack), { id: productId, initialStock: STOCK }, answered, { timeoutMs: 30_000 });
      report.audit = audit;
      report.check(
        `audit: nothing sold, ${size.others} units pending (the others), available ${STOCK - size.others}, product.stock ${STOCK}, ${size.payers} orders PAYMENT_FAILED`,
        audit.sold === 0 && audit.pending === size.others && audit.available === STOCK - size.others && audit.productStock === STOCK && audit.orders.PAYMENT_FAILED === size.payers,
      );
    } finally {
      await stack.stop();
      await redis.destroy();
    }
  },
};

export const paymentHangScenario = chaosScenario(paymentHangDefinition);

/** payOrder with the test card: every userError code, the order's status, the latency. */
async function pay(client: Client, buyer: Buyer, orderId: string): Promise<Payment> {
  const { data, outcome } = await client.call<{ payOrder: { order: { status: string } | null; userErrors: Array<{ code: string }> } }>(PAY_ORDER, { id: orderId, card: TEST_CARD }, buyer.token);
  return { codes: data?.payOrder ? data.payOrder.userErrors.map((e) => e.code) : [outcome.kind], status: data?.payOrder?.order?.status, ms: outcome.ms };
}
