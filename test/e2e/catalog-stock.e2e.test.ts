/**
 * Stock truth and its Redis mirror: stock events from the order subgraph (published here directly,
 * exactly as the outbox relay does: XADD with fields id, type, payload) applied once each to
 * product.stock, never below zero; and the hash rebuilt from truth after Redis loses it.
 */
import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/core';
import { ProcessedEvent, listDeadLetters, redisKeys, StockEvent } from '@flashsale/platform';
import { startStack, Stack } from '../support/stack';
import { graphql } from '../gql';
import { createSaleProduct, readProductStock, readStockHash, adminToken } from '../support/catalog';
import { STOCK_EVENTS_GROUP, Product, CreateProductInput, UpdateProductInput } from '@flashsale/product-subgraph';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

const redis = () => stack.product.deps.redis;

/** Publishes like the outbox relay; `eventId` may repeat to simulate a redelivery. */
async function publish(event: StockEvent, eventId: string = randomUUID()): Promise<string> {
  await redis().xadd(redisKeys.stockEvents, '*', 'id', eventId, 'type', event.type, 'payload', JSON.stringify(event));
  return eventId;
}

const sold = (productId: string, quantity: number): StockEvent => ({ type: 'stock.sold', productId, quantity, orderId: randomUUID() });
const returned = (productId: string, quantity: number): StockEvent => ({ type: 'stock.returned', productId, quantity, orderId: randomUUID() });

async function processed(eventIds: string[]): Promise<number> {
  return stack.product.deps.orm.em.fork().count(ProcessedEvent, { eventId: { $in: eventIds } });
}

/**
 * Waits until everything published so far has been handled: a marker event published last is
 * recorded (one consumer handles a stream in order) and nothing is left pending in the group.
 */
async function drain(markerProductId: string): Promise<void> {
  const marker = await publish(returned(markerProductId, 1));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const pending = (await redis().xpending(redisKeys.stockEvents, STOCK_EVENTS_GROUP)) as [number, ...unknown[]];
    if ((await processed([marker])) === 1 && Number(pending[0]) === 0) return;
    if (Date.now() > deadline) throw new Error('stock events were not consumed in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('stock events', () => {
  let marker: string;
  beforeAll(async () => {
    marker = (await createSaleProduct(stack, { stock: 0 })).id;
  });

  it('applies a sale delivered twice once: stock 10 → 7, and leaves Redis availability alone', async () => {
    const p = await createSaleProduct(stack, { stock: 10 });
    const event = sold(p.id, 3);
    const id = await publish(event);
    await publish(event, id); // the relay re-published after a crash: same event id
    await drain(marker);
    expect(await readProductStock(stack, p.id)).toBe(7);
    expect(await processed([id])).toBe(1);
    // The reservation already took these units from `available`; the event only moves the truth.
    expect(await readStockHash(stack, p.id)).toMatchObject({ available: 10 });
  });

  it('returns units: stock 5 → 5 − 2 + 4 = 7', async () => {
    const p = await createSaleProduct(stack, { stock: 5 });
    await publish(sold(p.id, 2));
    await publish(returned(p.id, 4));
    await drain(marker);
    expect(await readProductStock(stack, p.id)).toBe(7);
  });

  it('50 one-unit sales published at once lower stock by exactly 50', async () => {
    const p = await createSaleProduct(stack, { stock: 80 });
    const ids = await Promise.all(Array.from({ length: 50 }, () => publish(sold(p.id, 1))));
    await drain(marker);
    expect(await readProductStock(stack, p.id)).toBe(30);
    expect(await processed(ids)).toBe(50);
  });

  it('never takes stock below zero: a sale of 5 against 2 in stock clamps at 0 (and is recorded as processed)', async () => {
    const p = await createSaleProduct(stack, { stock: 2 });
    const id = await publish(sold(p.id, 5));
    await drain(marker);
    expect(await readProductStock(stack, p.id)).toBe(0);
    expect(await processed([id])).toBe(1);
  });

  it('skips events for unknown products, dead-letters events with bad quantities or unreadable payloads, and keeps consuming', async () => {
    const p = await createSaleProduct(stack, { stock: 10 });
    const unknown = await publish(sold(randomUUID(), 1));
    const negative = await publish({ ...sold(p.id, 1), quantity: -4 });
    const fractional = await publish({ ...sold(p.id, 1), quantity: 1.5 });
    const unreadable = randomUUID();
    await redis().xadd(redisKeys.stockEvents, '*', 'id', unreadable, 'type', 'stock.sold', 'payload', '{not json');
    await publish(sold(p.id, 1));
    await drain(marker);
    expect(await readProductStock(stack, p.id)).toBe(9);
    expect(await processed([unknown])).toBe(1);
    expect(await processed([negative, fractional, unreadable])).toBe(0);
    const letters = (await listDeadLetters(redis(), redisKeys.stockEvents)).filter((l) => [negative, fractional, unreadable].includes(l.eventId));
    expect(letters.map((l) => [l.eventId, l.kind])).toEqual([
      [negative, 'malformed'],
      [fractional, 'malformed'],
      [unreadable, 'malformed'],
    ]);
    expect(letters[0].reason).toBe('stock.sold does not match its schema: quantity: Number must be greater than 0');
  });
});

describe('when Redis loses a stock hash', () => {
  const UPDATE = graphql(`
    mutation StockUpdateProduct($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { product { price stock available } userErrors { code } } }
  `);

  it('an admin change updates the row but does not recreate the hash with a guess; reconcile rebuilds it from truth', async () => {
    const p = await createSaleProduct(stack, { stock: 20, price: 800 });
    await redis().del(redisKeys.productStock(p.id));
    const res = await stack.gql(UPDATE, { id: p.id, input: { price: 900, stock: 25 } }, { token: await adminToken(stack) });
    // Shown availability falls back to the stock truth while the hash is missing.
    expect(res.data).toEqual({ updateProduct: { product: { price: 900, stock: 25, available: 25 }, userErrors: [] } });
    expect(await readStockHash(stack, p.id)).toBeNull();

    // The order subgraph knows 4 units are held by unpaid reservations.
    const em = stack.product.deps.orm.em.fork();
    expect(await stack.product.services.stock.reconcile(em, new Map([[p.id, 4]]), [p.id])).toBe(1);
    expect(await readStockHash(stack, p.id)).toEqual({ available: 21, price: 900, currency: 'USD', opensAt: expect.any(Number), closesAt: 0, maxPerCustomer: 0, active: 1, waitingRoom: 0 });
  });

  it('a full reconcile rewrites every product from the database, clamping at zero', async () => {
    const a = await createSaleProduct(stack, { stock: 3 });
    const b = await createSaleProduct(stack, { stock: 8, maxPerCustomer: 2 });
    await redis().del(redisKeys.productStock(a.id), redisKeys.productStock(b.id));
    const em = stack.product.deps.orm.em.fork();
    const total = await em.count(Product, {});
    // More reserved than in stock cannot happen in a healthy system; reconcile still never writes a negative.
    expect(await stack.product.services.stock.reconcile(em, new Map([[a.id, 5]]))).toBe(total);
    expect(await readStockHash(stack, a.id)).toMatchObject({ available: 0 });
    expect(await readStockHash(stack, b.id)).toMatchObject({ available: 8, maxPerCustomer: 2 });
  });
});

describe('when MySQL fails after Redis took an admin change', () => {
  const catalog = () => stack.product.services.catalog;
  afterEach(() => jest.restoreAllMocks());

  /**
   * Scripts the product subgraph's next flushes ('pass' or a replacement); flushes of the other
   * subgraphs running in this process (their workers) are left alone.
   */
  function scriptProductFlushes(...steps: Array<'pass' | ((em: EntityManager) => Promise<void>)>) {
    const flush = EntityManager.prototype.flush;
    const productDriver = stack.product.deps.orm.em.getDriver();
    let n = 0;
    jest.spyOn(EntityManager.prototype, 'flush').mockImplementation(function (this: EntityManager) {
      if (this.getDriver() !== productDriver || n >= steps.length) return flush.call(this);
      const step = steps[n++];
      return step === 'pass' ? flush.call(this) : step(this);
    });
  }
  const lostConnection = async () => {
    throw new Error('connection lost at commit');
  };

  it('gives the stock delta back: stock 100 → 150 fails to commit, available is 100 again', async () => {
    const p = await createSaleProduct(stack, { stock: 100, price: 500 });
    scriptProductFlushes(lostConnection);
    await expect(catalog().updateProduct(stack.product.deps.orm.em.fork(), p.id, Object.assign(new UpdateProductInput(), { stock: 150, price: 900 }))).rejects.toThrow('connection lost');
    expect(await readProductStock(stack, p.id)).toBe(100);
    expect(await readStockHash(stack, p.id)).toMatchObject({ available: 100, price: 500 });
  });

  it('drops the hash for reconcile when buyers already took the added units, rather than overstate it', async () => {
    const p = await createSaleProduct(stack, { stock: 100 });
    scriptProductFlushes(async () => {
      // Buyers reserve 130 of the 150 while the commit is in flight; then the commit fails.
      await redis().hincrby(redisKeys.productStock(p.id), 'available', -130);
      throw new Error('connection lost at commit');
    });
    await expect(catalog().updateProduct(stack.product.deps.orm.em.fork(), p.id, Object.assign(new UpdateProductInput(), { stock: 150 }))).rejects.toThrow('connection lost');
    expect(await readProductStock(stack, p.id)).toBe(100);
    expect(await readStockHash(stack, p.id)).toBeNull();
  });

  it('removes the hash of a product whose row did not commit', async () => {
    const category = (await createSaleProduct(stack)).categoryId;
    const hashes = async () => (await redis().keys(`${stack.config.REDIS_PREFIX}stock:*`)).length;
    const rowsBefore = await stack.product.deps.orm.em.fork().count(Product, {});
    const hashesBefore = await hashes();
    let hashesAtCommit = 0;
    // The first flush inserts the row inside the transaction, then the hash is written; the
    // transaction's own flush before COMMIT then fails.
    scriptProductFlushes('pass', async () => {
      hashesAtCommit = await hashes();
      throw new Error('connection lost at commit');
    });
    const input = Object.assign(new CreateProductInput(), { name: 'Ghost', price: 100, categoryId: category, stock: 5 });
    await expect(catalog().createProduct(stack.product.deps.orm.em.fork(), input)).rejects.toThrow('connection lost');
    expect(hashesAtCommit).toBe(hashesBefore + 1);
    expect(await stack.product.deps.orm.em.fork().count(Product, {})).toBe(rowsBefore);
    expect(await hashes()).toBe(hashesBefore);
  });
});

describe('stock events in one batch', () => {
  it('sold and returned events for several products, with duplicates and an event applied before, leave stock exact', async () => {
    const marker = (await createSaleProduct(stack, { stock: 0 })).id;
    const [p1, p2, p3] = await Promise.all([createSaleProduct(stack, { stock: 50 }), createSaleProduct(stack, { stock: 10 }), createSaleProduct(stack, { stock: 3 })]);
    const early = sold(p1.id, 5);
    const earlyId = await publish(early);
    await drain(marker);
    expect(await readProductStock(stack, p1.id)).toBe(45);

    const dup = sold(p2.id, 2);
    const dupId = randomUUID();
    const malformedId = randomUUID();
    const entries: Array<[StockEvent, string]> = [
      ...Array.from({ length: 10 }, (): [StockEvent, string] => [sold(p1.id, 1), randomUUID()]),
      [returned(p1.id, 3), randomUUID()],
      [early, earlyId], // re-published: applied before, must not count again
      [dup, dupId],
      [sold(p2.id, 4), randomUUID()],
      [dup, dupId], // the same event twice in this batch
      [returned(p2.id, 1), randomUUID()],
      // In stream order p3 goes 3 → 1 → 0 (the second sale is clamped) → 5.
      [sold(p3.id, 2), randomUUID()],
      [sold(p3.id, 2), randomUUID()],
      [returned(p3.id, 5), randomUUID()],
      [{ ...sold(p3.id, 1), quantity: 0 }, malformedId], // malformed: dead-lettered, the rest still applies
    ];
    const multi = redis().multi();
    for (const [event, id] of entries) multi.xadd(redisKeys.stockEvents, '*', 'id', id, 'type', event.type, 'payload', JSON.stringify(event));
    for (const [err] of (await multi.exec()) ?? []) if (err) throw err;
    await drain(marker);

    expect(await readProductStock(stack, p1.id)).toBe(45 - 10 + 3);
    expect(await readProductStock(stack, p2.id)).toBe(10 - 2 - 4 + 1);
    expect(await readProductStock(stack, p3.id)).toBe(5);
    const ids = [...new Set(entries.map(([, id]) => id))].filter((id) => id !== malformedId);
    expect(await processed(ids)).toBe(ids.length);
    expect(await processed([malformedId])).toBe(0);
    expect((await listDeadLetters(redis(), redisKeys.stockEvents)).filter((l) => l.eventId === malformedId).map((l) => l.kind)).toEqual(['malformed']);
  });
});
