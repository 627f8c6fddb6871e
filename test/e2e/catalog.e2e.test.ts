/**
 * The catalog through the gateway: categories, keyset-paginated listings walked to the last page,
 * product details with live availability and sale state, and the ADMIN mutations — each admin
 * change checked against the database row and the Redis stock hash, each refused change checked
 * to have changed nothing.
 *
 * Over 300 lines: the catalog's scenarios share one stack started once for the file.
 */
import { randomUUID } from 'node:crypto';
import { redisKeys } from '@flashsale/platform';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { GraphQLResponse, startStack, Stack } from '../support/stack';
import { graphql } from '../gql';
import type { CatalogProductPayloadFragment, CatalogProductsPageQuery, CreateCategoryInput, CreateProductInput, UpdateProductInput } from '../gql/graphql';
import { adminToken, CATEGORY_IDS, createCategory, createSaleProduct, readStockHash } from '../support/catalog';
import { Product } from '@flashsale/product-subgraph';

let stack: Stack;
let admin: string;
let customer: string;
beforeAll(async () => {
  stack = await startStack();
  admin = await adminToken(stack);
  customer = await stack.token({ userId: randomUUID(), roles: ['CUSTOMER'] });
});
afterAll(() => stack?.stop());

graphql(`
  fragment CatalogProductFields on Product {
    id name description price currency stock available saleState saleOpensAt saleClosesAt maxPerCustomer active secondsUntilOpen secondsUntilClose serverTime category { id name }
  }
`);
graphql(`
  fragment CatalogProductPayload on ProductPayload { product { ...CatalogProductFields } userErrors { code message field reserved } }
`);
const CREATE_PRODUCT = graphql(`
  mutation CatalogCreateProduct($input: CreateProductInput!) { createProduct(input: $input) { ...CatalogProductPayload } }
`);
const UPDATE_PRODUCT = graphql(`
  mutation CatalogUpdateProduct($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { ...CatalogProductPayload } }
`);
const SCHEDULE_SALE = graphql(`
  mutation CatalogScheduleSale($productId: ID!, $opensAt: DateTime!, $closesAt: DateTime, $stock: Int!, $maxPerCustomer: Int) {
    scheduleSale(productId: $productId, opensAt: $opensAt, closesAt: $closesAt, stock: $stock, maxPerCustomer: $maxPerCustomer) { ...CatalogProductPayload }
  }
`);
const CREATE_CATEGORY = graphql(`
  mutation CatalogCreateCategory($input: CreateCategoryInput!) {
    createCategory(input: $input) { category { id name parent { id name } } userErrors { code message field } }
  }
`);
const PRODUCTS_PAGE = graphql(`
  query CatalogProductsPage($categoryId: ID, $first: Int, $after: String) {
    products(categoryId: $categoryId, first: $first, after: $after) {
      edges { cursor node { id name category { id } } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`);

/** Runs an ADMIN product mutation (no GraphQL errors expected) and answers its payload. */
async function mutate<TData extends Record<string, CatalogProductPayloadFragment>, TVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  field: keyof TData,
  token = admin,
): Promise<CatalogProductPayloadFragment> {
  const res = await stack.gql(document, variables, { token });
  expect(res.errors).toBeUndefined();
  return res.data![field];
}

async function dbProduct(id: string): Promise<Product | null> {
  return stack.product.deps.orm.em.fork().findOne(Product, { id });
}

/** The Redis hash says exactly what the row says, with `reserved` units held by reservations. */
async function expectHashInStep(id: string, reserved = 0) {
  const p = (await dbProduct(id))!;
  expect(await readStockHash(stack, id)).toEqual({
    available: p.stock - reserved,
    price: p.price,
    currency: p.currency,
    opensAt: p.saleOpensAt ? p.saleOpensAt.getTime() : 0,
    closesAt: p.saleClosesAt ? p.saleClosesAt.getTime() : 0,
    maxPerCustomer: p.maxPerCustomer ?? 0,
    active: p.active ? 1 : 0,
    waitingRoom: p.waitingRoomEnabled ? 1 : 0,
  });
}

/** Simulates the order subgraph's reservation script taking units from `available`. */
const reserve = (id: string, units: number) => stack.product.deps.redis.hincrby(redisKeys.productStock(id), 'available', -units);

async function productCount(): Promise<number> {
  return stack.product.deps.orm.em.fork().count(Product, {});
}

describe('browsing the catalog', () => {
  let shoes: { id: string };
  let hats: { id: string };
  const shoeIds: string[] = [];
  const hatIds: string[] = [];

  beforeAll(async () => {
    shoes = await createCategory(stack, `Shoes ${randomUUID().slice(0, 6)}`);
    hats = await createCategory(stack, `Hats ${randomUUID().slice(0, 6)}`);
    for (let i = 0; i < 17; i++) shoeIds.push((await createSaleProduct(stack, { categoryId: shoes.id, name: `Shoe ${i}` })).id);
    for (let i = 0; i < 6; i++) hatIds.push((await createSaleProduct(stack, { categoryId: hats.id, name: `Hat ${i}` })).id);
    // Five shoes created in the same millisecond: the cursor's id part must break the tie.
    await stack.product.deps.orm.em
      .getConnection()
      .execute(`update product set created_at = ? where id in (${shoeIds.slice(3, 8).map(() => '?').join(',')})`, ['2026-01-01 00:00:00.000', ...shoeIds.slice(3, 8)]);
    // An inactive product never shows up in listings.
    await mutate(UPDATE_PRODUCT, { id: shoeIds[0], input: { active: false } }, 'updateProduct');
  });

  /** Walks `products` page by page to the end; returns ids in order and the page count. */
  async function walk(args: { categoryId?: string; first: number }) {
    const ids: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const res: GraphQLResponse<CatalogProductsPageQuery> = await stack.gql(PRODUCTS_PAGE, { ...args, after });
      expect(res.errors).toBeUndefined();
      const conn = res.data!.products;
      pages++;
      expect(conn.pageInfo.hasPreviousPage).toBe(after !== null);
      expect(conn.edges.length).toBeLessThanOrEqual(args.first);
      if (conn.edges.length) {
        expect(conn.pageInfo.endCursor).toBe(conn.edges[conn.edges.length - 1].cursor);
        expect(conn.pageInfo.startCursor).toBe(conn.edges[0].cursor);
      }
      if (args.categoryId) for (const e of conn.edges) expect(e.node.category.id).toBe(args.categoryId);
      ids.push(...conn.edges.map((e) => e.node.id));
      if (!conn.pageInfo.hasNextPage) break;
      expect(conn.edges.length).toBe(args.first);
      after = conn.pageInfo.endCursor;
    }
    return { ids, pages };
  }

  async function expectedOrder(categoryId?: string): Promise<string[]> {
    const rows = await stack.product.deps.orm.em
      .getConnection()
      .execute<Array<{ id: string }>>(
        `select id from product where active = 1 ${categoryId ? 'and category_id = ?' : ''} order by created_at desc, id desc`,
        categoryId ? [categoryId] : [],
      );
    return rows.map((r) => r.id);
  }

  it('lists every active product exactly once, newest first, paging 4 at a time to the last page', async () => {
    const { ids, pages } = await walk({ first: 4 });
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(await expectedOrder());
    expect(ids).toHaveLength(22); // 23 created, 1 inactive
    expect(ids).not.toContain(shoeIds[0]);
    expect(pages).toBe(6);
  });

  it('lists one category only, to its last page, with ties in creation time broken by id', async () => {
    const { ids } = await walk({ categoryId: shoes.id, first: 3 });
    expect(ids).toEqual(await expectedOrder(shoes.id));
    expect(ids.sort()).toEqual(shoeIds.slice(1).sort());
    expect((await walk({ categoryId: hats.id, first: 100 })).ids.sort()).toEqual([...hatIds].sort());
  });

  it('answers an empty connection for an unknown category', async () => {
    const res = await stack.gql(
      graphql(`query CatalogUnknownCategory($categoryId: ID) { products(categoryId: $categoryId) { edges { cursor } pageInfo { hasNextPage endCursor } } }`),
      { categoryId: randomUUID() },
    );
    expect(res.data).toEqual({ products: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } } });
  });

  it.each([[0], [101], [-5]])('refuses first: %i with BAD_USER_INPUT', async (first) => {
    const res = await stack.gql(graphql(`query CatalogProductsFirst($first: Int) { products(first: $first) { edges { cursor } } }`), { first });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it.each([['not-a-cursor'], [Buffer.from('[1,2,3]').toString('base64url')], [Buffer.from('["x","y"]').toString('base64url')]])('refuses a forged cursor %s with BAD_USER_INPUT', async (after) => {
    const res = await stack.gql(graphql(`query CatalogProductsAfter($after: String) { products(after: $after) { edges { cursor } } }`), { after });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    expect(JSON.stringify(res.errors)).not.toMatch(/sql|select|stack/i);
  });

  it('lists categories by name with their parent', async () => {
    const child = await createCategory(stack, `Sandals ${randomUUID().slice(0, 6)}`, shoes.id);
    const res = await stack.gql(graphql(`query CatalogCategories { categories { id name parent { id name } } }`));
    const names = res.data!.categories.map((c) => c.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    expect(res.data!.categories.find((c) => c.id === child.id)?.parent?.id).toBe(shoes.id);
    expect(res.data!.categories.find((c) => c.id === shoes.id)?.parent).toBeNull();
  });
});

describe('product details', () => {
  it('shows live availability from Redis: 10 in stock, 3 reserved → 7 available', async () => {
    const p = await createSaleProduct(stack, { stock: 10, price: 1999, maxPerCustomer: 2 });
    await reserve(p.id, 3);
    const res = await stack.gql(graphql(`query CatalogProduct($id: ID!) { product(id: $id) { ...CatalogProductFields } }`), { id: p.id });
    expect(res.data?.product).toMatchObject({ id: p.id, price: 1999, currency: 'USD', stock: 10, available: 7, maxPerCustomer: 2, saleState: 'OPEN', secondsUntilOpen: null });
  });

  it('tells a countdown when an upcoming sale opens, against the server clock', async () => {
    const opensAt = new Date(Date.now() + 120_000);
    const closesAt = new Date(Date.now() + 3_600_000);
    const p = await createSaleProduct(stack, { opensAt, closesAt });
    const res = await stack.gql(
      graphql(`query CatalogSaleCountdown($id: ID!) { product(id: $id) { saleState saleOpensAt saleClosesAt secondsUntilOpen secondsUntilClose serverTime } }`),
      { id: p.id },
    );
    const d = res.data!.product!;
    expect(d).toMatchObject({ saleState: 'UPCOMING', saleOpensAt: opensAt.toISOString(), saleClosesAt: closesAt.toISOString() });
    const serverTime = new Date(d.serverTime as string).getTime();
    expect(d.secondsUntilOpen).toBe(Math.ceil((opensAt.getTime() - serverTime) / 1000));
    expect(d.secondsUntilClose).toBe(Math.ceil((closesAt.getTime() - serverTime) / 1000));
  });

  it('says CLOSED after the window, SOLD_OUT when nothing is available, CLOSED when inactive', async () => {
    const closed = await createSaleProduct(stack, { opensAt: new Date(Date.now() - 7_200_000), closesAt: new Date(Date.now() - 3_600_000) });
    const soldOut = await createSaleProduct(stack, { stock: 2 });
    await reserve(soldOut.id, 2);
    const inactive = await createSaleProduct(stack);
    await mutate(UPDATE_PRODUCT, { id: inactive.id, input: { active: false } }, 'updateProduct');
    const res = await stack.gql(
      graphql(`query CatalogSaleStates($a: ID!, $b: ID!, $c: ID!) { a: product(id: $a) { saleState available } b: product(id: $b) { saleState available } c: product(id: $c) { saleState } }`),
      { a: closed.id, b: soldOut.id, c: inactive.id },
    );
    expect(res.data).toEqual({ a: { saleState: 'CLOSED', available: 10 }, b: { saleState: 'SOLD_OUT', available: 0 }, c: { saleState: 'CLOSED' } });
  });

  it('answers null for an unknown product', async () => {
    const res = await stack.gql(graphql(`query CatalogUnknownProduct($id: ID!) { product(id: $id) { id } }`), { id: randomUUID() });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ product: null });
  });
});

describe('admin catalog management', () => {
  it('creates a category under a parent', async () => {
    const parent = await createCategory(stack);
    const res = await stack.gql(
      CREATE_CATEGORY,
      { input: { name: '  Trail running  ', parentId: parent.id } },
      { token: admin },
    );
    expect(res.data?.createCategory).toMatchObject({ category: { name: 'Trail running', parent: { id: parent.id } }, userErrors: [] });
  });

  it('refuses a duplicate, blank or orphan category with typed errors and creates nothing', async () => {
    const existing = await createCategory(stack);
    const before = (await stack.gql(CATEGORY_IDS)).data!.categories.length;
    const cases: Array<[CreateCategoryInput, string, string]> = [
      [{ name: existing.name.toUpperCase() }, 'NAME_TAKEN', 'name'],
      [{ name: '   ' }, 'INVALID_NAME', 'name'],
      [{ name: 'x'.repeat(121) }, 'INVALID_NAME', 'name'],
      [{ name: 'Orphan', parentId: randomUUID() }, 'UNKNOWN_CATEGORY', 'parentId'],
    ];
    for (const [input, code, field] of cases) {
      const res = await stack.gql(CREATE_CATEGORY, { input }, { token: admin });
      expect(res.data?.createCategory).toMatchObject({ category: null, userErrors: [{ code, field }] });
    }
    expect((await stack.gql(CATEGORY_IDS)).data!.categories.length).toBe(before);
  });

  it('creates a product whose Redis hash matches the row', async () => {
    const category = await createCategory(stack);
    const opensAt = new Date(Date.now() + 60_000);
    const closesAt = new Date(Date.now() + 600_000);
    const payload = await mutate(
      CREATE_PRODUCT,
      { input: { name: 'Limited sneaker', description: 'Only 50 pairs', price: 12900, currency: 'EUR', categoryId: category.id, stock: 50, saleOpensAt: opensAt.toISOString(), saleClosesAt: closesAt.toISOString(), maxPerCustomer: 1 } },
      'createProduct',
    );
    expect(payload.userErrors).toEqual([]);
    expect(payload.product).toMatchObject({ name: 'Limited sneaker', price: 12900, currency: 'EUR', stock: 50, available: 50, saleState: 'UPCOMING', maxPerCustomer: 1, active: true, category: { id: category.id } });
    const id = payload.product!.id as string;
    await expectHashInStep(id);
    expect(await readStockHash(stack, id)).toMatchObject({ opensAt: opensAt.getTime(), closesAt: closesAt.getTime(), maxPerCustomer: 1, currency: 'EUR' });
  });

  it('refuses invalid products with typed errors and writes no row and no hash', async () => {
    const category = await createCategory(stack);
    const base = { name: 'Valid', price: 100, categoryId: category.id, stock: 5 };
    const now = Date.now();
    const cases: Array<[Partial<CreateProductInput>, string[]]> = [
      [{ price: -1 }, ['INVALID_PRICE']],
      [{ stock: -3 }, ['INVALID_STOCK']],
      [{ saleOpensAt: new Date(now + 3_600_000).toISOString(), saleClosesAt: new Date(now + 60_000).toISOString() }, ['INVALID_SALE_WINDOW']],
      [{ saleOpensAt: new Date(now + 60_000).toISOString(), saleClosesAt: new Date(now + 60_000).toISOString() }, ['INVALID_SALE_WINDOW']],
      [{ categoryId: randomUUID() }, ['UNKNOWN_CATEGORY']],
      [{ name: '' }, ['INVALID_NAME']],
      [{ currency: 'dollars' }, ['INVALID_CURRENCY']],
      [{ maxPerCustomer: 0 }, ['INVALID_MAX_PER_CUSTOMER']],
      [{ price: -5, stock: -5, categoryId: randomUUID() }, ['INVALID_PRICE', 'INVALID_STOCK', 'UNKNOWN_CATEGORY']],
    ];
    const rowsBefore = await productCount();
    // KEYS patterns are not prefixed by ioredis, so the prefix is spelled out.
    const hashesBefore = (await stack.product.deps.redis.keys(`${stack.config.REDIS_PREFIX}stock:*`)).length;
    expect(hashesBefore).toBeGreaterThan(0);
    for (const [override, codes] of cases) {
      const payload = await mutate(CREATE_PRODUCT, { input: { ...base, ...override } }, 'createProduct');
      expect(payload.product).toBeNull();
      expect(payload.userErrors.map((e) => e.code).sort()).toEqual([...codes].sort());
    }
    expect(await productCount()).toBe(rowsBefore);
    expect((await stack.product.deps.redis.keys(`${stack.config.REDIS_PREFIX}stock:*`)).length).toBe(hashesBefore);
  });

  it('updates a product and keeps the hash in step after each change', async () => {
    const p = await createSaleProduct(stack, { stock: 10, price: 500 });
    const other = await createCategory(stack);
    const changes: UpdateProductInput[] = [
      { price: 450 },
      { name: 'Renamed', description: 'New text' },
      { currency: 'GBP' },
      { categoryId: other.id },
      { maxPerCustomer: 3 },
      { saleClosesAt: new Date(Date.now() + 86_400_000).toISOString() },
      { maxPerCustomer: null, saleClosesAt: null },
      { stock: 25 },
      { active: false },
      { active: true },
    ];
    for (const input of changes) {
      const payload = await mutate(UPDATE_PRODUCT, { id: p.id, input }, 'updateProduct');
      expect(payload.userErrors).toEqual([]);
      await expectHashInStep(p.id);
    }
    const row = (await dbProduct(p.id))!;
    expect(row).toMatchObject({ name: 'Renamed', description: 'New text', price: 450, currency: 'GBP', stock: 25, maxPerCustomer: null, saleClosesAt: null, active: true });
    expect(row.category.id).toBe(other.id);
  });

  it('refuses an invalid update with typed errors and changes neither row nor hash', async () => {
    const p = await createSaleProduct(stack, { stock: 10, price: 500, opensAt: new Date(Date.now() - 60_000), closesAt: new Date(Date.now() + 3_600_000) });
    const rowBefore = await dbProduct(p.id);
    const hashBefore = await readStockHash(stack, p.id);
    const cases: Array<[UpdateProductInput, string]> = [
      [{ price: -1 }, 'INVALID_PRICE'],
      [{ stock: -1 }, 'INVALID_STOCK'],
      // Only the open moves, past the existing close: the merged window is checked.
      [{ saleOpensAt: new Date(Date.now() + 7_200_000).toISOString() }, 'INVALID_SALE_WINDOW'],
      [{ categoryId: randomUUID(), price: 1 }, 'UNKNOWN_CATEGORY'],
    ];
    for (const [input, code] of cases) {
      const payload = await mutate(UPDATE_PRODUCT, { id: p.id, input }, 'updateProduct');
      expect(payload).toMatchObject({ product: null, userErrors: [{ code }] });
    }
    const unknown = await mutate(UPDATE_PRODUCT, { id: randomUUID(), input: { price: 1 } }, 'updateProduct');
    expect(unknown.userErrors[0].code).toBe('UNKNOWN_PRODUCT');
    expect(await dbProduct(p.id)).toEqual(rowBefore);
    expect(await readStockHash(stack, p.id)).toEqual(hashBefore);
  });

  it('schedules a sale: window, stock, limit, active — and the hash follows', async () => {
    const p = await createSaleProduct(stack, { stock: 0 });
    await mutate(UPDATE_PRODUCT, { id: p.id, input: { active: false } }, 'updateProduct');
    const opensAt = new Date(Date.now() + 300_000).toISOString();
    const closesAt = new Date(Date.now() + 900_000).toISOString();
    const payload = await mutate(SCHEDULE_SALE, { productId: p.id, opensAt, closesAt, stock: 100, maxPerCustomer: 2 }, 'scheduleSale');
    expect(payload).toMatchObject({ userErrors: [], product: { stock: 100, available: 100, saleState: 'UPCOMING', maxPerCustomer: 2, active: true, saleOpensAt: opensAt, saleClosesAt: closesAt } });
    await expectHashInStep(p.id);
    // Rescheduled without a close or a limit: both are cleared.
    await mutate(SCHEDULE_SALE, { productId: p.id, opensAt, stock: 100 }, 'scheduleSale');
    expect(await readStockHash(stack, p.id)).toMatchObject({ closesAt: 0, maxPerCustomer: 0, available: 100 });
    await expectHashInStep(p.id);
  });

  it('refuses a sale that closes before it opens, negative stock or an unknown product, changing nothing', async () => {
    const p = await createSaleProduct(stack, { stock: 5 });
    const hashBefore = await readStockHash(stack, p.id);
    const rowBefore = await dbProduct(p.id);
    const opensAt = new Date(Date.now() + 600_000).toISOString();
    const bad = await mutate(SCHEDULE_SALE, { productId: p.id, opensAt, closesAt: new Date(Date.now() + 60_000).toISOString(), stock: 10 }, 'scheduleSale');
    expect(bad.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_SALE_WINDOW', field: 'closesAt' })]);
    const negative = await mutate(SCHEDULE_SALE, { productId: p.id, opensAt, stock: -1 }, 'scheduleSale');
    expect(negative.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_STOCK', field: 'stock' })]);
    const unknown = await mutate(SCHEDULE_SALE, { productId: randomUUID(), opensAt, stock: 1 }, 'scheduleSale');
    expect(unknown.userErrors).toEqual([expect.objectContaining({ code: 'UNKNOWN_PRODUCT' })]);
    expect(await readStockHash(stack, p.id)).toEqual(hashBefore);
    expect(await dbProduct(p.id)).toEqual(rowBefore);
  });

  it('never clobbers live availability: stock 100 → 150 with 30 reserved leaves 120 available', async () => {
    const p = await createSaleProduct(stack, { stock: 100 });
    await reserve(p.id, 30);
    const up = await mutate(UPDATE_PRODUCT, { id: p.id, input: { stock: 150 } }, 'updateProduct');
    expect(up.product).toMatchObject({ stock: 150, available: 120 });
    await expectHashInStep(p.id, 30);
    const down = await mutate(SCHEDULE_SALE, { productId: p.id, opensAt: new Date().toISOString(), stock: 40 }, 'scheduleSale');
    expect(down.product).toMatchObject({ stock: 40, available: 10 });
    await expectHashInStep(p.id, 30);
  });

  it('refuses to cut stock below the units held by reservations, and changes nothing', async () => {
    const p = await createSaleProduct(stack, { stock: 100 });
    await reserve(p.id, 30);
    const payload = await mutate(UPDATE_PRODUCT, { id: p.id, input: { stock: 20, price: 1 } }, 'updateProduct');
    expect(payload).toMatchObject({ product: null, userErrors: [{ code: 'STOCK_BELOW_RESERVED', field: 'stock', reserved: 30 }] });
    expect((await dbProduct(p.id))!.stock).toBe(100);
    expect(await readStockHash(stack, p.id)).toMatchObject({ available: 70, price: 1000 });
    // Exactly the reserved units is allowed: nothing left to sell.
    const exact = await mutate(UPDATE_PRODUCT, { id: p.id, input: { stock: 30 } }, 'updateProduct');
    expect(exact.product).toMatchObject({ stock: 30, available: 0, saleState: 'SOLD_OUT' });
  });

  it('200 reservations racing 10 admin stock changes (+10 each): available ends at exactly stock − reserved', async () => {
    const p = await createSaleProduct(stack, { stock: 300 });
    // 20 buyers take 10 units each, one at a time, yielding between reservations so they interleave
    // with the admin's changes instead of all landing before the first one.
    const buyers = Array.from({ length: 20 }, async () => {
      for (let i = 0; i < 10; i++) {
        await reserve(p.id, 1);
        await new Promise((r) => setTimeout(r, 1));
      }
    });
    const adminChanges = (async () => {
      for (let stock = 310; stock <= 400; stock += 10) {
        const payload = await mutate(UPDATE_PRODUCT, { id: p.id, input: { stock } }, 'updateProduct');
        expect(payload.userErrors).toEqual([]);
      }
    })();
    await Promise.all([adminChanges, ...buyers]);
    expect((await dbProduct(p.id))!.stock).toBe(400);
    expect(await readStockHash(stack, p.id)).toMatchObject({ available: 200 });
    await expectHashInStep(p.id, 200);
  });

  describe('who may change the catalog', () => {
    const attempts = async (token?: string) => {
      const p = await createSaleProduct(stack, { stock: 5 });
      const category = await createCategory(stack);
      const calls: Array<() => Promise<GraphQLResponse>> = [
        () => stack.gql(CREATE_CATEGORY, { input: { name: `Nope ${randomUUID()}` } }, { token }),
        () => stack.gql(CREATE_PRODUCT, { input: { name: 'Nope', price: 1, categoryId: category.id, stock: 1 } }, { token }),
        () => stack.gql(UPDATE_PRODUCT, { id: p.id, input: { price: 1, stock: 1000 } }, { token }),
        () => stack.gql(SCHEDULE_SALE, { productId: p.id, opensAt: new Date().toISOString(), stock: 1000 }, { token }),
      ];
      const rowsBefore = await productCount();
      const hashBefore = await readStockHash(stack, p.id);
      const codes = [];
      for (const call of calls) {
        const res = await call();
        expect(res.data?.[Object.keys(res.data ?? {})[0]] ?? null).toBeNull();
        codes.push(res.errors?.[0].extensions?.code);
      }
      expect(await productCount()).toBe(rowsBefore);
      expect((await dbProduct(p.id))).toMatchObject({ price: 1000, stock: 5 });
      expect(await readStockHash(stack, p.id)).toEqual(hashBefore);
      return codes;
    };

    it('a customer gets FORBIDDEN for every admin mutation, and nothing changes', async () => {
      expect(await attempts(customer)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
    });

    it('an anonymous caller gets UNAUTHENTICATED, and nothing changes', async () => {
      expect(await attempts(undefined)).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED']);
    });
  });
});
