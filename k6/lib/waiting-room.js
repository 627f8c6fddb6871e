// @ts-check
/**
 * The waiting room as a load script sees it (docs/WAITING-ROOM.md, ../shared/API.md "Waiting room"):
 * what a join or a turn answer says, what the buyer does next, and what a placeOrder with a ticket
 * answered. Pure: no k6 imports, unit-tested with jest (waiting-room.test.ts).
 */
import { dataField, errorCodes, parseBody } from './graphql.js';
import { classifyPlaceOrder } from './outcomes.js';

/** Line states after which nobody is served any more. */
export const FINAL_LINE_STATES = /** @type {const} */ (['SOLD_OUT', 'CLOSED']);

/**
 * The gateway's origin (`http://host:port`) from its GraphQL URL: the waiting room's routes live
 * beside /graphql, outside the GraphQL pipeline.
 * @param {string} gatewayUrl
 */
export function edgeOrigin(gatewayUrl) {
  const m = /^(https?:\/\/[^/?#]+)/i.exec(gatewayUrl);
  if (!m) throw new Error(`GATEWAY_URL must be an http(s) URL, got "${gatewayUrl}"`);
  return m[1];
}

/** @param {string} origin @param {string} productId */
export function joinUrl(origin, productId) {
  return `${origin}/waiting-room/${encodeURIComponent(productId)}`;
}

/**
 * The held turn request: answered when `number` is served, the sale sells out or closes, or after
 * `waitS` seconds (at most 30). Without a number (a pre-queue ticket) it answers at the opening.
 * @param {string} origin @param {string} productId @param {number | null} number @param {number} waitS
 */
export function turnUrl(origin, productId, number, waitS) {
  return `${origin}/waiting-room/${encodeURIComponent(productId)}/turn?${number === null ? '' : `number=${number}&`}wait=${waitS}`;
}

/**
 * @typedef {'TICKET' | 'SERVED' | 'WAIT' | 'SOLD_OUT' | 'CLOSED' | 'NOT_OPEN' | 'BUSY' | 'INVALID'} LineKind
 * @typedef {{ kind: LineKind, state: string | null, ticket: string | null, number: number | null, served: boolean,
 *   preQueue: boolean, estimatedWaitSeconds: number | null, retryAfterSeconds: number, detail: string }} LineAnswer
 */

/**
 * Seconds a busy answer asks the client to wait: the body's `extensions.retryAfter`, else the
 * Retry-After header, else `fallback`.
 * @param {unknown} body @param {unknown} header @param {number} [fallback]
 */
export function retryAfterSeconds(body, header, fallback = 1) {
  const parsed = parseBody(body);
  const errors = parsed && Array.isArray(parsed.errors) ? parsed.errors : [];
  const fromBody = Number(errors[0]?.extensions?.retryAfter);
  if (Number.isFinite(fromBody) && fromBody >= 0) return fromBody;
  const fromHeader = Number(header);
  if (header !== undefined && header !== null && header !== '' && Number.isFinite(fromHeader) && fromHeader >= 0) return fromHeader;
  return fallback;
}

/**
 * Reads the answer of POST /waiting-room/{id} (a join) or GET …/turn. 200: the line's document
 * (`kind` TICKET for a join that got a ticket; SERVED / WAIT for a turn; SOLD_OUT, CLOSED or
 * NOT_OPEN when the state says so and there is no ticket to use); 503 or 429 with a retry time:
 * BUSY; anything else (401, 404, 500, a malformed body): INVALID, with `detail` saying why.
 * @param {number} status  HTTP status
 * @param {unknown} body  the response body
 * @param {unknown} [retryAfterHeader]  the Retry-After header
 * @param {'join' | 'turn'} [route]
 * @returns {LineAnswer}
 */
export function readLineAnswer(status, body, retryAfterHeader, route = 'join') {
  /** @type {LineAnswer} */
  const base = { kind: 'INVALID', state: null, ticket: null, number: null, served: false, preQueue: false, estimatedWaitSeconds: null, retryAfterSeconds: 0, detail: '' };
  const parsed = parseBody(body);
  if (status === 503 || status === 429) {
    const codes = errorCodes(parsed);
    const typed = codes.length > 0 && codes.every((c) => c === 'SERVICE_UNAVAILABLE' || c === 'RATE_LIMITED');
    if (typed) return { ...base, kind: 'BUSY', retryAfterSeconds: retryAfterSeconds(body, retryAfterHeader), detail: codes[0] };
    return { ...base, detail: `HTTP ${status} without a typed busy error` };
  }
  if (status !== 200) return { ...base, detail: `HTTP ${status}${parsed ? ` ${errorCodes(parsed).join(',')}` : ''}` };
  const doc = /** @type {Record<string, unknown> | null} */ (parsed);
  if (!doc || typeof doc.state !== 'string') return { ...base, detail: 'no line document (state missing)' };
  const state = doc.state;
  const answer = {
    ...base,
    state,
    ticket: typeof doc.ticket === 'string' && doc.ticket !== '' ? doc.ticket : null,
    number: typeof doc.number === 'number' ? doc.number : null,
    served: doc.served === true,
    preQueue: doc.preQueue === true,
    estimatedWaitSeconds: typeof doc.estimatedWaitSeconds === 'number' ? doc.estimatedWaitSeconds : null,
    detail: state,
  };
  if ((/** @type {readonly string[]} */ (FINAL_LINE_STATES)).includes(state)) return { ...answer, kind: /** @type {LineKind} */ (state) };
  if (route === 'join') {
    if (answer.ticket) return { ...answer, kind: 'TICKET' };
    if (state === 'NOT_OPEN') return { ...answer, kind: 'NOT_OPEN' };
    return { ...answer, detail: `state ${state} but no ticket` };
  }
  return { ...answer, kind: answer.served ? 'SERVED' : 'WAIT' };
}

/**
 * What a buyer in line does after an answer: `order` (served), `wait` (renew the held turn
 * request), `rejoin` (a pre-queue ticket whose line has opened: join again to learn the number),
 * `retry` (busy: after retryAfterSeconds), `final` (sold out or closed), `stop` (an invalid answer).
 * @param {LineAnswer} answer
 * @returns {'order' | 'wait' | 'rejoin' | 'retry' | 'final' | 'stop'}
 */
export function nextStep(answer) {
  switch (answer.kind) {
    case 'BUSY':
      return 'retry';
    case 'INVALID':
      return 'stop';
    case 'NOT_OPEN': // earlier than the pre-queue: no ticket
    case 'SOLD_OUT':
    case 'CLOSED':
      return 'final';
    default:
      if (answer.served && answer.number !== null) return 'order';
      if (answer.number === null && answer.state !== 'NOT_OPEN') return 'rejoin';
      return 'wait';
  }
}

/**
 * @typedef {'ORDER_PLACED' | 'SOLD_OUT' | 'SALE_NOT_OPEN' | 'SALE_CLOSED' | 'LIMIT_EXCEEDED' | 'NOT_ADMITTED' | 'RATE_LIMITED' | 'BUSY' | 'INVALID'} TicketOrderOutcome
 * @typedef {{ outcome: TicketOrderOutcome, valid: boolean, orderId: string | null, reason: string | null, detail: string }} TicketOrderClassification
 */

/**
 * Classifies placeOrder's answer on a waiting-room sale: as classifyPlaceOrder (outcomes.js), plus
 * NOT_ADMITTED (the line's typed refusal, with its `reason`: WAITING, EXPIRED, USED, INVALID, …).
 * @param {unknown} body
 * @returns {TicketOrderClassification}
 */
export function classifyTicketOrder(body) {
  const payload = dataField(parseBody(body), 'placeOrder');
  const userErrors = payload && Array.isArray(payload.userErrors) ? payload.userErrors : [];
  const first = userErrors[0];
  if (payload && payload.order == null && userErrors.length > 0 && userErrors.every((e) => e && e.code === 'NOT_ADMITTED')) {
    const reason = typeof first.reason === 'string' ? first.reason : null;
    return { outcome: 'NOT_ADMITTED', valid: true, orderId: null, reason, detail: `NOT_ADMITTED ${reason ?? '(no reason)'}` };
  }
  return { ...classifyPlaceOrder(body), reason: null };
}
