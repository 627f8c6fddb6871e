/**
 * An order subgraph replica is SIGKILLed between reserving and committing (the CI-sized
 * `npm run chaos -- order-kill`). The replica runs as its own process with its MySQL connections
 * through a proxy this test freezes, so every placeOrder it receives reserves in Redis and then
 * waits on its commit; the kill lands exactly there. The stack's own order subgraph plays the
 * surviving replica whose sweeper cleans up (driven here at a moved clock instead of waiting).
 */
import type { Identity } from '@flashsale/platform';
import { startStack, Stack } from '../support/stack';
import { createSaleProduct } from '../support/catalog';
import { ManualClock, available, boughtBy, buyers, eventually, payOrder, replica, reservationCount, sql } from '../support/orders';
import { TcpProxy } from '../../chaos/lib/tcp-proxy';
import { formatAudit, settledAudit } from '../../chaos/lib/audit';
import { ORPHAN_GRACE_MS } from '@flashsale/order-subgraph';
import { auditSources, callSubgraph, childService, ChildService } from './support';

let stack: Stack;
let proxy: TcpProxy;
let replicaProcess: ChildService | undefined;
beforeAll(async () => {
  stack = await startStack();
  const mysql = new URL(stack.config.MYSQL_URL);
  proxy = await TcpProxy.start({ host: mysql.hostname, port: Number(mysql.port || 3306) });
  const auth = `${mysql.username || 'root'}${mysql.password ? `:${mysql.password}` : ''}`;
  replicaProcess = await childService(stack, 'order', { MYSQL_URL: `mysql://${auth}@127.0.0.1:${proxy.port}` });
});
afterAll(async () => {
  await replicaProcess?.stop();
  await proxy?.close();
  await stack?.stop();
});

const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } userErrors { code } } }`;

it('SIGKILL between reserve and commit: the sweeper returns exactly the units that never became orders, once', async () => {
  const STOCK = 10;
  const product = await createSaleProduct(stack, { stock: STOCK });
  const place = (b: Identity, quantity: number) =>
    callSubgraph<{ placeOrder: { order: { id: string } | null } }>(replicaProcess!.url, stack.order.deps.secrets.identitySecret, b, PLACE, {
      input: { items: [{ productId: product.id, quantity }], idempotencyKey: `k-${b.userId}` },
    });

  // Two buyers order through the replica and pay: their units are sold.
  const paying = await buyers(stack, 2);
  const committed = await Promise.all(paying.map((b) => place(b, 1)));
  await Promise.all(paying.map((b, i) => payOrder(stack, b, committed[i].data!.placeOrder.order!.id)));
  const before = await reservationCount(stack);

  // Three more reserve 2 units each and hang on their commit; then the replica is killed.
  proxy.freeze();
  const stuck = await buyers(stack, 3);
  const inFlight = Promise.allSettled(stuck.map((b) => place(b, 2)));
  await eventually(async () => (await reservationCount(stack)) === before + 3);
  expect(await available(stack, product.id)).toBe(STOCK - 2 - 6);
  await replicaProcess!.kill();
  replicaProcess = undefined;
  expect((await inFlight).every((r) => r.status === 'rejected')).toBe(true);
  await proxy.cut();
  expect(await sql(stack, 'select id from `order` where user_id in (?, ?, ?)', stuck.map((b) => b.userId))).toHaveLength(0);

  // Nothing is given back before the reservations are overdue (the commit might still land).
  expect((await replica(stack).sweeper.sweep()).released).toBe(0);
  expect(await available(stack, product.id)).toBe(STOCK - 8);

  // Once they are: the three reservations, and only their units, come back, and only once.
  const later = replica(stack, { clock: new ManualClock(new Date(Date.now() + stack.config.RESERVATION_TTL_SECONDS * 1000 + ORPHAN_GRACE_MS + 5000)) });
  expect(await later.sweeper.sweep()).toMatchObject({ released: 3, settled: 0 });
  expect(await available(stack, product.id)).toBe(STOCK - 2);
  for (const b of stuck) expect(await boughtBy(stack, product.id, b.userId)).toBe(0);
  expect(await later.sweeper.sweep()).toMatchObject({ released: 0, settled: 0 });
  expect(await available(stack, product.id)).toBe(STOCK - 2);

  const audit = await settledAudit(auditSources(stack), { id: product.id, initialStock: STOCK }, committed.map((c) => c.data!.placeOrder.order!.id));
  if (!audit.exact) throw new Error(formatAudit(audit));
  expect(audit).toMatchObject({ sold: 2, pending: 0, orphaned: 0, productStock: STOCK - 2, available: STOCK - 2 });
});
