/**
 * The gateway is SIGKILLed mid-sale and started again (the CI-sized `npm run chaos --
 * gateway-restart`). It runs as its own process in front of the stack's subgraphs. Buyers in flight
 * see an error; each presses "buy" again with the same idempotency key until it gets an answer.
 * Nothing is half-done: every order in MySQL was answered to its buyer, no buyer has two, replays
 * return the same order, and the stock adds up exactly.
 */
import { startStack, Stack } from '../support/stack';
import { createSaleProduct } from '../support/catalog';
import { sql } from '../support/orders';
import { Client, crowd } from '../../chaos/lib/client';
import { placeUntilAnswered, RETRYABLE } from '../../chaos/lib/scenario';
import { formatAudit, settledAudit } from '../../chaos/lib/audit';
import { auditSources, childService, ChildService } from './support';

let stack: Stack;
let gateway: ChildService;
beforeAll(async () => {
  stack = await startStack();
  // Buyers retry while the gateway is down; keep the per-buyer limit out of the way.
  gateway = await childService(stack, 'gateway', { RATE_LIMITS: 'placeOrder:user:1000/10,placeOrder:ip:100000/10' });
});
afterAll(async () => {
  await gateway?.stop();
  await stack?.stop();
});

it('45 buyers race for 15 units while the gateway is killed and restarted: exactly 15 orders, each answered once', async () => {
  const STOCK = 15;
  const BUYERS = 45;
  const product = await createSaleProduct(stack, { stock: STOCK });
  const client = Client.for(gateway.url, stack.config, stack.user.deps.secrets, 30_000);
  const people = await client.buyers(BUYERS);

  let answers = 0;
  const restart = (async () => {
    while (answers < 5) await new Promise((r) => setTimeout(r, 2));
    await gateway.kill();
    await gateway.restart();
  })();
  const results = await crowd(BUYERS, BUYERS, async (i) => {
    const r = await placeUntilAnswered(client, people[i], product.id, `buy-${i}`, { delayMs: 100, maxAttempts: 400 });
    answers++;
    return r;
  });
  await restart;

  expect(results.some((r) => RETRYABLE(r.first.kind))).toBe(true); // someone was caught by the kill
  expect(results.every((r) => r.final.kind === 'ORDER' || r.final.kind === 'SOLD_OUT')).toBe(true);
  const winners = results.filter((r) => r.final.kind === 'ORDER');
  expect(winners).toHaveLength(STOCK);

  const rows = await sql<{ id: string; user_id: string }>(stack, 'select o.id, o.user_id from `order` o join order_item i on i.order_id = o.id where i.product_id = ?', [product.id]);
  expect(rows.map((r) => r.id).sort()).toEqual(winners.map((w) => w.final.orderId).sort());
  expect(new Set(rows.map((r) => r.user_id)).size).toBe(STOCK);

  const replays = await Promise.all(winners.map((w) => client.placeOrder(people[results.indexOf(w)], product.id, 1, w.key)));
  expect(replays.map((r) => r.orderId)).toEqual(winners.map((w) => w.final.orderId));

  const audit = await settledAudit(auditSources(stack), { id: product.id, initialStock: STOCK }, winners.map((w) => w.final.orderId!));
  if (!audit.exact) throw new Error(formatAudit(audit));
  expect(audit).toMatchObject({ pending: STOCK, available: 0, oversold: 0, lost: 0 });
});
