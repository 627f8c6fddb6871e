/**
 * Two Redis rules the redis scenario (chaos/scenarios/redis.ts, run at CI size by
 * redis.fault.test.ts) relies on, checked on an in-process stack whose services the test reaches
 * into: a command whose caller timed out is never run later, and a hash holding only a restored
 * listing never gets a guessed `available`. The stack runs on a private redis-server this test owns.
 */
import { randomUUID } from 'node:crypto';
import { createRedis, loadConfig, redisKeys } from '@flashsale/platform';
import { startStack, Stack } from '../support/stack';
import { adminToken, createSaleProduct } from '../support/catalog';
import { buyers, eventually, placeOrder } from '../support/orders';
import { PrivateRedis } from '../../chaos/lib/servers';
import { TcpProxy } from '../../chaos/lib/tcp-proxy';

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
