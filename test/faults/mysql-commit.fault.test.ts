/**
 * The answer to a COMMIT is lost (the server committed, the client never heard), the case the mysql
 * scenario (chaos/scenarios/mysql.ts, run at CI size by mysql.fault.test.ts) cannot make with a
 * real server. Every subgraph reaches MySQL through a TCP proxy this test controls, which can lose
 * the answer to one COMMIT and cut every other connection with it. The shared MariaDB itself is
 * never touched.
 */
import { startStack, Stack } from '../support/stack';
import { createSaleProduct } from '../support/catalog';
import { Answer, available, buyers, eventually, placeOrder, sql } from '../support/orders';
import { TcpProxy } from '../../chaos/lib/tcp-proxy';
import { formatAudit, settledAudit } from '../../chaos/lib/audit';
import { auditSources } from './support';
import { orderKeys } from '@flashsale/order-subgraph';

let proxy: TcpProxy;
let stack: Stack;
beforeAll(async () => {
  // knex prints every dropped pool connection with console.log; those are the point here.
  const log = console.log;
  jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    if (!String(args[0]).startsWith('Connection Error')) log(...args);
  });
  const mysql = new URL(process.env.MYSQL_URL || 'mysql://root@127.0.0.1:3306');
  proxy = await TcpProxy.start({ host: mysql.hostname, port: Number(mysql.port || 3306) });
  const auth = `${mysql.username || 'root'}${mysql.password ? `:${mysql.password}` : ''}`;
  stack = await startStack({ MYSQL_URL: `mysql://${auth}@127.0.0.1:${proxy.port}`, ORDER_LOCK_WAIT_MS: '20000' });
});
afterAll(async () => {
  await proxy?.restore();
  await stack?.stop();
  await proxy?.close();
});

const code = (a: Answer): string | undefined => (a.errors?.[0]?.extensions?.code as string | undefined) ?? (a.payload?.order ? 'ORDER' : a.payload?.userErrors[0]?.code);
const exactly = async (productId: string, initialStock: number, answered: string[]) => {
  const audit = await settledAudit(auditSources(stack), { id: productId, initialStock }, answered, { timeoutMs: 20_000 });
  if (!audit.exact) throw new Error(formatAudit(audit));
  return audit;
};

it('the answer to a COMMIT is lost: placeOrder reads the order back and it stands', async () => {
  const product = await createSaleProduct(stack, { stock: 5 });
  const [buyer] = await buyers(stack, 1);
  const sprung = proxy.loseCommitAnswer('order');
  const answer = await placeOrder(stack, buyer, [{ productId: product.id, quantity: 2 }], 'lost-answer');
  await sprung;
  expect(code(answer)).toBe('ORDER');
  const id = answer.payload!.order!.id;
  expect(await sql(stack, 'select id from `order` where id = ?', [id])).toHaveLength(1);
  expect(await stack.order.deps.redis.hexists(orderKeys.reservations(product.id), id)).toBe(1);
  const replay = await placeOrder(stack, buyer, [{ productId: product.id, quantity: 2 }], 'lost-answer');
  expect(replay.payload!.order!.id).toBe(id);
  expect(await exactly(product.id, 5, [id])).toMatchObject({ pending: 2, available: 3 });
});

it('the answer to a COMMIT is lost and MySQL is gone: the units stay held for the order, and the retry finds it', async () => {
  const product = await createSaleProduct(stack, { stock: 5 });
  const [buyer] = await buyers(stack, 1);
  const sprung = proxy.loseCommitAnswer('order', { cutAll: true });
  const answer = await placeOrder(stack, buyer, [{ productId: product.id, quantity: 2 }], 'unknown-outcome');
  await sprung;
  // Nobody can say whether the order exists, so its units are not given back.
  expect(code(answer)).toBe('SERVICE_UNAVAILABLE');
  expect(await available(stack, product.id)).toBe(3);

  await proxy.restore();
  let retry: Answer | undefined;
  await eventually(async () => code((retry = await placeOrder(stack, buyer, [{ productId: product.id, quantity: 2 }], 'unknown-outcome'))) === 'ORDER', 15_000);
  // The first attempt had committed: the retry answers that order and gives its own units back.
  const rows = await sql<{ id: string }>(stack, 'select id from `order` where user_id = ?', [buyer.userId]);
  expect(rows.map((r) => r.id)).toEqual([retry!.payload!.order!.id]);
  expect(await exactly(product.id, 5, [retry!.payload!.order!.id])).toMatchObject({ pending: 2, orphaned: 0, available: 3 });
});
