import { cartConsistent, lineQuantity, readCartPayload, readMyCart } from './cart.js';

const cart = (lines: [string, number][], totalQuantity = lines.reduce((a, [, q]) => a + q, 0)) => ({
  items: lines.map(([id, quantity]) => ({ quantity, product: { id } })),
  totalQuantity,
});

describe('reading carts from answers', () => {
  it('reads a mutation payload with its userError codes', () => {
    const body = JSON.stringify({ data: { addToCart: { cart: cart([['p1', 2], ['p2', 1]]), userErrors: [] } } });
    const read = readCartPayload(body, 'addToCart');
    expect(read).toEqual({
      ok: true,
      cart: { lines: [{ productId: 'p1', quantity: 2 }, { productId: 'p2', quantity: 1 }], totalQuantity: 3 },
      userErrors: [],
    });
  });

  it('keeps the typed refusal codes (the cart is still returned)', () => {
    const body = JSON.stringify({ data: { removeFromCart: { cart: cart([]), userErrors: [{ code: 'NOT_IN_CART', message: 'not in cart' }] } } });
    expect(readCartPayload(body, 'removeFromCart')).toMatchObject({ ok: true, userErrors: ['NOT_IN_CART'] });
  });

  it('reads me.cart', () => {
    const body = JSON.stringify({ data: { me: { cart: cart([['p1', 4]]) } } });
    expect(readMyCart(body)).toMatchObject({ ok: true, cart: { lines: [{ productId: 'p1', quantity: 4 }], totalQuantity: 4 } });
  });

  it.each([
    ['a GraphQL error', JSON.stringify({ errors: [{ message: 'no', extensions: { code: 'UNAUTHENTICATED' } }] }), 'UNAUTHENTICATED'],
    ['no payload', JSON.stringify({ data: { addToCart: null } }), 'no well-formed'],
    ['a payload without userErrors', JSON.stringify({ data: { addToCart: { cart: cart([]) } } }), 'no well-formed'],
    ['a cart without totalQuantity', JSON.stringify({ data: { addToCart: { cart: { items: [] }, userErrors: [] } } }), 'cart malformed'],
    ['a line without a product id', JSON.stringify({ data: { addToCart: { cart: { items: [{ quantity: 1, product: null }], totalQuantity: 1 }, userErrors: [] } } }), 'cart malformed'],
    ['a fractional quantity', JSON.stringify({ data: { addToCart: { cart: cart([['p1', 1.5]]), userErrors: [] } } }), 'cart malformed'],
  ])('%s is not ok', (_name, body, detail) => {
    const read = readCartPayload(body, 'addToCart');
    expect(read.ok).toBe(false);
    expect(read.ok ? '' : read.detail).toContain(detail);
  });

  it('a missing me.cart is not ok', () => {
    expect(readMyCart(JSON.stringify({ data: { me: { cart: null } } }))).toEqual({ ok: false, detail: 'data.me.cart malformed' });
  });
});

describe('checking a cart', () => {
  const view = (lines: [string, number][], total?: number) => {
    const read = readMyCart(JSON.stringify({ data: { me: { cart: cart(lines, total) } } }));
    if (!read.ok) throw new Error(read.detail);
    return read.cart;
  };

  it('lineQuantity is the line’s units, 0 without a line', () => {
    expect(lineQuantity(view([['p1', 3]]), 'p1')).toBe(3);
    expect(lineQuantity(view([['p1', 3]]), 'p2')).toBe(0);
  });

  it('a consistent cart: one line per product, totalQuantity the sum, no empty lines', () => {
    expect(cartConsistent(view([['p1', 3], ['p2', 1]]))).toBe(true);
    expect(cartConsistent(view([]))).toBe(true);
  });

  it.each([
    ['a total that is not the sum (a lost update)', [['p1', 3], ['p2', 1]], 3],
    ['two lines for one product', [['p1', 1], ['p1', 1]], 2],
    ['a line with no units', [['p1', 0]], 0],
  ] as [string, [string, number][], number][])('flags %s', (_name, lines, total) => {
    expect(cartConsistent(view(lines, total))).toBe(false);
  });
});
