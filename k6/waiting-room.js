// @ts-check
/**
 * Waiting room: a crowd of seeded buyers joins a sale's line, waits for its turn, and buys when
 * served (docs/WAITING-ROOM.md).
 *
 * Load shape: `constant-arrival-rate`, RATE buyers per second for DURATION_S, from LEAD_S seconds
 * before the opening (0: at the opening; joins before it form the pre-queue, numbered in a random
 * order at the opening). Iteration n is buyer n (mod the buyer count) and is that buyer's whole
 * journey, so a VU is held while its buyer waits (MAX_VUS ≈ RATE × the longest wait):
 *   1. POST /waiting-room/{productId} with the buyer's bearer token: a ticket and a number;
 *   2. GET /waiting-room/{productId}/turn?number=n&wait=TURN_WAIT_S, held by the gateway and renewed
 *      until the number is served or the sale is SOLD_OUT / CLOSED (a pre-queue ticket watches
 *      without a number until the opening, then joins again to learn it);
 *   3. placeOrder with `input.waitingRoomTicket`, the same idempotency key on every retry.
 * Busy answers (503 / 429 with retryAfter) are waited out and retried, at every step.
 *
 * Custom metrics: waiting_room_join_duration (every join), waiting_room_time_to_final (the journey:
 * first join to the final answer), waiting_room_wait_for_turn (join answered → served),
 * waiting_room_busy_answers{route}, waiting_room_turn_requests, and one counter per final outcome
 * (line_outcome_order_placed, line_outcome_sold_out, line_outcome_closed, …); anything untyped
 * counts in line_outcome_invalid and fails `invalid_outcome_rate`. The exact audit and the
 * fairness by arrival are `npm run bench -- line`; see k6/README.md.
 */
import { check, fail, sleep } from 'k6';
import { SharedArray } from 'k6/data';
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter, Rate, Trend } from 'k6/metrics';
import { idempotencyKey, parseBuyers, pickBuyer } from './lib/buyers.js';
import { dataField, parseBody, payloadValue } from './lib/graphql.js';
import { PLACE_ORDER_WITH_TICKET, PRODUCT_LINE, SCHEDULE_SALE, ticketOrderVariables } from './lib/operations.js';
import { envInt, envString, waitBeforeOpeningMs } from './lib/profile.js';
import { classifyTicketOrder, edgeOrigin, joinUrl, nextStep, readLineAnswer, retryAfterSeconds, turnUrl } from './lib/waiting-room.js';
import { createSaleProductAsAdmin } from './support/catalog.js';
import { GATEWAY_URL, gql } from './support/gql.js';

const BUYERS_FILE = envString(__ENV, 'BUYERS_FILE', '../bench/out/buyers.json');
const RATE = envInt(__ENV, 'RATE', 200, 1);
const DURATION_S = envInt(__ENV, 'DURATION_S', 30, 1);
const LEAD_S = envInt(__ENV, 'LEAD_S', 0);
const TURN_WAIT_S = envInt(__ENV, 'TURN_WAIT_S', 25, 1);
const GIVE_UP_S = envInt(__ENV, 'GIVE_UP_S', 300, 1);
const MAX_WAIT_S = envInt(__ENV, 'MAX_WAIT_S', 120);
const JOIN_P99_MS = envInt(__ENV, 'JOIN_P99_MS', 100, 1);
const FINAL_P99_S = envInt(__ENV, 'FINAL_P99_S', 60, 1);
const MAX_BUSY_JOINS = envInt(__ENV, 'MAX_BUSY_JOINS', 0);
const ORIGIN = edgeOrigin(GATEWAY_URL);

const buyers = new SharedArray('buyers', () => parseBuyers(open(BUYERS_FILE), BUYERS_FILE));

/** @type {import('k6/options').Options} */
export const options = {
  setupTimeout: `${MAX_WAIT_S + 60}s`,
  scenarios: {
    crowd: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: `${DURATION_S}s`,
      preAllocatedVUs: envInt(__ENV, 'PRE_VUS', 500, 1),
      maxVUs: envInt(__ENV, 'MAX_VUS', 5000, 1),
      // A buyer's journey may outlast the arrivals by up to GIVE_UP_S.
      gracefulStop: `${GIVE_UP_S + 30}s`,
    },
  },
  thresholds: {
    invalid_outcome_rate: ['rate<0.01'],
    waiting_room_join_duration: [`p(99)<${JOIN_P99_MS}`],
    waiting_room_time_to_final: [`p(99)<${FINAL_P99_S * 1000}`],
    'waiting_room_busy_answers{route:join}': [`count<=${MAX_BUSY_JOINS}`],
    checks: ['rate>0.99'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

// 429 and 503 are typed busy answers (retried after retryAfter), not failures.
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 299 }, 429, 503));

const joinDuration = new Trend('waiting_room_join_duration', true);
const timeToFinal = new Trend('waiting_room_time_to_final', true);
const waitForTurn = new Trend('waiting_room_wait_for_turn', true);
const busyAnswers = new Counter('waiting_room_busy_answers');
const turnRequests = new Counter('waiting_room_turn_requests');
const invalidRate = new Rate('invalid_outcome_rate');
const FINALS = /** @type {const} */ (['ORDER_PLACED', 'SOLD_OUT', 'CLOSED', 'NOT_OPEN', 'NOT_ADMITTED', 'SALE_NOT_OPEN', 'SALE_CLOSED', 'LIMIT_EXCEEDED', 'GAVE_UP', 'INVALID']);
/** @type {Record<string, Counter>} */
const finalCounters = {};
for (const f of FINALS) finalCounters[f] = new Counter(`line_outcome_${f.toLowerCase()}`);

/** @typedef {{ runId: string, productId: string }} SetupData */

/** Without PRODUCT_ID: logs in as ADMIN_EMAIL and creates a waiting-room sale opening OPENS_IN_S from now. */
function createLineSale() {
  const stock = envInt(__ENV, 'STOCK', 1000);
  const opensAt = new Date(Date.now() + envInt(__ENV, 'OPENS_IN_S', 10) * 1000).toISOString();
  const { token, productId } = createSaleProductAsAdmin(
    `k6 waiting room ${new Date().toISOString()}`,
    'set PRODUCT_ID (a sale scheduled with waitingRoom: true), or ADMIN_EMAIL and ADMIN_PASSWORD so the script creates one',
    { stock, opensAt, maxPerCustomer: 1 },
  );
  const scheduled = payloadValue(gql('scheduleSale', SCHEDULE_SALE, { productId, opensAt, stock, closesAt: null, maxPerCustomer: 1, waitingRoom: true }, token).body, 'scheduleSale', 'product');
  if (!scheduled.ok) fail(scheduled.detail);
  return productId;
}

/** @returns {SetupData} */
export function setup() {
  const productId = __ENV.PRODUCT_ID || createLineSale();
  const product = dataField(parseBody(gql('product', PRODUCT_LINE, { id: productId }).body), 'product');
  if (!product) fail(`product ${productId} not found at the gateway`);
  if (product.waitingRoomEnabled !== true) fail(`product ${productId} has no waiting room (schedule its sale with waitingRoom: true)`);
  console.log(`product ${productId} "${product.name}": available=${product.available} opensAt=${product.saleOpensAt} line=${JSON.stringify(product.waitingRoom)}; ${buyers.length} buyers, ~${RATE * DURATION_S} arrivals planned`);
  const waitMs = waitBeforeOpeningMs(/** @type {string | null} */ (product.saleOpensAt), Date.now(), LEAD_S * 1000);
  if (waitMs !== null && waitMs > MAX_WAIT_S * 1000) fail(`the sale opens in ${Math.round(waitMs / 1000)}s, more than MAX_WAIT_S=${MAX_WAIT_S}`);
  if (waitMs) sleep(waitMs / 1000);
  return { runId: `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`, productId };
}

let invalidLogged = 0;

/** @param {string} outcome @param {number} startedAt @param {string} [detail] */
function finish(outcome, startedAt, detail) {
  const valid = outcome !== 'INVALID' && outcome !== 'GAVE_UP';
  finalCounters[outcome].add(1);
  invalidRate.add(!valid);
  check(null, { 'buyer got a final answer (an order, sold out or closed)': () => valid });
  if (valid) timeToFinal.add(Date.now() - startedAt);
  else if (invalidLogged++ < 5) console.warn(`buyer ended ${outcome}: ${detail ?? ''}`);
}

/** @param {SetupData} data */
export default function (data) {
  const n = exec.scenario.iterationInTest;
  const buyer = pickBuyer(buyers, n);
  const startedAt = Date.now();
  const giveUpAt = startedAt + GIVE_UP_S * 1000;
  const auth = { Authorization: `Bearer ${buyer.accessToken}` };

  /** @returns {import('./lib/waiting-room.js').LineAnswer} */
  const join = () => {
    for (;;) {
      const res = http.post(joinUrl(ORIGIN, data.productId), null, { headers: auth, tags: { name: 'joinLine' } });
      joinDuration.add(res.timings.duration);
      const answer = readLineAnswer(res.status, res.body, res.headers['Retry-After'], 'join');
      if (answer.kind !== 'BUSY' || Date.now() > giveUpAt) return answer;
      busyAnswers.add(1, { route: 'join' });
      sleep(answer.retryAfterSeconds);
    }
  };

  let answer = join();
  const joinedAt = Date.now();
  let ticket = answer.ticket;
  let number = answer.number;
  for (;;) {
    const step = nextStep(answer);
    if (step === 'final') return finish(/** @type {string} */ (answer.kind), startedAt);
    if (step === 'stop') return finish('INVALID', startedAt, answer.detail);
    if (Date.now() > giveUpAt) return finish('GAVE_UP', startedAt, `still ${answer.kind} after ${GIVE_UP_S}s`);
    if (step === 'retry') {
      busyAnswers.add(1, { route: 'turn' });
      sleep(answer.retryAfterSeconds);
    } else if (step === 'rejoin') {
      answer = join();
      ticket = answer.ticket ?? ticket;
      number = answer.number;
      continue;
    } else if (step === 'order') break;
    const res = http.get(turnUrl(ORIGIN, data.productId, number, TURN_WAIT_S), { tags: { name: 'turn' }, timeout: `${TURN_WAIT_S + 15}s` });
    turnRequests.add(1);
    answer = readLineAnswer(res.status, res.body, res.headers['Retry-After'], 'turn');
    if (answer.number === null) answer = { ...answer, number };
  }
  waitForTurn.add(Date.now() - joinedAt);

  // Served: order with the ticket, the same idempotency key on every retry.
  const variables = ticketOrderVariables(data.productId, idempotencyKey(data.runId, n), /** @type {string} */ (ticket));
  for (;;) {
    const res = gql('placeOrder', PLACE_ORDER_WITH_TICKET, variables, buyer.accessToken);
    const result = classifyTicketOrder(res.body);
    if (result.outcome === 'BUSY' || result.outcome === 'RATE_LIMITED') {
      busyAnswers.add(1, { route: 'order' });
      if (Date.now() > giveUpAt) return finish('GAVE_UP', startedAt, 'placeOrder still busy');
      sleep(retryAfterSeconds(res.body, res.headers['Retry-After']));
      continue;
    }
    if (result.outcome === 'ORDER_PLACED') return finish('ORDER_PLACED', startedAt);
    return finish(result.valid ? result.outcome : 'INVALID', startedAt, `${result.detail}: ${String(res.body).slice(0, 300)}`);
  }
}
