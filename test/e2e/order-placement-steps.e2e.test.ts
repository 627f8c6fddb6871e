/**
 * The placement steps of placeOrder under the default ORDER_LOCK_SCOPE=script (no Redlock): the
 * idempotency guard inside the reservation script, a first attempt that died between reserve and
 * commit, and the group commit that shares one transaction between concurrent orders.
 */
import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { startStack, Stack } from '../support/stack';
import { createSaleProduct } from '../support/catalog';
import { available, boughtBy, buyers, placeOrder, reservationCount, sql, unitsIn } from '../support/orders';
import { orderKeys, Order, OrderCommits } from '@flashsale/order-subgraph';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

const ordersWithKey = async (userId: string, key: string) =>
  Number((await sql<{ n: number }>(stack, 'select count(*) as n from `order` where user_id = ? and idempotency_key = ?', [userId, key]))[0].n);

describe('the idempotency guard in the reservation script', () => {
  it('15 requests with one key at the same moment (under the per-user rate limit) take one unit and all answer the same order', async () => {
    const product = await createSaleProduct(stack, { stock: 10, maxPerCustomer: 5 });
    const [buyer] = await buyers(stack, 1);
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 15 }, () => placeOrder(stack, buyer, [{ productId: product.id, quantity: 1 }], key)));
    expect(answers.filter((a) => a.errors)).toEqual([]);
    expect(new Set(answers.map((a) => a.payload?.order?.id)).size).toBe(1);
    expect(await available(stack, product.id)).toBe(9);
    expect(await boughtBy(stack, product.id, buyer.userId)).toBe(1);
    expect(await ordersWithKey(buyer.userId, key)).toBe(1);
  });

  it('a first attempt that reserved and then died: a retry with its key places the order once, and the dead hold is given back', async () => {
    const product = await createSaleProduct(stack, { stock: 5 });
    const [buyer] = await buyers(stack, 1);
    const key = randomUUID();
    const lines = [{ productId: product.id, quantity: 2 }];
    const deadAttempt = randomUUID();
    const reserved = await stack.order.services.reservations.reserve(deadAttempt, buyer.userId, lines, 600_000, key);
    expect(reserved.status).toBe('reserved');
    // Make the dead attempt older than any placement may take (ORDER_LOCK_TTL_MS) by moving its deadline back.
    const redis = stack.order.deps.redis;
    const record = JSON.parse((await redis.hget(orderKeys.reservations(product.id), deadAttempt))!);
    record.deadline -= 60_000;
    await redis.hset(orderKeys.reservations(product.id), deadAttempt, JSON.stringify(record));

    const answer = await placeOrder(stack, buyer, lines, key);
    expect(answer.errors).toBeUndefined();
    expect(answer.payload?.order?.id).toBeDefined();
    expect(answer.payload?.order?.id).not.toBe(deadAttempt);
    expect(await available(stack, product.id)).toBe(3);
    expect(await boughtBy(stack, product.id, buyer.userId)).toBe(2);
    expect(await redis.hexists(orderKeys.reservations(product.id), deadAttempt)).toBe(0);
    expect(await ordersWithKey(buyer.userId, key)).toBe(1);

    const again = await placeOrder(stack, buyer, lines, key);
    expect(again.payload?.order?.id).toBe(answer.payload?.order?.id);
    expect(await available(stack, product.id)).toBe(3);
  });

  it('a first attempt still committing makes its replay wait for it instead of placing a second order', async () => {
    const product = await createSaleProduct(stack, { stock: 5 });
    const [buyer] = await buyers(stack, 1);
    const key = randomUUID();
    const lines = [{ productId: product.id, quantity: 1 }];
    const inFlight = randomUUID();
    await stack.order.services.reservations.reserve(inFlight, buyer.userId, lines, 600_000, key);
    const started = Date.now();
    const answer = await placeOrder(stack, buyer, lines, key);
    expect(answer.payload).toBeNull();
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfter: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await available(stack, product.id)).toBe(4);
    expect(await reservationCount(stack)).toBeGreaterThanOrEqual(1);
    expect(await ordersWithKey(buyer.userId, key)).toBe(0);
  });
});

describe('group commit', () => {
  it('300 buyers at once for 100 units: exactly 100 orders with their items and order.placed events', async () => {
    const product = await createSaleProduct(stack, { stock: 100 });
    const crowd = await buyers(stack, 300);
    const answers = await Promise.all(crowd.map((b) => placeOrder(stack, b, [{ productId: product.id, quantity: 1 }])));
    expect(answers.filter((a) => a.errors)).toEqual([]);
    const orderIds = answers.flatMap((a) => (a.payload?.order ? [a.payload.order.id] : []));
    expect(orderIds).toHaveLength(100);
    expect(await available(stack, product.id)).toBe(0);
    expect(await unitsIn(stack, product.id, ['PENDING_PAYMENT'])).toBe(100);
    const events = await sql<{ n: number }>(stack, "select count(*) as n from outbox where type = 'order.placed' and json_value(payload, '$.orderId') in (?)", [orderIds]);
    expect(Number(events[0].n)).toBe(100);
  });

  it('one order that cannot commit (a duplicate key) fails alone; the rest of its batch commits', async () => {
    const { orm, logger } = stack.order.deps;
    const commits = new OrderCommits(orm, logger, { parallel: 1, maxBatch: 50, gapMs: 0 });
    const userId = randomUUID();
    const row = (id: string, key: string) => ({
      stillValid: () => true,
      write: (em: Parameters<Parameters<typeof commits.commit>[0]['write']>[0]) =>
        em.create(Order, { id, userId, idempotencyKey: key, total: 100, currency: 'EUR', reservationExpiresAt: new Date(Date.now() + 60_000), statusChangedAt: new Date(), createdAt: new Date() }),
    });
    const taken = `key-${randomUUID()}`;
    expect(await commits.commit(row(randomUUID(), taken))).toEqual({ committed: true });

    const ids = Array.from({ length: 20 }, () => randomUUID());
    const outcomes = await Promise.all([...ids.map((id) => commits.commit(row(id, `key-${id}`))), commits.commit(row(randomUUID(), taken))]);
    expect(outcomes.slice(0, 20).every((o) => o.committed)).toBe(true);
    const failed = outcomes[20];
    expect(failed.committed).toBe(false);
    expect(!failed.committed && failed.error).toBeInstanceOf(UniqueConstraintViolationException);
    expect(Number((await sql<{ n: number }>(stack, 'select count(*) as n from `order` where user_id = ?', [userId]))[0].n)).toBe(21);
  });
});

describe('with ORDER_LOCK_SCOPE=buyer (a Redlock per buyer around the same steps)', () => {
  let buyerScoped: Stack;
  beforeAll(async () => {
    buyerScoped = await startStack({ ORDER_LOCK_SCOPE: 'buyer', ORDER_LOCK_WAIT_MS: '30000' });
  });
  afterAll(() => buyerScoped?.stop());

  it('40 buyers race for 10 units: exactly 10 orders; one buyer sending one key 10 times places one order', async () => {
    const product = await createSaleProduct(buyerScoped, { stock: 10 });
    const crowd = await buyers(buyerScoped, 40);
    const answers = await Promise.all(crowd.map((b) => placeOrder(buyerScoped, b, [{ productId: product.id, quantity: 1 }])));
    expect(answers.filter((a) => a.errors)).toEqual([]);
    expect(answers.filter((a) => a.payload?.order)).toHaveLength(10);
    expect(await available(buyerScoped, product.id)).toBe(0);
    expect(await unitsIn(buyerScoped, product.id, ['PENDING_PAYMENT'])).toBe(10);

    const other = await createSaleProduct(buyerScoped, { stock: 5 });
    const [buyer] = await buyers(buyerScoped, 1);
    const key = randomUUID();
    const replays = await Promise.all(Array.from({ length: 10 }, () => placeOrder(buyerScoped, buyer, [{ productId: other.id, quantity: 1 }], key)));
    expect(replays.filter((a) => a.errors)).toEqual([]);
    expect(new Set(replays.map((r) => r.payload?.order?.id)).size).toBe(1);
    expect(await available(buyerScoped, other.id)).toBe(4);
  });
});
