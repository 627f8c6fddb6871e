/**
 * The payment provider hangs: every charge takes two minutes (PAYMENT_LATENCY_MS=120000 on the
 * simulator) while payOrder allows PAYMENT_TIMEOUT_MS=1500.
 *
 * 20 buyers pay at once. Each payOrder must answer within the timeout (plus overhead) with
 * PAYMENT_DECLINED, its order must end PAYMENT_FAILED (the one defined state; the attempt is
 * voided at the provider, so a late success is refunded rather than kept) and its units must be
 * available again at once. Paying again is refused (INVALID_STATE). Meanwhile the sale goes on:
 * 10 other buyers place orders while the charges hang.
 */
import { PrivateRedis } from '../lib/servers';
import { ChaosStack } from '../lib/stack';
import { Client, crowd, latency, tally } from '../lib/client';
import { settledAudit } from '../lib/audit';
import { availableOf, fmtTally, Report, Scenario, ScenarioContext } from '../lib/scenario';

const STOCK = 50;
const PAYMENT_TIMEOUT_MS = 1500;

export const paymentHangScenario: Scenario = {
  name: 'payment-hang',
  summary: 'the payment provider hangs on every charge',
  async run(ctx: ScenarioContext): Promise<Report> {
    const report = new Report('payment-hang', ctx.log);
    const redis = await PrivateRedis.launch();
    const stack = new ChaosStack({
      portBase: ctx.portBase,
      mysqlUrl: ctx.mysqlUrl,
      redisUrl: redis.url,
      envFor: { order: { PAYMENT_LATENCY_MS: '120000', PAYMENT_TIMEOUT_MS: String(PAYMENT_TIMEOUT_MS) } },
      log: ctx.log,
    });
    try {
      await stack.start();
      report.line(`payment simulator answers after 120 s; PAYMENT_TIMEOUT_MS=${PAYMENT_TIMEOUT_MS}`);
      const client = Client.for(stack.gatewayUrl, stack.config, stack.secrets);
      const productId = await client.saleProduct(STOCK);
      const answered = new Set<string>();

      const payers = await client.buyers(20);
      const placed = await crowd(20, 20, (i) => client.placeOrder(payers[i], productId));
      placed.forEach((o) => o.orderId && answered.add(o.orderId));
      report.line(`20 placeOrder: ${fmtTally(tally(placed))}; available ${await availableOf(stack, productId)}`);

      const others = await client.buyers(10);
      const [payments, meanwhile] = await Promise.all([
        Promise.all(payers.map((b, i) => client.payOrder(b, placed[i].orderId!))),
        (async () => {
          await new Promise((r) => setTimeout(r, 300)); // while the charges hang
          return crowd(10, 10, (i) => client.placeOrder(others[i], productId));
        })(),
      ]);
      meanwhile.forEach((o) => o.orderId && answered.add(o.orderId));
      const l = latency(payments);
      report.line(`20 payOrder at once: ${fmtTally(tally(payments))} (${payments[0]?.message ?? ''}) in ${l.min}-${l.max} ms; order status ${fmtTally(tally(payments.map((p) => ({ kind: p.status ?? '?' }))))}`);
      report.line(`meanwhile 10 other buyers placed orders: ${fmtTally(tally(meanwhile))} in ${latency(meanwhile).min}-${latency(meanwhile).max} ms`);
      report.check(`every payOrder answered PAYMENT_DECLINED within ${PAYMENT_TIMEOUT_MS} ms + 2 s`, payments.every((p) => p.kind === 'PAYMENT_DECLINED' && p.ms < PAYMENT_TIMEOUT_MS + 2000));
      report.check('every timed-out order is PAYMENT_FAILED', payments.every((p) => p.status === 'PAYMENT_FAILED'));
      report.check('the sale went on while the charges hung', meanwhile.every((o) => o.kind === 'ORDER'));

      const again = await Promise.all(payers.slice(0, 5).map((b, i) => client.payOrder(b, placed[i].orderId!)));
      report.line(`paying 5 of them again: ${fmtTally(tally(again))}`);
      report.check('a failed order cannot be paid again (INVALID_STATE, nothing charged)', again.every((o) => o.kind === 'INVALID_STATE'));

      const rows = await stack.sql<{ status: string; n: number }>('order', 'select status, count(*) as n from `order` group by status');
      report.line(`orders in MySQL: ${rows.map((r) => `${r.status} ${r.n}`).join(', ')}`);

      const audit = await settledAudit(stack.auditSources(), { id: productId, initialStock: STOCK }, answered, { timeoutMs: 30_000 });
      report.audit = audit;
      report.check(`the 20 failed orders' units are available again: available = ${STOCK} - 10 pending`, audit.available === STOCK - 10);
      return report;
    } finally {
      await stack.stop();
      await redis.destroy();
    }
  },
};
