/**
 * Orders when things go wrong, with ORDER_LOCK_SCOPE=product (the seed design, which must be just
 * as correct): a process dying between reserve and commit, a database failure during commit, a
 * settle lost after payment, and Redis losing a product's stock hash in the middle of a sale.
 * The lock wait is generous so that a loaded test machine does not turn queueing into errors.
 */
import { randomUUID } from 'node:crypto';
import { fieldRecord, redisKeys } from '@flashsale/platform';
import { startStack, Stack } from '../support/stack';
import { createSaleProduct, readProductStock } from '../support/catalog';
import { ManualClock, available, boughtBy, buyers, eventually, payOrder, placed, placeOrder, replica, sql, unitsIn } from '../support/orders';
import { orderKeys, ORPHAN_GRACE_MS } from '@flashsale/order-subgraph';
import { STOCK_EVENTS_GROUP } from '@flashsale/product-subgraph';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ ORDER_LOCK_SCOPE: 'product', ORDER_LOCK_WAIT_MS: '30000' });
});
afterAll(() => stack?.stop());

const orderCount = async (userId?: string) =>
  Number((await sql<{ n: number }>(stack, `select count(*) as n from \`order\`${userId ? ' where user_id = ?' : ''}`, userId ? [userId] : []))[0].n);

describe('with the lock on products', () => {
  it('60 buyers race for 20 units: exactly 20 orders, available 0', async () => {
    const product = await createSaleProduct(stack, { stock: 20 });
    const crowd = await buyers(stack, 60);
    const answers = await Promise.all(crowd.map((b) => placeOrder(stack, b, [{ productId: product.id, quantity: 1 }])));
    expect(answers.filter((a) => a.errors)).toEqual([]);
    expect(answers.filter((a) => a.payload?.order)).toHaveLength(20);
    expect(answers.filter((a) => a.payload?.userErrors[0]?.code === 'SOLD_OUT')).toHaveLength(40);
    expect(await available(stack, product.id)).toBe(0);
    expect(await unitsIn(stack, product.id, ['PENDING_PAYMENT'])).toBe(20);
  });

  it('multi-line orders stay all-or-nothing and replays at the same moment place one order', async () => {
    const [a, b] = await Promise.all([createSaleProduct(stack, { stock: 10 }), createSaleProduct(stack, { stock: 4 })]);
    const crowd = await buyers(stack, 12);
    const answers = await Promise.all(crowd.map((buyer) => placeOrder(stack, buyer, [{ productId: a.id, quantity: 2 }, { productId: b.id, quantity: 1 }])));
    expect(answers.filter((x) => x.payload?.order)).toHaveLength(4);
    expect(await available(stack, a.id)).toBe(2);
    expect(await available(stack, b.id)).toBe(0);

    const c = await createSaleProduct(stack, { stock: 5 });
    const [buyer] = await buyers(stack, 1);
    const key = randomUUID();
    const replays = await Promise.all(Array.from({ length: 10 }, () => placeOrder(stack, buyer, [{ productId: c.id, quantity: 1 }], key)));
    expect(new Set(replays.map((r) => r.payload?.order?.id)).size).toBe(1);
    expect(await available(stack, c.id)).toBe(4);
  });
});

describe('recovery', () => {
  it('a reservation that never became an order (the process died before commit) is given back by the sweeper, once', async () => {
    const product = await createSaleProduct(stack, { stock: 5 });
    const buyer = randomUUID();
    const reserved = await stack.order.services.reservations.reserve(randomUUID(), buyer, [{ productId: product.id, quantity: 3 }], 1000);
    expect(reserved.status).toBe('reserved');
    expect(await available(stack, product.id)).toBe(2);

    const clock = new ManualClock(new Date(Date.now() + 1000 + ORPHAN_GRACE_MS + 5000));
    const ops = replica(stack, { clock });
    expect((await ops.sweeper.sweep()).released).toBe(1);
    expect(await available(stack, product.id)).toBe(5);
    expect(await boughtBy(stack, product.id, buyer)).toBe(0);
    expect((await ops.sweeper.sweep()).released).toBe(0);
    expect(await available(stack, product.id)).toBe(5);
  });

  it('a paid order whose reservation record lingered (settle lost) is settled, not given back', async () => {
    const product = await createSaleProduct(stack, { stock: 5 });
    const [buyer] = await buyers(stack, 1);
    const order = await placed(stack, buyer, [{ productId: product.id, quantity: 2 }]);
    const record = await stack.order.deps.redis.hget(orderKeys.reservations(product.id), order.id);
    await payOrder(stack, buyer, order.id);
    // As if the settle after the commit had failed (the part, its due entry, and so its product's
    // place among the products with parts, would all still be there):
    await stack.order.deps.redis.hset(orderKeys.reservations(product.id), order.id, record!);
    await stack.order.deps.redis.zadd(orderKeys.reservationsDue(product.id), Date.now(), order.id);
    await stack.order.deps.redis.sadd(orderKeys.products, product.id);
    const ops = replica(stack, { clock: new ManualClock(new Date(Date.now() + ORPHAN_GRACE_MS + 5000)) });
    const swept = await ops.sweeper.sweep();
    expect(swept).toMatchObject({ settled: 1, released: 0 });
    expect(await available(stack, product.id)).toBe(3);
  });

  it('an outbox row nobody kicked the relay for (its replica died after the commit) is published by the relay on its own', async () => {
    const stream = `test:outbox-safety-net:${randomUUID()}`;
    const eventId = randomUUID();
    await sql(stack, 'insert into outbox (event_id, stream, type, payload, created_at) values (?, ?, ?, ?, now(3))', [eventId, stream, 'test.untouched', '{"n":1}']);
    const publishedAt = async () => (await sql<{ published_at: Date | null }>(stack, 'select published_at from outbox where event_id = ?', [eventId]))[0].published_at;
    // The relay appends to the stream, then marks the row: wait for both.
    await eventually(async () => (await stack.order.deps.redis.xlen(stream)) === 1 && (await publishedAt()) !== null, 10_000);
    const [entry] = await stack.order.deps.redis.xrange(stream, '-', '+');
    expect(entry[1]).toEqual(['id', eventId, 'type', 'test.untouched', 'payload', '{"n":1}']);
    expect(await stack.order.deps.redis.xlen(stream)).toBe(1);
    await stack.order.deps.redis.del(stream);
  });

  it('a database failure during commit gives the units back before answering, and changes nothing', async () => {
    const product = await createSaleProduct(stack, { stock: 5 });
    const [buyer] = await buyers(stack, 1);
    const conn = stack.order.deps.orm.em.getConnection();
    await conn.execute('rename table outbox to outbox_unavailable');
    let answer;
    try {
      answer = await placeOrder(stack, buyer, [{ productId: product.id, quantity: 2 }], 'during-outage');
    } finally {
      await conn.execute('rename table outbox_unavailable to outbox');
    }
    expect(answer.payload).toBeNull();
    expect(answer.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(answer.errors)).not.toMatch(/outbox|sql|select|insert/i);
    expect(await available(stack, product.id)).toBe(5);
    expect(await boughtBy(stack, product.id, buyer.userId)).toBe(0);
    expect(await orderCount(buyer.userId)).toBe(0);
    // Once the database is back, the same checkout succeeds.
    const retry = await placeOrder(stack, buyer, [{ productId: product.id, quantity: 2 }], 'during-outage');
    expect(retry.payload!.order!.status).toBe('PENDING_PAYMENT');
    expect(await available(stack, product.id)).toBe(3);
  });

  it('Redis loses a product mid-sale: the next order rebuilds it from the truth, limits still hold, and no unit is oversold', async () => {
    const product = await createSaleProduct(stack, { stock: 30, maxPerCustomer: 3 });
    const early = await buyers(stack, 10);
    const orders = await Promise.all(early.map((b) => placed(stack, b, [{ productId: product.id, quantity: 2 }])));
    await Promise.all(orders.slice(0, 5).map((o, i) => payOrder(stack, early[i], o.id)));
    await eventually(async () => (await readProductStock(stack, product.id)) === 20);

    // Redis forgets the product: its stock hash, the per-buyer counts and every reservation part.
    const redis = stack.order.deps.redis;
    await redis.del(redisKeys.productStock(product.id), orderKeys.bought(product.id), orderKeys.reservations(product.id), orderKeys.reservationsDue(product.id));

    // An early buyer holding 2 of at most 3 asks for 2 more: the rebuilt count still says no.
    const greedy = await placeOrder(stack, early[7], [{ productId: product.id, quantity: 2 }]);
    expect(greedy.payload!.userErrors.map((e) => e.code)).toEqual(['LIMIT_EXCEEDED']);
    // available = stock 20 - 10 units held by the 5 unpaid orders.
    expect(await available(stack, product.id)).toBe(10);

    const late = await buyers(stack, 25);
    const answers = await Promise.all(late.map((b) => placeOrder(stack, b, [{ productId: product.id, quantity: 1 }])));
    expect(answers.filter((a) => a.payload?.order)).toHaveLength(10);
    expect(await available(stack, product.id)).toBe(0);

    // Every unpaid order expires: the rebuilt reservation records give exactly their units back.
    const ops = replica(stack, { clock: new ManualClock(new Date(Date.now() + 3600_000)) });
    await ops.sweeper.sweep();
    expect(await unitsIn(stack, product.id, ['PENDING_PAYMENT'])).toBe(0);
    expect(await available(stack, product.id)).toBe(20);
    expect(await unitsIn(stack, product.id, ['PREPARING'])).toBe(10);
    expect(await readProductStock(stack, product.id)).toBe(20);
  });

  it('the sweeper rebuilds a lost hash of a product with unpaid orders without waiting for the next order', async () => {
    const product = await createSaleProduct(stack, { stock: 9 });
    const crowd = await buyers(stack, 3);
    await Promise.all(crowd.map((b) => placed(stack, b, [{ productId: product.id, quantity: 2 }])));
    await stack.order.deps.redis.del(redisKeys.productStock(product.id));
    const swept = await replica(stack).sweeper.sweep();
    expect(swept.rebuilt).toBeGreaterThanOrEqual(0); // the stack's own sweeper may have been first
    expect(await available(stack, product.id)).toBe(3);
    const hash = await stack.order.deps.redis.hgetall(redisKeys.productStock(product.id));
    expect(hash).toMatchObject({ available: '3', price: '1000', currency: 'USD', closesAt: '0', maxPerCustomer: '0', active: '1' });
  });

  it('a consumer group whose lag counter is wrong (as on a promoted Redis 7.0 replica) does not hold up a rebuild once it has read everything', async () => {
    const product = await createSaleProduct(stack, { stock: 9 });
    const crowd = await buyers(stack, 3);
    const orders = await Promise.all(crowd.map((b) => placed(stack, b, [{ productId: product.id, quantity: 2 }])));
    await payOrder(stack, crowd[0], orders[0].id);
    await eventually(async () => (await readProductStock(stack, product.id)) === 7);

    // The group has read and acknowledged every event, but its entries-read counter says otherwise:
    // what a replica promoted on Redis 7.0 holds (it never received the counter), so XINFO's lag is
    // not 0 although nothing is left to read.
    const redis = stack.order.deps.redis;
    const stream = `${stack.config.REDIS_PREFIX}${redisKeys.stockEvents}`;
    await redis.xgroup('SETID', stream, STOCK_EVENTS_GROUP, '$', 'ENTRIESREAD', 0);
    const [group] = ((await redis.xinfo('GROUPS', stream)) as unknown[][]).map((g) => fieldRecord(g));
    expect(group).toMatchObject({ name: STOCK_EVENTS_GROUP, pending: 0 });
    expect(Number(group.lag)).toBeGreaterThan(0);

    // Redis loses the hash: the next order rebuilds it (available 9 - 2 sold - 4 held = 3) instead of
    // answering "Stock is being recovered" for as long as the counter stays wrong.
    await redis.del(redisKeys.productStock(product.id));
    const [late] = await buyers(stack, 1);
    const answer = await placeOrder(stack, late, [{ productId: product.id, quantity: 1 }]);
    expect(answer.errors).toBeUndefined();
    expect(answer.payload?.order).toBeTruthy();
    expect(await available(stack, product.id)).toBe(2);
  });
});
