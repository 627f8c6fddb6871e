/**
 * Redis stops in the middle of a sale (the CI-sized `npm run chaos -- redis`): it hangs, then dies
 * and comes back empty. The stack runs on a private redis-server this test owns, so pausing and
 * killing it disturbs nobody.
 */
import { randomUUID } from 'node:crypto';
import { createRedis, loadConfig, redisKeys } from '@flashsale/platform';
import { startStack, Stack } from '../support/stack';
import { adminToken, createSaleProduct, readProductStock } from '../support/catalog';
import { Answer, buyers, eventually, payOrder, placeOrder, sql } from '../support/orders';
import { PrivateRedis } from '../../chaos/lib/servers';
import { TcpProxy } from '../../chaos/lib/tcp-proxy';
import { formatAudit, settledAudit } from '../../chaos/lib/audit';
import { auditSources } from './support';

const COMMAND_TIMEOUT_MS = 500;

let redis: PrivateRedis;
let stack: Stack;
beforeAll(async () => {
  redis = await PrivateRedis.launch();
  stack = await startStack({ REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS), ORDER_SWEEP_INTERVAL_MS: '500' });
});
afterAll(async () => {
  await stack?.stop();
  await redis?.destroy();
});

const timed = async (call: () => Promise<Answer>) => {
  const t0 = Date.now();
  const answer = await call();
  return { answer, ms: Date.now() - t0 };
};
const code = (a: Answer): string | undefined => (a.errors?.[0]?.extensions?.code as string | undefined) ?? (a.payload?.order ? 'ORDER' : a.payload?.userErrors[0]?.code);

it('a command whose caller gave up on a timeout is not run later when the connection comes back', async () => {
  const proxy = await TcpProxy.start({ host: '127.0.0.1', port: redis.port });
  const client = createRedis(loadConfig({ ...stack.env, REDIS_URL: `redis://127.0.0.1:${proxy.port}` }));
  client.on('error', () => undefined);
  const key = `at-most-once:${randomUUID()}`;
  try {
    await client.ping();
    proxy.freeze();
    await expect(client.incr(key)).rejects.toThrow(/timed out/);
    // The connection drops and comes straight back (the INCR never reached Redis).
    await proxy.cut();
    await proxy.restore();
    await eventually(async () => (await client.ping().catch(() => null)) === 'PONG');
    expect(await client.get(key)).toBeNull();
  } finally {
    client.disconnect();
    await proxy.close();
  }
});

it('Redis hangs, then dies and comes back empty mid-sale: answers come fast, and no unit is oversold or lost', async () => {
  const STOCK = 30;
  const product = await createSaleProduct(stack, { stock: STOCK });
  // A product nobody orders around the outage: only its listing is in Redis when Redis dies.
  const quiet = await createSaleProduct(stack, { stock: 5, price: 700 });
  const crowd = await buyers(stack, 10);
  const orders = await Promise.all(crowd.map((b) => placeOrder(stack, b, [{ productId: product.id, quantity: 1 }])));
  const ids = orders.map((o) => o.payload!.order!.id);
  await Promise.all([0, 1, 2, 3].map((i) => payOrder(stack, crowd[i], ids[i])));
  await eventually(async () => (await readProductStock(stack, product.id)) === STOCK - 4);

  // The product subgraph falls behind: three more sales reach Redis's stream and stay unconsumed.
  const productDb = stack.product.deps.orm.em.getConnection();
  await productDb.execute('rename table processed_event to processed_event_stalled');
  await Promise.all([4, 5, 6].map((i) => payOrder(stack, crowd[i], ids[i])));
  await eventually(async () => Number((await sql<{ n: number }>(stack, 'select count(*) as n from outbox where published_at is null'))[0].n) === 0);

  // Redis hangs: placeOrder and payOrder answer SERVICE_UNAVAILABLE within a few command timeouts.
  redis.pause();
  const late = await buyers(stack, 4);
  const duringHang = await Promise.all([
    ...late.map((b) => timed(() => placeOrder(stack, b, [{ productId: product.id, quantity: 1 }]))),
    ...[7, 8].map((i) => timed(() => payOrder(stack, crowd[i], ids[i]))),
  ]);
  expect(duringHang.map((r) => code(r.answer))).toEqual(Array(6).fill('SERVICE_UNAVAILABLE'));
  // placeOrder makes at most three Redis calls before giving up (two rate-limit counters, one replay check).
  for (const { ms } of duringHang) expect(ms).toBeLessThan(3 * COMMAND_TIMEOUT_MS + 3000);

  // Redis dies while hung and comes back with nothing.
  await redis.kill();
  await productDb.execute('rename table processed_event_stalled to processed_event');
  await redis.start();

  // The same buyer retrying with the same key gets an order once recovery is done.
  const [probe] = await buyers(stack, 1);
  let answer: Answer | undefined;
  await eventually(async () => {
    answer = await placeOrder(stack, probe, [{ productId: product.id, quantity: 1 }], 'probe');
    return code(answer) === 'ORDER';
  }, 30_000);

  // The rest sells out: everyone who asks gets an order or SOLD_OUT.
  const rest = await buyers(stack, 30);
  const answers = await Promise.all(
    rest.map(async (b) => {
      const key = randomUUID();
      for (;;) {
        const a = await placeOrder(stack, b, [{ productId: product.id, quantity: 1 }], key);
        if (code(a) !== 'SERVICE_UNAVAILABLE') return a;
        await new Promise((r) => setTimeout(r, 200));
      }
    }),
  );
  expect(answers.every((a) => ['ORDER', 'SOLD_OUT'].includes(code(a)!))).toBe(true);

  // The product nobody touched is known to carts again (listing restored; selling waits for reconcile).
  const [shopper] = await buyers(stack, 1);
  await eventually(async () => {
    const res = await stack.gql<{ addToCart: { userErrors: unknown[] } }>(
      `mutation($p: ID!) { addToCart(productId: $p, quantity: 1) { cart { totalQuantity } userErrors { code } } }`,
      { p: quiet.id },
      { token: shopper.token },
    );
    return res.data?.addToCart.userErrors.length === 0;
  }, 10_000);
  expect(await stack.order.deps.redis.hmget(redisKeys.productStock(quiet.id), 'price', 'available')).toEqual(['700', null]);
  const quietOrder = await placeOrder(stack, shopper, [{ productId: quiet.id, quantity: 2 }]);
  expect(code(quietOrder)).toBe('ORDER');
  expect(await stack.order.deps.redis.hget(redisKeys.productStock(quiet.id), 'available')).toBe('3');

  const answered = [...ids, answer!.payload!.order!.id, ...answers.flatMap((a) => (a.payload?.order ? [a.payload.order.id] : []))];
  const audit = await settledAudit(auditSources(stack), { id: product.id, initialStock: STOCK }, answered, { timeoutMs: 20_000 });
  if (!audit.exact) throw new Error(formatAudit(audit));
  // The three sales Redis lost before the product subgraph saw them were re-published and applied once.
  expect(audit).toMatchObject({ sold: 7, productStock: STOCK - 7, oversold: 0, lost: 0, phantom: 0, available: 0 });
  expect(audit.sold + audit.pending).toBe(STOCK);
  expect(await stack.order.deps.redis.hget(redisKeys.productStock(product.id), 'available')).toBe('0');
});

it('a hash holding only a restored listing never gets a guessed `available`: admin changes update the listing, reconcile decides the rest', async () => {
  const product = await createSaleProduct(stack, { stock: 8, price: 500 });
  const stock = stack.product.services.stock;
  const key = redisKeys.productStock(product.id);
  await stack.product.deps.redis.del(key);
  expect(await stock.restoreListings(stack.product.deps.orm.em.fork())).toBeGreaterThanOrEqual(1);
  expect(await stack.product.deps.redis.hget(key, 'available')).toBeNull();
  expect(await stack.product.deps.redis.hget(key, 'price')).toBe('500');

  const res = await stack.gql<{ updateProduct: { userErrors: unknown[] } }>(
    `mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { product { id } userErrors { code } } }`,
    { id: product.id, input: { price: 650, stock: 12 } },
    { token: await adminToken(stack) },
  );
  expect(res.data?.updateProduct.userErrors).toEqual([]);
  expect(await stack.product.deps.redis.hmget(key, 'price', 'available')).toEqual(['650', null]);
  expect(await stock.read(product.id)).toBeNull();
  // The next order rebuilds the hash from the truth: 12 units.
  const [buyer] = await buyers(stack, 1);
  await placeOrder(stack, buyer, [{ productId: product.id, quantity: 1 }]);
  expect(await stack.order.deps.redis.hmget(key, 'price', 'available')).toEqual(['650', '11']);
});
