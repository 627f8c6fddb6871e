// @ts-check
/**
 * Reading a `Cart { items { quantity product { id } } totalQuantity }` from an answer, so the cart
 * script can check each step of its churn against the previous one. Pure: no k6 imports.
 */
import { dataField, errorCodes, parseBody, userErrorsOf } from './graphql.js';

/**
 * @typedef {{ productId: string, quantity: number }} CartLine
 * @typedef {{ lines: CartLine[], totalQuantity: number }} CartView
 * @typedef {{ ok: true, cart: CartView, userErrors: string[] } | { ok: false, detail: string }} CartRead
 */

/**
 * @param {unknown} cart
 * @returns {CartView | null}
 */
function readCartObject(cart) {
  if (!cart || typeof cart !== 'object') return null;
  const { items, totalQuantity } = /** @type {{ items?: unknown, totalQuantity?: unknown }} */ (cart);
  if (!Array.isArray(items) || typeof totalQuantity !== 'number') return null;
  /** @type {CartLine[]} */
  const lines = [];
  for (const item of items) {
    const productId = item && item.product ? item.product.id : undefined;
    if (typeof productId !== 'string' || !Number.isInteger(item.quantity)) return null;
    lines.push({ productId, quantity: item.quantity });
  }
  return { lines, totalQuantity };
}

/**
 * The cart in a mutation payload `data[field] { cart userErrors }` (addToCart, changeCartQuantity,
 * removeFromCart, clearCart) with its userError codes.
 * @param {unknown} body
 * @param {string} field
 * @returns {CartRead}
 */
export function readCartPayload(body, field) {
  const parsed = parseBody(body);
  if (!parsed) return { ok: false, detail: 'body is not a JSON object' };
  const codes = errorCodes(parsed);
  if (codes.length > 0) return { ok: false, detail: `GraphQL errors: ${codes.join(',')}` };
  const payload = dataField(parsed, field);
  const userErrors = userErrorsOf(payload);
  if (!payload || !userErrors) return { ok: false, detail: `no well-formed data.${field} payload` };
  const cart = readCartObject(payload.cart);
  if (!cart) return { ok: false, detail: `data.${field}.cart malformed` };
  return { ok: true, cart, userErrors: userErrors.map((e) => e.code) };
}

/**
 * The cart in `data.me.cart`.
 * @param {unknown} body
 * @returns {CartRead}
 */
export function readMyCart(body) {
  const parsed = parseBody(body);
  if (!parsed) return { ok: false, detail: 'body is not a JSON object' };
  const codes = errorCodes(parsed);
  if (codes.length > 0) return { ok: false, detail: `GraphQL errors: ${codes.join(',')}` };
  const me = dataField(parsed, 'me');
  const cart = readCartObject(me ? me.cart : null);
  if (!cart) return { ok: false, detail: 'data.me.cart malformed' };
  return { ok: true, cart, userErrors: [] };
}

/**
 * Units of the product in the cart (0 when it has no line).
 * @param {CartView} cart
 * @param {string} productId
 */
export function lineQuantity(cart, productId) {
  const line = cart.lines.find((l) => l.productId === productId);
  return line ? line.quantity : 0;
}

/**
 * True when totalQuantity is the sum of the lines and no product has two lines.
 * @param {CartView} cart
 */
export function cartConsistent(cart) {
  const ids = new Set(cart.lines.map((l) => l.productId));
  const sum = cart.lines.reduce((a, l) => a + l.quantity, 0);
  return ids.size === cart.lines.length && sum === cart.totalQuantity && cart.lines.every((l) => l.quantity >= 1);
}
