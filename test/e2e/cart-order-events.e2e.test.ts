/**
 * A placed order empties the buyer's cart of what was bought. The order subgraph's outbox relay
 * publishes `order.placed` to the `events:order` stream as fields `id`, `type`, `payload`; these
 * tests publish exactly that with XADD and watch the cart subgraph's consumer apply it.
 */
import { randomUUID } from 'node:crypto';
import { OrderPlacedEvent, listDeadLetters, redisKeys } from '@flashsale/platform';
import { startStack, Stack } from '../support/stack';
import { createSaleProduct } from '../support/catalog';
import { createTestUser } from '../support/users';
import { PLACE_ORDER_RETURNING_ID } from '../support/orders';
import { graphql } from '../gql';
import { CART_ORDER_EVENTS_GROUP } from '@flashsale/cart-subgraph';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

const ADD = graphql(`
  mutation CartEventsAdd($productId: ID!, $quantity: Int) { addToCart(productId: $productId, quantity: $quantity) { userErrors { code } } }
`);
const CHANGE = graphql(`
  mutation CartEventsChange($productId: ID!, $delta: Int!) { changeCartQuantity(productId: $productId, delta: $delta) { userErrors { code } } }
`);

async function product(): Promise<string> {
  const id = randomUUID();
  await stack.product.deps.redis.hset(redisKeys.productStock(id), { available: 10, price: 100, currency: 'USD', opensAt: 0, closesAt: 0, maxPerCustomer: 0, active: 1 });
  return id;
}

/** A shopper whose cart holds `lines` (productId → quantity), filled through the gateway. */
async function shopperWith(lines: Record<string, number>) {
  const userId = randomUUID();
  const token = await stack.token({ userId, roles: ['CUSTOMER'] });
  for (const [productId, quantity] of Object.entries(lines)) {
    const res = await stack.gql(ADD, { productId, quantity }, { token });
    expect(res.data?.addToCart.userErrors).toEqual([]);
  }
  return { userId, token };
}

async function storedLines(userId: string): Promise<Record<string, number>> {
  const rows = await stack.cart.deps.orm.em
    .getConnection()
    .execute<Array<{ product_id: string; quantity: number }>>('select product_id, quantity from cart_item where user_id = ?', [userId]);
  return Object.fromEntries(rows.map((r) => [r.product_id, Number(r.quantity)]));
}

/** Publishes as the outbox relay does; returns the event id. */
async function publish<E extends { type: string }>(event: E, eventId: string = randomUUID()): Promise<string> {
  await stack.cart.deps.redis.xadd(redisKeys.orderEvents, '*', 'id', eventId, 'type', event.type, 'payload', JSON.stringify(event));
  return eventId;
}

const placed = (userId: string, items: Array<[string, number]>): OrderPlacedEvent => ({
  type: 'order.placed',
  orderId: randomUUID(),
  userId,
  items: items.map(([productId, quantity]) => ({ productId, quantity })),
});

async function processed(eventId: string): Promise<boolean> {
  const rows = await stack.cart.deps.orm.em.getConnection().execute<unknown[]>('select 1 from processed_event where event_id = ?', [eventId]);
  return rows.length > 0;
}

/** Waits (polling, not timing) until the consumer has recorded `eventId`. */
async function untilProcessed(eventId: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await processed(eventId))) {
    if (Date.now() > deadline) throw new Error(`event ${eventId} was not processed`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function pendingCount(): Promise<number> {
  const [count] = (await stack.cart.deps.redis.xpending(redisKeys.orderEvents, CART_ORDER_EVENTS_GROUP)) as [number];
  return Number(count);
}

describe('a placed order takes its lines out of the cart', () => {
  it('removes the bought quantities, deletes lines that reach zero, and leaves the rest', async () => {
    const [a, b, c, d] = await Promise.all([product(), product(), product(), product()]);
    const alice = await shopperWith({ [a]: 5, [b]: 1, [c]: 2 });

    // b bought twice in one order (two lines of it), more than the cart held; d was never in the cart.
    const id = await publish(placed(alice.userId, [[a, 2], [b, 1], [b, 1], [d, 3]]));
    await untilProcessed(id);
    expect(await storedLines(alice.userId)).toEqual({ [a]: 3, [c]: 2 });
  });

  it('applies a duplicate delivery of the same event once', async () => {
    const a = await product();
    const bob = await shopperWith({ [a]: 5 });
    const event = placed(bob.userId, [[a, 2]]);
    const id = await publish(event);
    await publish(event, id); // the relay re-sent it (e.g. it crashed before marking it published)
    const after = await publish(placed(bob.userId, [])); // stream order: processed after both copies
    await untilProcessed(after);
    expect(await storedLines(bob.userId)).toEqual({ [a]: 3 });
    const rows = await stack.cart.deps.orm.em.getConnection().execute<Array<{ n: number }>>('select count(*) as n from processed_event where event_id = ?', [id]);
    expect(Number(rows[0].n)).toBe(1);
    expect(await pendingCount()).toBe(0);
  });

  it("touches only the buyer's cart", async () => {
    const a = await product();
    const buyer = await shopperWith({ [a]: 2 });
    const other = await shopperWith({ [a]: 2 });
    await untilProcessed(await publish(placed(buyer.userId, [[a, 2]])));
    expect(await storedLines(buyer.userId)).toEqual({});
    expect(await storedLines(other.userId)).toEqual({ [a]: 2 });
  });

  it('dead-letters malformed events, ignores other event types, without stalling the stream, and handles a buyer with no cart', async () => {
    const a = await product();
    const carol = await shopperWith({ [a]: 4 });
    const malformed = await publish({ type: 'order.placed', orderId: 'x', userId: carol.userId, items: [{ productId: a, quantity: -4 }] });
    const unreadable = randomUUID();
    await stack.cart.deps.redis.xadd(redisKeys.orderEvents, '*', 'id', unreadable, 'type', 'order.placed', 'payload', '{not json');
    const otherType = await publish({ type: 'order.paid', orderId: randomUUID(), userId: carol.userId });
    const noCart = await publish(placed(randomUUID(), [[a, 1]]));
    const last = await publish(placed(carol.userId, [[a, 1]]));
    await untilProcessed(last);
    for (const id of [otherType, noCart]) expect(await processed(id)).toBe(true);
    // Retrying cannot fix a malformed event: it went to the dead-letter stream at once, with the reason.
    const letters = await listDeadLetters(stack.cart.deps.redis, redisKeys.orderEvents);
    expect(letters.filter((l) => l.eventId === malformed || l.eventId === unreadable).map((l) => [l.eventId, l.kind, l.reason])).toEqual([
      [malformed, 'malformed', expect.stringContaining('items.0.quantity: Number must be greater than 0')],
      [unreadable, 'malformed', 'payload is not JSON'],
    ]);
    expect(await processed(malformed)).toBe(false);
    expect(await storedLines(carol.userId)).toEqual({ [a]: 3 });
    expect(await pendingCount()).toBe(0);
  });

  it('an order event arriving amid simultaneous cart changes loses none of them', async () => {
    const a = await product();
    const dave = await shopperWith({ [a]: 10 });
    const eventId = randomUUID();
    const changes = Promise.all(Array.from({ length: 20 }, () => stack.gql(CHANGE, { productId: a, delta: 1 }, { token: dave.token })));
    await publish(placed(dave.userId, [[a, 4]]), eventId);
    const results = await changes;
    expect(results.every((r) => r.data!.changeCartQuantity.userErrors.length === 0)).toBe(true);
    await untilProcessed(eventId);
    expect(await storedLines(dave.userId)).toEqual({ [a]: 10 + 20 - 4 });
  });

  it('placing an order through the gateway takes the bought units out of the cart (order outbox -> stream -> cart)', async () => {
    const [a, b] = await Promise.all([createSaleProduct(stack, { stock: 20 }), createSaleProduct(stack, { stock: 20 })]);
    const buyer = await createTestUser(stack);
    for (const [productId, quantity] of [[a.id, 3], [b.id, 1]] as const) {
      const res = await stack.gql(ADD, { productId, quantity }, { token: buyer.token });
      expect(res.data?.addToCart.userErrors).toEqual([]);
    }
    const placedRes = await stack.gql(
      PLACE_ORDER_RETURNING_ID,
      { input: { items: [{ productId: a.id, quantity: 2 }], idempotencyKey: randomUUID() } },
      { token: buyer.token },
    );
    expect(placedRes.errors).toBeUndefined();
    expect(placedRes.data!.placeOrder.userErrors).toEqual([]);

    const deadline = Date.now() + 20_000;
    while ((await storedLines(buyer.id))[a.id] !== 1) {
      if (Date.now() > deadline) throw new Error(`cart not updated: ${JSON.stringify(await storedLines(buyer.id))}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(await storedLines(buyer.id)).toEqual({ [a.id]: 1, [b.id]: 1 });
  });
});

describe('order events applied in batches', () => {
  /** Publishes every (event, id) pair in one MULTI, so the consumer reads them as one batch. */
  async function publishTogether(entries: Array<[OrderPlacedEvent, string]>): Promise<void> {
    const multi = stack.cart.deps.redis.multi();
    for (const [event, id] of entries) multi.xadd(redisKeys.orderEvents, '*', 'id', id, 'type', event.type, 'payload', JSON.stringify(event));
    for (const [err] of (await multi.exec()) ?? []) if (err) throw err;
  }

  async function cartUpdatedAt(userId: string): Promise<number> {
    const rows = await stack.cart.deps.orm.em.getConnection().execute<Array<{ updated_at: Date }>>('select updated_at from cart where user_id = ?', [userId]);
    return new Date(rows[0].updated_at).getTime();
  }

  it('many buyers, some of whose carts hold the product and some not, amid cart changes: exactly the right lines remain', async () => {
    const [a, b] = await Promise.all([product(), product()]);
    // Holders of a (with a line of b too); holders of b only; buyers who never had a cart.
    const holders = await Promise.all(Array.from({ length: 12 }, (_, i) => shopperWith({ [a]: 2 + (i % 4), [b]: 1 })));
    const bOnly = await Promise.all(Array.from({ length: 6 }, () => shopperWith({ [b]: 3 })));
    const strangers = Array.from({ length: 10 }, () => randomUUID());

    // One event of the batch was applied already, on its own, before the batch.
    const early = placed(holders[0].userId, [[a, 1]]);
    const earlyId = await publish(early);
    await untilProcessed(earlyId);

    const expected: Record<string, Record<string, number>> = {};
    const entries: Array<[OrderPlacedEvent, string]> = [[early, earlyId]];
    holders.forEach((h, i) => {
      const had = 2 + (i % 4) - (i === 0 ? 1 : 0);
      // Some buy less than the line holds, some exactly as much, some more; some in two orders.
      const first = 1 + (i % 3);
      const second = i % 2 === 0 ? 1 : 0;
      const event = placed(h.userId, [[a, first]]);
      const id = randomUUID();
      entries.push([event, id]);
      if (i % 5 === 0) entries.push([event, id]); // the relay re-published it within the same batch
      if (second) entries.push([placed(h.userId, [[a, second]]), randomUUID()]);
      const left = had - first - second;
      expected[h.userId] = left > 0 ? { [a]: left, [b]: 1 } : { [b]: 1 };
    });
    for (const s of bOnly) {
      entries.push([placed(s.userId, [[a, 2]]), randomUUID()]);
      expected[s.userId] = { [b]: 3 };
    }
    for (const userId of strangers) entries.push([placed(userId, [[a, 1], [b, 1]]), randomUUID()]);
    const bOnlyStamps = await Promise.all(bOnly.map((s) => cartUpdatedAt(s.userId)));

    // Meanwhile the first holders keep adding b, each change under their own cart lock.
    const changes = Promise.all(holders.slice(0, 4).flatMap((h) => Array.from({ length: 3 }, () => stack.gql(CHANGE, { productId: b, delta: 1 }, { token: h.token }))));
    await publishTogether(entries.sort(() => Math.random() - 0.5));
    const results = await changes;
    expect(results.every((r) => r.data!.changeCartQuantity.userErrors.length === 0)).toBe(true);
    for (const h of holders.slice(0, 4)) expected[h.userId][b] += 3;

    await untilProcessed(await publish(placed(randomUUID(), []))); // published last, so handled last
    for (const [userId, lines] of Object.entries(expected)) expect(await storedLines(userId)).toEqual(lines);
    for (const [event, id] of entries) expect({ id, processed: await processed(id), order: event.orderId }).toEqual({ id, processed: true, order: event.orderId });
    // Buyers whose cart never held what they bought were not locked or written.
    expect(await Promise.all(bOnly.map((s) => cartUpdatedAt(s.userId)))).toEqual(bOnlyStamps);
    const noCart = await stack.cart.deps.orm.em.getConnection().execute<unknown[]>(`select 1 from cart where user_id in (${strangers.map(() => '?').join(',')})`, strangers);
    expect(noCart).toEqual([]);
    expect(await pendingCount()).toBe(0);
  });
});
