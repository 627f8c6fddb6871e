// @ts-check
/**
 * Cart churn: VUS signed-in buyers (one buyer per VU, from the seeding command's file) each loop
 *   addToCart(p, 1) -> changeCartQuantity(p, +1) -> me { cart } -> changeCartQuantity(p, -1)
 *   -> removeFromCart(p)
 * over the catalog's products, for DURATION_S. Each step is checked against the previous one
 * (the line moves by exactly the delta, totalQuantity is the sum of the lines, the removed line is
 * gone), so lost updates or stale reads under load show up as failed checks, not just latency.
 * A VU clears its buyer's cart on its first iteration, so leftovers from an aborted run do not count.
 */
import { check, fail, sleep } from 'k6';
import { SharedArray } from 'k6/data';
import exec from 'k6/execution';
import { parseBuyers, pickBuyer } from './lib/buyers.js';
import { cartConsistent, lineQuantity, readCartPayload, readMyCart } from './lib/cart.js';
import { ADD_TO_CART, CHANGE_CART_QUANTITY, CLEAR_CART, MY_CART, PRODUCTS_PAGE, REMOVE_FROM_CART } from './lib/operations.js';
import { readConnection } from './lib/pagination.js';
import { envInt, envList, envString } from './lib/profile.js';
import { gql } from './support/gql.js';

const BUYERS_FILE = envString(__ENV, 'BUYERS_FILE', '../bench/out/buyers.json');
const VUS = envInt(__ENV, 'VUS', 20, 1);
const DURATION_S = envInt(__ENV, 'DURATION_S', 30, 1);
const THINK_MS = envInt(__ENV, 'THINK_MS', 100);
const P99_MS = envInt(__ENV, 'P99_MS', 1000, 1);

const buyers = new SharedArray('buyers', () => parseBuyers(open(BUYERS_FILE), BUYERS_FILE));

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    churn: { executor: 'constant-vus', vus: VUS, duration: `${DURATION_S}s` },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
    'http_req_duration{name:addToCart}': [`p(99)<${P99_MS}`],
    'http_req_duration{name:changeCartQuantity}': [`p(99)<${P99_MS}`],
    'http_req_duration{name:removeFromCart}': [`p(99)<${P99_MS}`],
    'http_req_duration{name:me}': [`p(99)<${P99_MS}`],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

/** @typedef {{ productIds: string[] }} SetupData */

/** @returns {SetupData} */
export function setup() {
  // Each VU owns one buyer; two VUs on one cart would make the step-by-step checks race each other.
  if (buyers.length < VUS) fail(`${BUYERS_FILE} has ${buyers.length} buyers but VUS=${VUS}; seed at least ${VUS}`);
  let productIds = envList(__ENV, 'PRODUCT_IDS');
  if (productIds.length === 0) {
    const page = readConnection(gql('products', PRODUCTS_PAGE, { first: 20 }).body, 'products');
    if (!page.ok) fail(`listing products failed: ${page.detail}`);
    productIds = page.ids;
  }
  if (productIds.length === 0) fail('no products to put in carts: create products first or set PRODUCT_IDS');
  return { productIds };
}

/** @param {SetupData} data */
export default function (data) {
  const vu = exec.vu.idInTest;
  const iteration = exec.vu.iterationInScenario;
  const token = pickBuyer(buyers, vu - 1).accessToken;

  if (iteration === 0) {
    const cleared = readCartPayload(gql('clearCart', CLEAR_CART, {}, token).body, 'clearCart');
    check(cleared, { 'clearCart empties the cart': (r) => r.ok && r.cart.lines.length === 0 && r.cart.totalQuantity === 0 });
  }

  const productId = data.productIds[(vu + iteration) % data.productIds.length];

  const added = readCartPayload(gql('addToCart', ADD_TO_CART, { productId, quantity: 1 }, token).body, 'addToCart');
  const addedOk = check(added, {
    'addToCart puts the product in the cart': (r) => r.ok && r.userErrors.length === 0 && lineQuantity(r.cart, productId) >= 1 && cartConsistent(r.cart),
  });
  if (!added.ok || !addedOk) {
    if (!added.ok) console.warn(`addToCart: ${added.detail}`);
    else console.warn(`addToCart userErrors: ${added.userErrors.join(',')}`);
    return;
  }
  const q = lineQuantity(added.cart, productId);

  const up = readCartPayload(gql('changeCartQuantity', CHANGE_CART_QUANTITY, { productId, delta: 1 }, token).body, 'changeCartQuantity');
  check(up, { 'changeCartQuantity(+1) adds one unit': (r) => r.ok && r.userErrors.length === 0 && lineQuantity(r.cart, productId) === q + 1 && cartConsistent(r.cart) });

  const mine = readMyCart(gql('me', MY_CART, {}, token).body);
  check(mine, { 'me.cart shows the change': (r) => r.ok && lineQuantity(r.cart, productId) === q + 1 && cartConsistent(r.cart) });

  const down = readCartPayload(gql('changeCartQuantity', CHANGE_CART_QUANTITY, { productId, delta: -1 }, token).body, 'changeCartQuantity');
  check(down, { 'changeCartQuantity(-1) takes one unit': (r) => r.ok && r.userErrors.length === 0 && lineQuantity(r.cart, productId) === q && cartConsistent(r.cart) });

  const removed = readCartPayload(gql('removeFromCart', REMOVE_FROM_CART, { productId }, token).body, 'removeFromCart');
  check(removed, { 'removeFromCart drops the line': (r) => r.ok && r.userErrors.length === 0 && lineQuantity(r.cart, productId) === 0 && cartConsistent(r.cart) });

  if (THINK_MS > 0) sleep(THINK_MS / 1000);
}
