// @ts-check
/**
 * What one `placeOrder` answer means during a flash sale. A load test only proves something if it
 * tells "the system said no, correctly" (sold out, not open yet, over the limit, slow down) apart
 * from "the system broke" (masked errors, malformed payloads, an order and an error at once).
 * Pure: no k6 imports.
 */
import { dataField, errorCodes, parseBody, userErrorsOf } from './graphql.js';

/** Typed refusals a buyer may legitimately get from placeOrder (OrderErrorCode values). */
export const EXPECTED_ORDER_ERRORS = /** @type {const} */ (['SOLD_OUT', 'SALE_NOT_OPEN', 'SALE_CLOSED', 'LIMIT_EXCEEDED']);

/** Every outcome the flash-sale script counts, one k6 Counter each. */
export const PLACE_ORDER_OUTCOMES = /** @type {const} */ (['ORDER_PLACED', ...EXPECTED_ORDER_ERRORS, 'RATE_LIMITED', 'BUSY', 'INVALID']);

/**
 * @typedef {typeof PLACE_ORDER_OUTCOMES[number]} PlaceOrderOutcome
 * @typedef {{ outcome: PlaceOrderOutcome, valid: boolean, orderId: string | null, detail: string }} Classification
 */

/** @param {string} detail @returns {Classification} */
const invalid = (detail) => ({ outcome: 'INVALID', valid: false, orderId: null, detail });

/**
 * Classifies the body of `placeOrder(input) { order { id status } userErrors { code message } }`.
 * Valid outcomes: an order (and no userErrors); exactly the expected refusals; only
 * RATE_LIMITED GraphQL errors (the gateway's per-user / per-address limits); or only
 * SERVICE_UNAVAILABLE errors that carry `retryAfter` (BUSY: admission control shedding the excess
 * of an overload, API.md "Overload"; retrying with the same idempotency key is safe). Anything
 * else is INVALID, with `detail` saying why.
 * @param {unknown} body  the response body (string) or parsed JSON
 * @returns {Classification}
 */
export function classifyPlaceOrder(body) {
  const parsed = parseBody(body);
  if (!parsed) return invalid('body is not a JSON object');

  const codes = errorCodes(parsed);
  if (codes.length > 0) {
    if (codes.every((c) => c === 'RATE_LIMITED')) return { outcome: 'RATE_LIMITED', valid: true, orderId: null, detail: 'RATE_LIMITED' };
    if (codes.every((c) => c === 'SERVICE_UNAVAILABLE') && hasRetryAfter(parsed)) return { outcome: 'BUSY', valid: true, orderId: null, detail: 'SERVICE_UNAVAILABLE' };
    return invalid(`GraphQL errors: ${codes.join(',')}`);
  }

  const payload = dataField(parsed, 'placeOrder');
  if (!payload) return invalid('no data.placeOrder payload');
  const userErrors = userErrorsOf(payload);
  if (!userErrors) return invalid('userErrors missing or malformed');
  const order = payload.order;

  if (userErrors.length > 0) {
    if (order != null) return invalid('both an order and userErrors');
    const unexpected = userErrors.filter((e) => !(/** @type {readonly string[]} */ (EXPECTED_ORDER_ERRORS)).includes(e.code));
    if (unexpected.length > 0) return invalid(`unexpected userErrors: ${unexpected.map((e) => e.code).join(',')}`);
    const code = /** @type {PlaceOrderOutcome} */ (userErrors[0].code);
    return { outcome: code, valid: true, orderId: null, detail: code };
  }

  if (order === null || typeof order !== 'object') return invalid('neither an order nor userErrors');
  const { id, status } = /** @type {{ id?: unknown, status?: unknown }} */ (order);
  if (typeof id !== 'string' || id === '' || typeof status !== 'string' || status === '') return invalid('order without id or status');
  return { outcome: 'ORDER_PLACED', valid: true, orderId: id, detail: status };
}

/**
 * Whether every GraphQL error says when to retry (a positive `extensions.retryAfter`).
 * @param {Record<string, unknown>} parsed
 */
function hasRetryAfter(parsed) {
  const errors = /** @type {Array<{ extensions?: { retryAfter?: unknown } }>} */ (Array.isArray(parsed.errors) ? parsed.errors : []);
  return errors.length > 0 && errors.every((e) => typeof e?.extensions?.retryAfter === 'number' && e.extensions.retryAfter > 0);
}

/**
 * A k6-metric-friendly name for an outcome, e.g. SOLD_OUT -> outcome_sold_out.
 * @param {PlaceOrderOutcome} outcome
 */
export function outcomeMetricName(outcome) {
  return `outcome_${outcome.toLowerCase()}`;
}
