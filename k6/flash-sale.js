// @ts-check
/**
 * Flash sale: seeded buyers rush one hot product at the moment its sale opens.
 *
 * Load shape: a `ramping-arrival-rate` scenario (open model: arrivals do not wait for slow answers,
 * as real buyers do not) that starts RAMP_S before the opening, reaches PEAK_RATE placeOrder/s
 * exactly at the opening, holds it HOLD_S, then tapers to END_RATE over TAPER_S. Iteration n uses
 * buyer n (mod the buyer count), so each request is a different buyer until all have had a turn.
 *
 * Every answer must be a valid outcome (an order; SOLD_OUT / SALE_NOT_OPEN / SALE_CLOSED /
 * LIMIT_EXCEEDED; or the gateway's RATE_LIMITED). Each outcome has its own counter
 * (outcome_order_placed, outcome_sold_out, …); anything else counts as outcome_invalid and
 * fails the `invalid_outcome_rate` threshold. The exact stock audit (MySQL vs Redis, oversold,
 * unsold while buyers remained) is `npm run bench`; see k6/README.md.
 */
import { check, fail, sleep } from 'k6';
import { SharedArray } from 'k6/data';
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter, Rate } from 'k6/metrics';
import { idempotencyKey, parseBuyers, pickBuyer } from './lib/buyers.js';
import { dataField, parseBody } from './lib/graphql.js';
import { PLACE_ORDER, placeOrderVariables, PRODUCT_SALE } from './lib/operations.js';
import { classifyPlaceOrder, outcomeMetricName, PLACE_ORDER_OUTCOMES } from './lib/outcomes.js';
import { envInt, envString, expectedArrivals, flashSaleStages, waitBeforeOpeningMs } from './lib/profile.js';
import { createSaleProductAsAdmin } from './support/catalog.js';
import { gql } from './support/gql.js';

// Relative paths are resolved from this file's folder (k6/), so the default is <repo>/bench/out/buyers.json.
const BUYERS_FILE = envString(__ENV, 'BUYERS_FILE', '../bench/out/buyers.json');
const QUANTITY = envInt(__ENV, 'QUANTITY', 1, 1);
const P99_MS = envInt(__ENV, 'P99_MS', 2000, 1);
const MAX_WAIT_S = envInt(__ENV, 'MAX_WAIT_S', 120);
const SHAPE = {
  startRate: envInt(__ENV, 'START_RATE', 10),
  rampSeconds: envInt(__ENV, 'RAMP_S', 2),
  peakRate: envInt(__ENV, 'PEAK_RATE', 500, 1),
  holdSeconds: envInt(__ENV, 'HOLD_S', 5),
  taperSeconds: envInt(__ENV, 'TAPER_S', 5),
  endRate: envInt(__ENV, 'END_RATE', 20),
};
const STAGES = flashSaleStages(SHAPE);

// Loaded once in the init context and shared read-only by every VU (not copied per VU).
const buyers = new SharedArray('buyers', () => parseBuyers(open(BUYERS_FILE), BUYERS_FILE));

/** @type {import('k6/options').Options} */
export const options = {
  // setup() may wait for the opening; give it that long plus room for its own requests.
  setupTimeout: `${MAX_WAIT_S + 60}s`,
  scenarios: {
    opening: {
      executor: 'ramping-arrival-rate',
      startRate: SHAPE.startRate,
      timeUnit: '1s',
      stages: STAGES,
      preAllocatedVUs: envInt(__ENV, 'PRE_VUS', 200, 1),
      maxVUs: envInt(__ENV, 'MAX_VUS', 1000, 1),
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    invalid_outcome_rate: ['rate<0.01'],
    'http_req_duration{name:placeOrder}': [`p(99)<${P99_MS}`],
    checks: ['rate>0.99'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

// 429 (rate limited) and 503 (admission control shedding an overload, with Retry-After) are typed answers, not failures.
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 299 }, 429, 503));

/** @type {Record<string, Counter>} */
const outcomeCounters = {};
for (const outcome of PLACE_ORDER_OUTCOMES) outcomeCounters[outcome] = new Counter(outcomeMetricName(outcome));
const invalidRate = new Rate('invalid_outcome_rate');

/**
 * @typedef {{ runId: string, productId: string, availableBefore: number }} SetupData
 */

/** @param {string} productId */
function readProduct(productId) {
  const product = dataField(parseBody(gql('product', PRODUCT_SALE, { id: productId }).body), 'product');
  if (!product) fail(`product ${productId} not found at the gateway`);
  return /** @type {{ id: string, name: string, available: number, saleOpensAt: string | null, saleClosesAt: string | null, maxPerCustomer: number | null }} */ (product);
}

/**
 * Without PRODUCT_ID: logs in as ADMIN_EMAIL and creates a product whose sale opens OPENS_IN_S
 * seconds from now with STOCK units and MAX_PER_CUSTOMER per buyer (0: no limit).
 * @returns {string} the new product's id
 */
function createSaleProduct() {
  const maxPerCustomer = envInt(__ENV, 'MAX_PER_CUSTOMER', 1);
  return createSaleProductAsAdmin(`k6 flash sale ${new Date().toISOString()}`, 'set PRODUCT_ID (a product with a scheduled sale), or ADMIN_EMAIL and ADMIN_PASSWORD so the script creates one', {
    stock: envInt(__ENV, 'STOCK', 500),
    opensAt: new Date(Date.now() + envInt(__ENV, 'OPENS_IN_S', 10) * 1000).toISOString(),
    maxPerCustomer: maxPerCustomer > 0 ? maxPerCustomer : null,
  }).productId;
}

/** @returns {SetupData} */
export function setup() {
  const productId = __ENV.PRODUCT_ID || createSaleProduct();
  const product = readProduct(productId);
  const arrivals = expectedArrivals(SHAPE.startRate, STAGES);
  console.log(
    `product ${product.id} "${product.name}": available=${product.available} opensAt=${product.saleOpensAt} maxPerCustomer=${product.maxPerCustomer}; ` +
      `${buyers.length} buyers, ~${arrivals} placeOrder calls planned` +
      (arrivals > buyers.length ? ' (buyers will repeat: expect LIMIT_EXCEEDED / SOLD_OUT for repeats)' : ''),
  );

  const waitMs = waitBeforeOpeningMs(product.saleOpensAt, Date.now(), SHAPE.rampSeconds * 1000);
  if (waitMs !== null && waitMs > MAX_WAIT_S * 1000) fail(`the sale opens in ${Math.round(waitMs / 1000)}s, more than MAX_WAIT_S=${MAX_WAIT_S}`);
  if (waitMs) {
    console.log(`waiting ${(waitMs / 1000).toFixed(1)}s so the ramp peaks at the opening`);
    sleep(waitMs / 1000);
  }
  // A fresh run id keeps idempotency keys unique when the same buyers run again.
  const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  return { runId, productId: product.id, availableBefore: product.available };
}

let invalidLogged = 0;

/** @param {SetupData} data */
export default function (data) {
  const n = exec.scenario.iterationInTest;
  const buyer = pickBuyer(buyers, n);
  const variables = placeOrderVariables(data.productId, QUANTITY, idempotencyKey(data.runId, n));
  const res = gql('placeOrder', PLACE_ORDER, variables, buyer.accessToken);

  const result = classifyPlaceOrder(res.body);
  outcomeCounters[result.outcome].add(1);
  invalidRate.add(!result.valid);
  check(res, { 'placeOrder answered with a valid outcome': () => result.valid });
  // A few examples are enough to diagnose; thousands of lines would bury the summary.
  if (!result.valid && invalidLogged++ < 5) console.warn(`invalid placeOrder outcome (HTTP ${res.status}): ${result.detail}: ${String(res.body).slice(0, 300)}`);
}

/** @param {SetupData} data */
export function teardown(data) {
  const after = readProduct(data.productId);
  console.log(
    `product ${data.productId}: available ${data.availableBefore} -> ${after.available} ` +
      `(${data.availableBefore - after.available} units held by orders; compare with outcome_order_placed x QUANTITY=${QUANTITY})`,
  );
}
