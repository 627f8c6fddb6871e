/**
 * Reference resolution is batched: however many Products or Categories one `_entities` request
 * names, the product subgraph answers with one SQL query per type (counted at the connection).
 */
import { randomUUID } from 'node:crypto';
import { GraphQLResponse, startStack, Stack } from '../support/stack';
import { graphql } from '../gql';
import type { FederationOrderProductsQuery } from '../gql/graphql';
import { createCategory, createSaleProduct } from '../support/catalog';
import { createTestUser } from '../support/users';
import { PLACE_ORDER_RETURNING_ID } from '../support/orders';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

/** Runs `fn` and returns the SQL statements the product subgraph sent to MySQL meanwhile. */
async function sqlDuring(fn: () => Promise<unknown>): Promise<string[]> {
  const conn = stack.product.deps.orm.em.getConnection();
  const spy = jest.spyOn(conn, 'execute');
  try {
    await fn();
    return spy.mock.calls.map(([q]) => (typeof q === 'string' ? q : String(q)));
  } finally {
    spy.mockRestore();
  }
}

const fromTable = (sqls: string[], table: string) => sqls.filter((s) => new RegExp(`from \`${table}\``, 'i').test(s));

describe('_entities on the product subgraph', () => {
  // Sent to the product subgraph itself (_entities is not in the API schema): raw queries.
  const ENTITIES = `query($representations: [_Any!]!) { _entities(representations: $representations) {
    ... on Product { id name price available saleState }
    ... on Category { id name } } }`;

  it('resolves 12 products in one SQL query, in request order, with null for an unknown id', async () => {
    const products = await Promise.all(Array.from({ length: 12 }, (_, i) => createSaleProduct(stack, { price: 100 + i })));
    const unknown = randomUUID();
    const reps = [...products.map((p) => ({ __typename: 'Product', id: p.id })), { __typename: 'Product', id: unknown }];
    let res: Awaited<ReturnType<typeof stack.gql>> | undefined;
    const sqls = await sqlDuring(async () => {
      res = await stack.gql(ENTITIES, { representations: reps }, { url: stack.product.url });
    });
    expect(res!.errors).toBeUndefined();
    const entities = (res!.data as { _entities: Array<{ id: string; price: number } | null> })._entities;
    expect(entities.map((e) => e?.id ?? null)).toEqual([...products.map((p) => p.id), null]);
    expect(entities.slice(0, 12).map((e) => e!.price)).toEqual(products.map((p) => p.price));
    expect(sqls).toHaveLength(1);
    expect(fromTable(sqls, 'product')).toHaveLength(1);
  });

  it('resolves products and categories together in one query per type, categories of products included', async () => {
    const cats = await Promise.all([createCategory(stack), createCategory(stack), createCategory(stack)]);
    const products = await Promise.all(Array.from({ length: 9 }, (_, i) => createSaleProduct(stack, { categoryId: cats[i % 3].id })));
    const reps = [...products.map((p) => ({ __typename: 'Product', id: p.id })), ...cats.map((c) => ({ __typename: 'Category', id: c.id }))];
    let res: Awaited<ReturnType<typeof stack.gql>> | undefined;
    const sqls = await sqlDuring(async () => {
      res = await stack.gql(
        `query($representations: [_Any!]!) { _entities(representations: $representations) {
          ... on Product { id category { id name } } ... on Category { id name } } }`,
        { representations: reps },
        { url: stack.product.url },
      );
    });
    expect(res!.errors).toBeUndefined();
    const entities = (res!.data as { _entities: Array<{ id: string; category?: { id: string } }> })._entities;
    expect(entities.slice(0, 9).map((e) => e.category!.id)).toEqual(products.map((p) => p.categoryId));
    // The named categories load with the products (one batch per type); the products' own
    // categories are the same ids, so the per-request loader answers them without another query.
    expect(fromTable(sqls, 'product')).toHaveLength(1);
    expect(fromTable(sqls, 'category')).toHaveLength(1);
    expect(sqls).toHaveLength(2);
  });
});

describe('through the gateway', () => {
  it('an order of 8 products costs the product subgraph one product query and one category query', async () => {
    const category = await createCategory(stack);
    const products = await Promise.all(Array.from({ length: 8 }, () => createSaleProduct(stack, { categoryId: category.id, stock: 5 })));
    const { token } = await createTestUser(stack);
    const placed = await stack.gql(
      PLACE_ORDER_RETURNING_ID,
      { input: { items: products.map((p) => ({ productId: p.id, quantity: 1 })), idempotencyKey: randomUUID() } },
      { token },
    );
    expect(placed.errors).toBeUndefined();
    expect(placed.data!.placeOrder.userErrors).toEqual([]);
    let res: GraphQLResponse<FederationOrderProductsQuery> | undefined;
    const sqls = await sqlDuring(async () => {
      res = await stack.gql(
        graphql(`query FederationOrderProducts { me { ordersConnection(first: 5) { edges { node { items { quantity product { id name price available saleState category { id name } } } } } } } }`),
        {},
        { token },
      );
    });
    expect(res!.errors).toBeUndefined();
    const items = res!.data!.me.ordersConnection.edges.flatMap((e) => e.node.items);
    expect(items.map((i) => i.product.id).sort()).toEqual(products.map((p) => p.id).sort());
    // Each product: 5 in stock, 1 held by this unpaid order.
    expect(items.every((i) => i.product.available === 4 && i.product.category.id === category.id)).toBe(true);
    expect(fromTable(sqls, 'product')).toHaveLength(1);
    expect(fromTable(sqls, 'category')).toHaveLength(1);
    expect(sqls).toHaveLength(2);
  });
});
