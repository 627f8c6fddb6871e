/**
 * The cart through the real gateway: every mutation, its limits, bad input, privacy, and
 * simultaneous changes by one shopper. Rows are read back from the cart database after each
 * refusal to show it changed nothing.
 *
 * Over 300 lines: the cart's scenarios share one stack started once for the file.
 */
import { randomUUID } from 'node:crypto';
import { redisKeys } from '@flashsale/platform';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { GraphQLResponse, startStack, Stack } from '../support/stack';
import { graphql } from '../gql';
import type { CartFieldsFragment, CartPayloadFieldsFragment } from '../gql/graphql';
import { signedHeaders } from '../support/signed';
import { createSaleProduct } from '../support/catalog';
import { createTestUser } from '../support/users';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

graphql(`
  fragment CartFields on Cart { items { product { id } quantity unitPrice currency lineTotal } totalQuantity subtotal { amount currency } }
`);
graphql(`
  fragment CartPayloadFields on CartPayload { cart { ...CartFields } userErrors { code message field productId limit currentQuantity } }
`);
const ADD = graphql(`
  mutation CartAdd($productId: ID!, $quantity: Int) { addToCart(productId: $productId, quantity: $quantity) { ...CartPayloadFields } }
`);
const CHANGE = graphql(`
  mutation CartChange($productId: ID!, $delta: Int!) { changeCartQuantity(productId: $productId, delta: $delta) { ...CartPayloadFields } }
`);
const REMOVE = graphql(`
  mutation CartRemove($productId: ID!) { removeFromCart(productId: $productId) { ...CartPayloadFields } }
`);
const CLEAR = graphql(`
  mutation CartClear { clearCart { ...CartPayloadFields } }
`);
const MY_CART = graphql(`
  query CartMine { me { id cart { ...CartFields } } }
`);

type CartView = CartFieldsFragment;
type Payload = CartPayloadFieldsFragment;

/** A signed-in shopper: a real account (so `me` resolves), a token, and shorthand for the cart mutations. */
async function shopper() {
  const { id: userId, token } = await createTestUser(stack);
  const call = async <TData extends Record<string, Payload>, TVariables>(document: TypedDocumentNode<TData, TVariables>, vars: TVariables): Promise<Payload> => {
    const res = await stack.gql(document, vars, { token });
    expect(res.errors).toBeUndefined();
    return Object.values(res.data!)[0];
  };
  return {
    userId,
    token,
    add: (productId: string, quantity?: number) => call(ADD, { productId, quantity }),
    change: (productId: string, delta: number) => call(CHANGE, { productId, delta }),
    remove: (productId: string) => call(REMOVE, { productId }),
    clear: () => call(CLEAR, {}),
    cart: async (): Promise<CartView> => {
      const res = await stack.gql(MY_CART, {}, { token });
      expect(res.errors).toBeUndefined();
      return res.data!.me.cart;
    },
  };
}

/** The user's lines straight from the cart database: what is really stored. */
async function storedLines(userId: string): Promise<Record<string, number>> {
  const rows = await stack.cart.deps.orm.em
    .getConnection()
    .execute<Array<{ product_id: string; quantity: number }>>('select product_id, quantity from cart_item where user_id = ? order by product_id', [userId]);
  return Object.fromEntries(rows.map((r) => [r.product_id, Number(r.quantity)]));
}

/**
 * A product known only through its stock hash, written as the product subgraph writes it
 * (StockHash in platform keys.ts). The cart consults nothing else, so this is enough for rules and
 * bulk cases and keeps them fast; cases that resolve product fields use createSaleProduct.
 */
async function hashOnlyProduct(fields: Partial<Record<'price' | 'currency' | 'active', string | number>> = {}): Promise<string> {
  const id = randomUUID();
  await stack.product.deps.redis.hset(redisKeys.productStock(id), {
    available: 10,
    price: 500,
    currency: 'USD',
    opensAt: 0,
    closesAt: 0,
    maxPerCustomer: 0,
    active: 1,
    ...fields,
  });
  return id;
}

const codeOf = (res: { errors?: Array<{ extensions?: Record<string, unknown> }> }) => res.errors?.[0]?.extensions?.code;

describe('a shopper fills a cart', () => {
  it('adds one unit by default, merges later adds into the same line, and shows product, prices and subtotal', async () => {
    const s = await shopper();
    const shoes = await createSaleProduct(stack, { price: 2500, name: 'Runner' });
    const socks = await createSaleProduct(stack, { price: 399 });

    let p = await s.add(shoes.id);
    expect(p.userErrors).toEqual([]);
    expect(p.cart.items).toEqual([{ product: { id: shoes.id }, quantity: 1, unitPrice: 2500, currency: 'USD', lineTotal: 2500 }]);

    p = await s.add(shoes.id, 2);
    p = await s.add(socks.id, 3);
    expect(p.userErrors).toEqual([]);
    expect(p.cart).toEqual({
      items: [
        { product: { id: shoes.id }, quantity: 3, unitPrice: 2500, currency: 'USD', lineTotal: 7500 },
        { product: { id: socks.id }, quantity: 3, unitPrice: 399, currency: 'USD', lineTotal: 1197 },
      ],
      totalQuantity: 6,
      subtotal: { amount: 8697, currency: 'USD' },
    });
    expect(await storedLines(s.userId)).toEqual({ [shoes.id]: 3, [socks.id]: 3 });

    // `me { cart }` resolves the products through the product subgraph.
    const res = await stack.gql(
      graphql(`query CartProductNames { me { cart { items { product { id name } quantity } } } }`),
      {},
      { token: s.token },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.me.cart.items[0]).toEqual({ product: { id: shoes.id, name: 'Runner' }, quantity: 3 });
  });

  it('shows the current list price, not the price at the time of adding (the cart stores no price)', async () => {
    const s = await shopper();
    const id = await hashOnlyProduct({ price: 1000 });
    await s.add(id, 2);
    await stack.product.deps.redis.hset(redisKeys.productStock(id), 'price', 800);
    expect((await s.cart()).subtotal).toEqual({ amount: 1600, currency: 'USD' });
  });

  it('shows no subtotal when a price is unknown or lines are in different currencies', async () => {
    const s = await shopper();
    const usd = await hashOnlyProduct({ price: 1000 });
    const eur = await hashOnlyProduct({ price: 900, currency: 'EUR' });
    await s.add(usd);
    expect((await s.cart()).subtotal).toEqual({ amount: 1000, currency: 'USD' });
    await s.add(eur);
    expect((await s.cart()).subtotal).toBeNull();
    await s.remove(eur);
    // Redis lost the hash (before reconcile rebuilds it): the line stays, its price is unknown.
    await stack.product.deps.redis.del(redisKeys.productStock(usd));
    const cart = await s.cart();
    expect(cart.items).toEqual([{ product: { id: usd }, quantity: 1, unitPrice: null, currency: null, lineTotal: null }]);
    expect(cart.subtotal).toBeNull();
  });

  it('starts empty: no lines, zero units, no subtotal', async () => {
    const s = await shopper();
    expect(await s.cart()).toEqual({ items: [], totalQuantity: 0, subtotal: null });
  });
});

describe('changing quantities', () => {
  it('moves a line up and down, removes it at zero, and adds a missing product on a positive delta', async () => {
    const s = await shopper();
    const a = await hashOnlyProduct();
    const b = await hashOnlyProduct();
    await s.add(a, 2);

    expect((await s.change(a, 5)).cart.items[0].quantity).toBe(7);
    expect((await s.change(a, -3)).cart.items[0].quantity).toBe(4);
    const gone = await s.change(a, -4);
    expect(gone.userErrors).toEqual([]);
    expect(gone.cart.items).toEqual([]);
    expect(await storedLines(s.userId)).toEqual({});

    const added = await s.change(b, 2);
    expect(added.userErrors).toEqual([]);
    expect(await storedLines(s.userId)).toEqual({ [b]: 2 });
  });

  it('refuses to decrease a product that is not in the cart, or below zero, and changes nothing', async () => {
    const s = await shopper();
    const a = await hashOnlyProduct();
    const missing = await hashOnlyProduct();
    await s.add(a, 2);

    const notThere = await s.change(missing, -1);
    expect(notThere.userErrors).toEqual([expect.objectContaining({ code: 'NOT_IN_CART', productId: missing })]);

    const below = await s.change(a, -5);
    expect(below.userErrors).toEqual([expect.objectContaining({ code: 'QUANTITY_LIMIT', field: 'delta', currentQuantity: 2, limit: 99 })]);
    expect(below.cart.items[0].quantity).toBe(2);
    expect(await storedLines(s.userId)).toEqual({ [a]: 2 });
  });

  it('removes one line, refuses to remove what is not there, and clears the whole cart', async () => {
    const s = await shopper();
    const [a, b, c] = await Promise.all([hashOnlyProduct(), hashOnlyProduct(), hashOnlyProduct()]);
    for (const id of [a, b, c]) await s.add(id);

    const removed = await s.remove(b);
    expect(removed.userErrors).toEqual([]);
    expect(removed.cart.items.map((i) => i.product.id)).toEqual([a, c]);

    const again = await s.remove(b);
    expect(again.userErrors).toEqual([expect.objectContaining({ code: 'NOT_IN_CART', productId: b })]);
    expect(await storedLines(s.userId)).toEqual({ [a]: 1, [c]: 1 });

    const cleared = await s.clear();
    expect(cleared).toEqual({ cart: { items: [], totalQuantity: 0, subtotal: null }, userErrors: [] });
    expect(await storedLines(s.userId)).toEqual({});
    // Clearing an empty cart is fine too.
    expect((await s.clear()).userErrors).toEqual([]);
  });
});

describe('limits', () => {
  it('keeps a line within 1..99 units: a change past 99 is refused and changes nothing', async () => {
    const s = await shopper();
    const a = await hashOnlyProduct();
    expect((await s.add(a, 99)).userErrors).toEqual([]);

    const over = await s.add(a);
    expect(over.userErrors).toEqual([expect.objectContaining({ code: 'QUANTITY_LIMIT', field: 'quantity', productId: a, limit: 99, currentQuantity: 99 })]);
    expect(over.cart.items[0].quantity).toBe(99);
    const overByDelta = await s.change(a, 1);
    expect(overByDelta.userErrors).toEqual([expect.objectContaining({ code: 'QUANTITY_LIMIT', field: 'delta' })]);

    await s.change(a, -39); // 60
    const merge = await s.add(a, 40);
    expect(merge.userErrors).toEqual([expect.objectContaining({ code: 'QUANTITY_LIMIT', currentQuantity: 60 })]);
    expect(await storedLines(s.userId)).toEqual({ [a]: 60 });
  });

  it('refuses unknown and inactive products; an inactive product already in the cart can be decreased or removed, not increased', async () => {
    const s = await shopper();
    const unknown = randomUUID();
    const notFound = await s.add(unknown);
    expect(notFound.userErrors).toEqual([expect.objectContaining({ code: 'PRODUCT_NOT_FOUND', field: 'productId', productId: unknown })]);
    expect((await s.change(unknown, 1)).userErrors).toEqual([expect.objectContaining({ code: 'PRODUCT_NOT_FOUND' })]);

    const withdrawn = await hashOnlyProduct({ active: 0 });
    expect((await s.add(withdrawn)).userErrors).toEqual([expect.objectContaining({ code: 'PRODUCT_UNAVAILABLE', productId: withdrawn })]);
    expect(await storedLines(s.userId)).toEqual({});

    const later = await hashOnlyProduct();
    await s.add(later, 3);
    await stack.product.deps.redis.hset(redisKeys.productStock(later), 'active', 0);
    expect((await s.add(later)).userErrors).toEqual([expect.objectContaining({ code: 'PRODUCT_UNAVAILABLE' })]);
    expect((await s.change(later, 1)).userErrors).toEqual([expect.objectContaining({ code: 'PRODUCT_UNAVAILABLE' })]);
    expect((await s.change(later, -1)).userErrors).toEqual([]);
    expect(await storedLines(s.userId)).toEqual({ [later]: 2 });
    expect((await s.remove(later)).userErrors).toEqual([]);
    expect(await storedLines(s.userId)).toEqual({});
  });
});

describe('bad input is BAD_USER_INPUT and changes nothing', () => {
  /** Sends a cart mutation for `productId` as the holder of `token`. */
  type Send = (productId: string, token: string) => Promise<GraphQLResponse>;
  const adding = (quantity: number): Send => (productId, token) => stack.gql(ADD, { productId, quantity }, { token });
  const changing = (delta: number): Send => (productId, token) => stack.gql(CHANGE, { productId, delta }, { token });
  const cases: Array<[string, Send, string | undefined]> = [
    ['quantity 0', adding(0), 'quantity'],
    ['a negative quantity', adding(-3), 'quantity'],
    ['quantity 100', adding(100), 'quantity'],
    ['a quantity beyond 32 bits', adding(2 ** 31), undefined],
    ['a fractional quantity', adding(1.5), undefined],
    ['delta 0', changing(0), 'delta'],
    ['delta 100', changing(100), 'delta'],
    ['delta -1000', changing(-1000), 'delta'],
  ];
  it.each(cases)('%s', async (_name, send, field) => {
    const s = await shopper();
    const a = await hashOnlyProduct();
    await s.add(a, 5);
    const res = await send(a, s.token);
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    if (field) expect(res.errors?.[0].extensions?.field).toBe(field);
    expect(res.data?.addToCart ?? res.data?.changeCartQuantity ?? null).toBeNull();
    expect(await storedLines(s.userId)).toEqual({ [a]: 5 });
  });

  it.each<[string, Send]>([
    ['addToCart', (productId, token) => stack.gql(ADD, { productId }, { token })],
    ['changeCartQuantity', changing(1)],
    ['removeFromCart', (productId, token) => stack.gql(REMOVE, { productId }, { token })],
  ])('a product id that is not a UUID in %s', async (_name, send) => {
    const s = await shopper();
    for (const productId of ['abc', '', `${randomUUID()}x`, "1' or '1'='1"]) {
      const res = await send(productId, s.token);
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0].extensions?.field).toBe('productId');
      expect(JSON.stringify(res.errors)).not.toMatch(/sql|stack|at \w+ \(/i);
    }
    expect(await storedLines(s.userId)).toEqual({});
  });
});

describe('only the signed-in shopper reaches a cart', () => {
  it('refuses every cart mutation to an anonymous caller with UNAUTHENTICATED', async () => {
    const a = await hashOnlyProduct();
    for (const send of [
      () => stack.gql(ADD, { productId: a }),
      () => stack.gql(CHANGE, { productId: a, delta: 1 }),
      () => stack.gql(REMOVE, { productId: a }),
      () => stack.gql(CLEAR, {}),
    ]) {
      const res = await send();
      expect(codeOf(res)).toBe('UNAUTHENTICATED');
    }
    const rows = await stack.cart.deps.orm.em.getConnection().execute<Array<{ n: number }>>('select count(*) as n from cart_item where product_id = ?', [a]);
    expect(Number(rows[0].n)).toBe(0);
  });

  it("keeps one shopper's cart out of another's view and hands another user's cart to no one", async () => {
    const alice = await shopper();
    const bob = await shopper();
    const a = await hashOnlyProduct();
    await alice.add(a, 4);

    expect(await bob.cart()).toEqual({ items: [], totalQuantity: 0, subtotal: null });
    // Bob's mutations act on Bob's cart only (there is no argument naming a cart).
    await bob.add(a, 1);
    await bob.clear();
    expect(await storedLines(alice.userId)).toEqual({ [a]: 4 });

    // Asking the cart subgraph directly for Alice's `User.cart`, as Bob (validly signed) or as nobody: FORBIDDEN.
    // Sent to the cart subgraph itself (_entities is not in the API schema): a raw query.
    const entities = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { cart { totalQuantity } } } }`;
    const vars = { r: [{ __typename: 'User', id: alice.userId }] };
    const asBob = await stack.gql(entities, vars, {
      url: stack.cart.url,
      headers: signedHeaders(stack.cart.deps.secrets.identitySecret, { userId: bob.userId, roles: ['CUSTOMER'] }, stack.cart.url, { query: entities, variables: vars }),
    });
    expect(codeOf(asBob)).toBe('FORBIDDEN');
    expect(JSON.stringify(asBob.data)).not.toContain('"totalQuantity":4');
    const anonymous = await stack.gql(entities, vars, { url: stack.cart.url });
    expect(codeOf(anonymous)).toBe('FORBIDDEN');
  });
});

describe('simultaneous changes by one shopper', () => {
  it('50 simultaneous +1 on one line through the gateway: none is lost', async () => {
    const s = await shopper();
    const a = await hashOnlyProduct();
    await s.add(a, 1);
    const results = await Promise.all(Array.from({ length: 50 }, () => s.change(a, 1)));
    expect(results.every((r) => r.userErrors.length === 0)).toBe(true);
    expect(await storedLines(s.userId)).toEqual({ [a]: 51 });
    // Every answer saw a different count: the changes were applied one after another.
    expect(new Set(results.map((r) => r.cart.items[0].quantity)).size).toBe(50);
  });

  it('60 simultaneous adds of 2 past the 99 cap: exactly the ones that fit succeed', async () => {
    const s = await shopper();
    const a = await hashOnlyProduct();
    const results = await Promise.all(Array.from({ length: 60 }, () => s.add(a, 2)));
    const ok = results.filter((r) => r.userErrors.length === 0).length;
    expect(ok).toBe(49); // 49 × 2 = 98; a 50th would make 100
    expect(results.filter((r) => r.userErrors[0]?.code === 'QUANTITY_LIMIT')).toHaveLength(11);
    expect(await storedLines(s.userId)).toEqual({ [a]: 98 });
  });

  it('110 distinct products added at once to an empty cart: exactly 100 lines, 10 CART_FULL; a full cart still changes its lines', async () => {
    const s = await shopper();
    const ids = await Promise.all(Array.from({ length: 110 }, () => hashOnlyProduct()));
    const results = await Promise.all(ids.map((id) => s.add(id)));
    const refused = results.filter((r) => r.userErrors.length > 0);
    expect(results.length - refused.length).toBe(100);
    expect(refused.map((r) => r.userErrors[0])).toEqual(Array(10).fill(expect.objectContaining({ code: 'CART_FULL', limit: 100 })));
    const stored = await storedLines(s.userId);
    expect(Object.keys(stored)).toHaveLength(100);

    const inCart = Object.keys(stored);
    const outside = ids.find((id) => !(id in stored))!;
    const full = await s.add(outside);
    expect(full.userErrors).toEqual([expect.objectContaining({ code: 'CART_FULL', productId: outside })]);
    expect(full.cart.items).toHaveLength(100);
    expect((await s.change(outside, 1)).userErrors).toEqual([expect.objectContaining({ code: 'CART_FULL' })]);
    expect((await s.add(inCart[0], 5)).userErrors).toEqual([]);
    expect(await storedLines(s.userId)).toEqual({ ...stored, [inCart[0]]: 6 });

    // Making room lets one more in.
    await s.remove(inCart[1]);
    expect((await s.add(outside)).userErrors).toEqual([]);
    expect(Object.keys(await storedLines(s.userId))).toHaveLength(100);
  });

  it('simultaneous +1 and -1 in equal numbers leave the line where it started', async () => {
    const s = await shopper();
    const a = await hashOnlyProduct();
    await s.add(a, 50);
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => s.change(a, i % 2 ? 1 : -1)));
    expect(results.every((r) => r.userErrors.length === 0)).toBe(true);
    expect(await storedLines(s.userId)).toEqual({ [a]: 50 });
  });
});
