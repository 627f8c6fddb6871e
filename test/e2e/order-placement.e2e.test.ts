/**
 * placeOrder through the gateway under real concurrency (ORDER_LOCK_SCOPE=script, the default):
 * exact counts in MySQL and Redis afterwards, typed outcomes, idempotent replays, and reads.
 */
import { randomUUID } from 'node:crypto';
import { Identity } from '@flashsale/platform';
import { GraphQLResponse, startStack, Stack } from '../support/stack';
import type { MyOrdersPageQuery } from '../gql/graphql';
import { graphql } from '../gql';
import { signedHeaders } from '../support/signed';
import { adminToken, createSaleProduct } from '../support/catalog';
import { createTestUser } from '../support/users';
import { available, boughtBy, buyers, placed, placeOrder, reservationCount, sql, unitsIn } from '../support/orders';

const ORDER_BY_ID = graphql(`
  query OrderById($id: ID!) { order(id: $id) { id status items { quantity product { id name } } } }
`);
const MY_ORDERS_PAGE = graphql(`
  query MyOrdersPage($after: String) {
    me { ordersConnection(first: 2, after: $after) { edges { cursor node { ...OrderFields items { product { name } } } } pageInfo { hasNextPage endCursor } } }
  }
`);
const MY_ORDERS_LIST_FIRST = graphql(`
  query MyOrdersListFirst { me { orders(first: 3) { id cursor } } }
`);
const MY_ORDERS_LIST_AFTER = graphql(`
  query MyOrdersListAfter($after: String) { me { orders(first: 3, after: $after) { id } } }
`);
const MY_ORDERS_GARBAGE_CURSOR = graphql(`
  query MyOrdersGarbageCursor { me { ordersConnection(after: "garbage") { edges { cursor } } } }
`);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

const countOrders = async (productId: string, status = 'PENDING_PAYMENT') =>
  Number(
    (await sql<{ n: number }>(stack, 'select count(distinct o.id) as n from `order` o join order_item i on i.order_id = o.id where i.product_id = ? and o.status = ?', [productId, status]))[0].n,
  );

describe('a flash sale', () => {
  it('200 buyers race for 50 units: exactly 50 orders, 150 sold-out answers, available 0, and MySQL and Redis agree', async () => {
    const product = await createSaleProduct(stack, { stock: 50, price: 2500 });
    const crowd = await buyers(stack, 200);
    const answers = await Promise.all(crowd.map((b) => placeOrder(stack, b, [{ productId: product.id, quantity: 1 }])));

    expect(answers.filter((a) => a.errors)).toEqual([]);
    const winners = answers.filter((a) => a.payload?.order);
    const soldOut = answers.filter((a) => a.payload?.userErrors[0]?.code === 'SOLD_OUT');
    expect(winners).toHaveLength(50);
    expect(soldOut).toHaveLength(150);
    expect(soldOut.every((a) => a.payload!.order === null && a.payload!.userErrors[0].available === 0 && a.payload!.userErrors[0].productId === product.id)).toBe(true);
    expect(winners.every((a) => a.payload!.order!.status === 'PENDING_PAYMENT' && a.payload!.order!.total === 2500)).toBe(true);

    expect(await available(stack, product.id)).toBe(0);
    expect(await countOrders(product.id)).toBe(50);
    expect(await unitsIn(stack, product.id, ['PENDING_PAYMENT'])).toBe(50);
    expect(await reservationCount(stack)).toBeGreaterThanOrEqual(50);
    const winnerIds = new Set(winners.map((a) => a.payload!.order!.id));
    const placedEvents = await sql<{ n: number }>(stack, "select count(*) as n from outbox where type = 'order.placed'");
    expect(Number(placedEvents[0].n)).toBeGreaterThanOrEqual(winnerIds.size);
  });

  it('multi-line orders over three products are all-or-nothing: every product sells exactly what the orders hold', async () => {
    const [a, b, c] = await Promise.all([createSaleProduct(stack, { stock: 30 }), createSaleProduct(stack, { stock: 20 }), createSaleProduct(stack, { stock: 10 })]);
    const crowd = await buyers(stack, 60);
    // Every buyer wants all three; C runs out first, and then nobody may take A or B alone.
    const answers = await Promise.all(
      crowd.map((buyer, i) =>
        placeOrder(stack, buyer, [
          { productId: a.id, quantity: 1 + (i % 2) },
          { productId: b.id, quantity: 1 },
          { productId: c.id, quantity: 1 },
        ]),
      ),
    );
    const winners = answers.filter((x) => x.payload?.order);
    expect(winners).toHaveLength(10);
    for (const loser of answers.filter((x) => !x.payload?.order)) {
      expect(loser.payload!.userErrors.map((e) => [e.code, e.productId])).toEqual([['SOLD_OUT', c.id]]);
    }
    const aUnits = winners.reduce((sum, w) => sum + w.payload!.order!.items.find((it) => it.product.id === a.id)!.quantity, 0);
    expect(await available(stack, a.id)).toBe(30 - aUnits);
    expect(await available(stack, b.id)).toBe(10);
    expect(await available(stack, c.id)).toBe(0);
    for (const [p, stock] of [[a, 30], [b, 20], [c, 10]] as const) {
      expect(await unitsIn(stack, p.id, ['PENDING_PAYMENT'])).toBe(stock - (await available(stack, p.id))!);
    }
  });

  it('mixed baskets racing over three products never oversell any of them', async () => {
    const products = await Promise.all([8, 12, 5].map((stock) => createSaleProduct(stack, { stock })));
    const crowd = await buyers(stack, 80);
    const answers = await Promise.all(
      crowd.map((buyer, i) => {
        const lines = products.filter((_, j) => (i >> j) & 1 || j === i % 3).map((p, j) => ({ productId: p.id, quantity: 1 + ((i + j) % 3) }));
        return placeOrder(stack, buyer, lines);
      }),
    );
    expect(answers.filter((x) => x.errors)).toEqual([]);
    for (const [j, p] of products.entries()) {
      const left = (await available(stack, p.id))!;
      expect(left).toBeGreaterThanOrEqual(0);
      expect(await unitsIn(stack, p.id, ['PENDING_PAYMENT'])).toBe([8, 12, 5][j] - left);
    }
  });
});

describe('the per-customer limit', () => {
  it('holds when one buyer sends ten orders at the same moment: two units, eight LIMIT_EXCEEDED', async () => {
    const product = await createSaleProduct(stack, { stock: 100, maxPerCustomer: 2 });
    const [buyer] = await buyers(stack, 1);
    const answers = await Promise.all(Array.from({ length: 10 }, () => placeOrder(stack, buyer, [{ productId: product.id, quantity: 1 }])));
    expect(answers.filter((a) => a.payload?.order)).toHaveLength(2);
    const refused = answers.filter((a) => a.payload?.userErrors[0]?.code === 'LIMIT_EXCEEDED');
    expect(refused).toHaveLength(8);
    expect(refused[0].payload!.userErrors[0]).toMatchObject({ limit: 2, productId: product.id, field: 'items.0.quantity' });
    expect(await available(stack, product.id)).toBe(98);
    expect(await boughtBy(stack, product.id, buyer.userId)).toBe(2);
  });

  it('refuses a single line above the limit and leaves everything as it was', async () => {
    const product = await createSaleProduct(stack, { stock: 10, maxPerCustomer: 3 });
    const [buyer] = await buyers(stack, 1);
    const a = await placeOrder(stack, buyer, [{ productId: product.id, quantity: 4 }]);
    expect(a.payload).toMatchObject({ order: null, userErrors: [{ code: 'LIMIT_EXCEEDED', limit: 3 }] });
    expect(await available(stack, product.id)).toBe(10);
    expect(await boughtBy(stack, product.id, buyer.userId)).toBe(0);
  });
});

describe('idempotent replays', () => {
  it('20 identical requests at the same moment place one order and all answer it', async () => {
    const product = await createSaleProduct(stack, { stock: 10 });
    const [buyer] = await buyers(stack, 1);
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 20 }, () => placeOrder(stack, buyer, [{ productId: product.id, quantity: 3 }], key)));
    expect(answers.filter((a) => a.errors)).toEqual([]);
    const ids = new Set(answers.map((a) => a.payload?.order?.id));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toBeDefined();
    expect(await available(stack, product.id)).toBe(7);
    expect(await countOrders(product.id)).toBe(1);
  });

  it('a replay after the fact returns the first order; the same key with other lines is refused', async () => {
    const product = await createSaleProduct(stack, { stock: 10 });
    const [buyer] = await buyers(stack, 1);
    const first = await placeOrder(stack, buyer, [{ productId: product.id, quantity: 1 }], 'checkout-1');
    const again = await placeOrder(stack, buyer, [{ productId: product.id, quantity: 1 }], 'checkout-1');
    expect(again.payload!.order!.id).toBe(first.payload!.order!.id);
    const other = await placeOrder(stack, buyer, [{ productId: product.id, quantity: 2 }], 'checkout-1');
    expect(other.payload).toMatchObject({ order: null, userErrors: [{ code: 'IDEMPOTENCY_KEY_REUSED', field: 'idempotencyKey' }] });
    expect(await available(stack, product.id)).toBe(9);
    // Keys belong to a buyer: another buyer's same key is a new order.
    const [someoneElse] = await buyers(stack, 1);
    const theirs = await placeOrder(stack, someoneElse, [{ productId: product.id, quantity: 1 }], 'checkout-1');
    expect(theirs.payload!.order!.id).not.toBe(first.payload!.order!.id);
  });
});

describe('typed outcomes', () => {
  it('a sale that has not opened answers SALE_NOT_OPEN with opensAt; a closed one SALE_CLOSED', async () => {
    const opensAt = new Date(Date.now() + 3600_000);
    const future = await createSaleProduct(stack, { stock: 5, opensAt });
    const past = await createSaleProduct(stack, { stock: 5, opensAt: new Date(Date.now() - 7200_000), closesAt: new Date(Date.now() - 3600_000) });
    const [buyer] = await buyers(stack, 1);
    const a = await placeOrder(stack, buyer, [{ productId: future.id, quantity: 1 }]);
    expect(a.payload!.userErrors).toEqual([expect.objectContaining({ code: 'SALE_NOT_OPEN', productId: future.id, opensAt: opensAt.toISOString() })]);
    const b = await placeOrder(stack, buyer, [{ productId: past.id, quantity: 1 }]);
    expect(b.payload!.userErrors).toEqual([expect.objectContaining({ code: 'SALE_CLOSED', productId: past.id })]);
    // Both lines refused in one order: one error per line, nothing taken.
    const both = await placeOrder(stack, buyer, [{ productId: future.id, quantity: 1 }, { productId: past.id, quantity: 1 }]);
    expect(both.payload!.userErrors.map((e) => e.code)).toEqual(['SALE_NOT_OPEN', 'SALE_CLOSED']);
    expect(await available(stack, future.id)).toBe(5);
    expect(await available(stack, past.id)).toBe(5);
  });

  it('an unknown product answers UNKNOWN_PRODUCT and takes nothing from the other lines', async () => {
    const product = await createSaleProduct(stack, { stock: 5 });
    const [buyer] = await buyers(stack, 1);
    const unknown = randomUUID();
    const a = await placeOrder(stack, buyer, [{ productId: product.id, quantity: 1 }, { productId: unknown, quantity: 1 }]);
    expect(a.payload).toMatchObject({ order: null, userErrors: [{ code: 'UNKNOWN_PRODUCT', productId: unknown, field: 'items.1.productId' }] });
    expect(await available(stack, product.id)).toBe(5);
  });

  it.each([
    ['no lines', [], 'items'],
    ['eleven lines', Array.from({ length: 11 }, () => ({ productId: randomUUID(), quantity: 1 })), 'items'],
    ['quantity 0', [{ productId: 'P', quantity: 0 }], 'items.0.quantity'],
    ['quantity 100', [{ productId: 'P', quantity: 100 }], 'items.0.quantity'],
    ['a malformed product id', [{ productId: 'not-an-id', quantity: 1 }], 'items.0.productId'],
    ['the same product twice', [{ productId: 'P', quantity: 1 }, { productId: 'P', quantity: 1 }], 'items.1.productId'],
  ])('%s is BAD_USER_INPUT on %s and changes nothing', async (_name, lines, field) => {
    const product = await createSaleProduct(stack, { stock: 5 });
    const [buyer] = await buyers(stack, 1);
    const items = (lines as Array<{ productId: string; quantity: number }>).map((l) => ({ ...l, productId: l.productId === 'P' ? product.id : l.productId }));
    const a = await placeOrder(stack, buyer, items);
    expect(a.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await available(stack, product.id)).toBe(5);
    expect(Number((await sql<{ n: number }>(stack, 'select count(*) as n from `order` where user_id = ?', [buyer.userId]))[0].n)).toBe(0);
  });

  it('a malformed idempotency key is BAD_USER_INPUT; an anonymous caller is UNAUTHENTICATED', async () => {
    const product = await createSaleProduct(stack, { stock: 5 });
    const [buyer] = await buyers(stack, 1);
    const a = await placeOrder(stack, buyer, [{ productId: product.id, quantity: 1 }], 'no spaces allowed');
    expect(a.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
    const anon = await placeOrder(stack, { token: '' }, [{ productId: product.id, quantity: 1 }]);
    expect(anon.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(await available(stack, product.id)).toBe(5);
  });
});

describe('reading orders', () => {
  it('order(id) answers its owner and an ADMIN; a foreign and an unknown id answer the same NOT_FOUND', async () => {
    const product = await createSaleProduct(stack, { stock: 5 });
    const [owner, stranger] = await buyers(stack, 2);
    const order = await placed(stack, owner, [{ productId: product.id, quantity: 2 }]);
    const mine = await stack.gql(ORDER_BY_ID, { id: order.id }, { token: owner.token });
    expect(mine.errors).toBeUndefined();
    expect(mine.data!.order!.items).toEqual([{ quantity: 2, product: { id: product.id, name: product.name } }]);
    const admin = await stack.gql(ORDER_BY_ID, { id: order.id }, { token: await adminToken(stack) });
    expect(admin.errors).toBeUndefined();
    const foreign = await stack.gql(ORDER_BY_ID, { id: order.id }, { token: stranger.token });
    const unknown = await stack.gql(ORDER_BY_ID, { id: randomUUID() }, { token: stranger.token });
    expect(foreign.errors?.[0]).toMatchObject({ message: 'Order not found', extensions: { code: 'NOT_FOUND' } });
    expect(unknown.errors?.[0]).toMatchObject({ message: foreign.errors![0].message, extensions: foreign.errors![0].extensions });
  });

  it('other subgraphs resolve an Order by key only for its owner or an ADMIN', async () => {
    const product = await createSaleProduct(stack, { stock: 5 });
    const [owner, stranger] = await buyers(stack, 2);
    const order = await placed(stack, owner, [{ productId: product.id, quantity: 1 }]);
    const entities = async (who: Identity) => {
      const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id status } } }`;
      const variables = { r: [{ __typename: 'Order', id: order.id }] };
      const res = await stack.gql<{ _entities: Array<{ id: string; status: string } | null> }>(query, variables, {
        url: stack.order.url,
        headers: signedHeaders(stack.config.IDENTITY_SECRET!, who, stack.order.url, { query, variables }),
      });
      return res.data?._entities[0];
    };
    expect(await entities(owner)).toEqual({ id: order.id, status: 'PENDING_PAYMENT' });
    expect(await entities({ userId: randomUUID(), roles: ['ADMIN'] })).toEqual({ id: order.id, status: 'PENDING_PAYMENT' });
    expect(await entities(stranger)).toBeNull();
  });

  it('me.orders pages newest first with cursors and resolves products through federation', async () => {
    const product = await createSaleProduct(stack, { stock: 10 });
    const buyer = await createTestUser(stack);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await placed(stack, buyer, [{ productId: product.id, quantity: 1 }])).id);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 3; page++) {
      const res: GraphQLResponse<MyOrdersPageQuery> = await stack.gql(MY_ORDERS_PAGE, { after }, { token: buyer.token });
      expect(res.errors).toBeUndefined();
      const conn: MyOrdersPageQuery['me']['ordersConnection'] = res.data!.me.ordersConnection;
      seen.push(...conn.edges.map((e) => e.node.id));
      expect(conn.edges.every((e) => e.node.items[0].product.name === product.name)).toBe(true);
      expect(conn.pageInfo.hasNextPage).toBe(page < 2);
      after = conn.pageInfo.endCursor;
    }
    expect(seen).toEqual([...ids].reverse());
    // The plain list pages the same way with each order's own cursor.
    const first = await stack.gql(MY_ORDERS_LIST_FIRST, {}, { token: buyer.token });
    const next = await stack.gql(MY_ORDERS_LIST_AFTER, { after: first.data!.me.orders[2].cursor }, { token: buyer.token });
    expect([...first.data!.me.orders.map((o) => o.id), ...next.data!.me.orders.map((o) => o.id)]).toEqual([...ids].reverse());
    const bad = await stack.gql(MY_ORDERS_GARBAGE_CURSOR, {}, { token: buyer.token });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});
