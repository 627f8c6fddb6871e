import { classifyTicketOrder, edgeOrigin, joinUrl, nextStep, readLineAnswer, retryAfterSeconds, turnUrl } from './waiting-room.js';

const line = (extra: Record<string, unknown>) =>
  JSON.stringify({ productId: 'p1', state: 'OPEN', nowServing: 40, admitPerSecond: 300, waiting: 900, available: 612, opensAt: null, closesAt: null, updatedAt: 'x', ...extra });
const busy = JSON.stringify({ errors: [{ message: 'Too busy right now; retry in 2s', extensions: { code: 'SERVICE_UNAVAILABLE', retryAfter: 2 } }] });

describe('the waiting room\'s URLs, beside the gateway\'s /graphql', () => {
  it('joins and turns live on the gateway\'s origin', () => {
    const origin = edgeOrigin('http://127.0.0.1:4000/graphql');
    expect(origin).toBe('http://127.0.0.1:4000');
    expect(joinUrl(origin, 'p1')).toBe('http://127.0.0.1:4000/waiting-room/p1');
    expect(turnUrl(origin, 'p1', 1234, 25)).toBe('http://127.0.0.1:4000/waiting-room/p1/turn?number=1234&wait=25');
    expect(turnUrl(origin, 'p1', null, 25)).toBe('http://127.0.0.1:4000/waiting-room/p1/turn?wait=25');
  });

  it('refuses a gateway URL that is not http(s)', () => {
    expect(() => edgeOrigin('127.0.0.1:4000')).toThrow('GATEWAY_URL');
  });
});

describe('readLineAnswer + nextStep: what a buyer in line does next', () => {
  it('a join with a number not yet served waits; one already served orders', () => {
    const waiting = readLineAnswer(200, line({ ticket: 'wr1.a.b', number: 1234, served: false, preQueue: false, estimatedWaitSeconds: 4 }), undefined, 'join');
    expect(waiting).toMatchObject({ kind: 'TICKET', number: 1234, ticket: 'wr1.a.b', estimatedWaitSeconds: 4 });
    expect(nextStep(waiting)).toBe('wait');
    expect(nextStep(readLineAnswer(200, line({ ticket: 'wr1.a.b', number: 12, served: true }), undefined, 'join'))).toBe('order');
  });

  it('a join on a sale that sold out or closed gets no ticket and is final', () => {
    const soldOut = readLineAnswer(200, line({ state: 'SOLD_OUT', ticket: null, number: null }), undefined, 'join');
    expect(soldOut.kind).toBe('SOLD_OUT');
    expect(nextStep(soldOut)).toBe('final');
    expect(nextStep(readLineAnswer(200, line({ state: 'CLOSED', ticket: null, number: null }), undefined, 'join'))).toBe('final');
  });

  it('a pre-queue ticket watches without a number until the opening, then joins again', () => {
    const pre = readLineAnswer(200, line({ state: 'NOT_OPEN', ticket: 'wr1.a.b', number: null, preQueue: true }), undefined, 'join');
    expect(nextStep(pre)).toBe('wait');
    const opened = readLineAnswer(200, line({ number: null, served: false }), undefined, 'turn');
    expect(nextStep(opened)).toBe('rejoin');
  });

  it('turn answers: served orders, not yet waits again, sold out and closed are final', () => {
    expect(nextStep(readLineAnswer(200, line({ number: 1234, served: true }), undefined, 'turn'))).toBe('order');
    expect(nextStep(readLineAnswer(200, line({ number: 1234, served: false }), undefined, 'turn'))).toBe('wait');
    expect(nextStep(readLineAnswer(200, line({ state: 'SOLD_OUT', number: 1234, served: false }), undefined, 'turn'))).toBe('final');
    expect(readLineAnswer(200, line({ state: 'CLOSED', number: 1234 }), undefined, 'turn').kind).toBe('CLOSED');
  });

  it('a typed 503 or 429 is busy, with the wait it asks for (body first, then Retry-After)', () => {
    expect(readLineAnswer(503, busy, '1')).toMatchObject({ kind: 'BUSY', retryAfterSeconds: 2 });
    const limited = readLineAnswer(429, JSON.stringify({ errors: [{ message: 'x', extensions: { code: 'RATE_LIMITED' } }] }), '7');
    expect(limited).toMatchObject({ kind: 'BUSY', retryAfterSeconds: 7 });
    expect(nextStep(limited)).toBe('retry');
  });

  it.each([
    ['401', 401, JSON.stringify({ errors: [{ message: 'x', extensions: { code: 'UNAUTHENTICATED' } }] }), /HTTP 401 UNAUTHENTICATED/],
    ['404 (no waiting room)', 404, JSON.stringify({ errors: [{ message: 'x', extensions: { code: 'NOT_FOUND' } }] }), /HTTP 404/],
    ['a 503 that is not a typed busy answer', 503, 'Service Unavailable', /without a typed busy error/],
    ['a 200 that is not a line document', 200, '{"ok":true}', /state missing/],
    ['an OPEN join without a ticket', 200, line({ ticket: null, number: null }), /no ticket/],
  ])('%s is invalid and stops the buyer', (_name, status, body, detail) => {
    const answer = readLineAnswer(status, body, undefined, 'join');
    expect(answer.kind).toBe('INVALID');
    expect(answer.detail).toMatch(detail);
    expect(nextStep(answer)).toBe('stop');
  });

  it('retryAfterSeconds falls back when neither the body nor the header says', () => {
    expect(retryAfterSeconds('not json', undefined)).toBe(1);
    expect(retryAfterSeconds('', '', 3)).toBe(3);
  });
});

describe('classifyTicketOrder: placeOrder on a waiting-room sale', () => {
  const order = (payload: unknown) => JSON.stringify({ data: { placeOrder: payload } });

  it('an order, and the usual typed refusals, as classifyPlaceOrder', () => {
    expect(classifyTicketOrder(order({ order: { id: 'o1', status: 'PENDING_PAYMENT' }, userErrors: [] }))).toMatchObject({ outcome: 'ORDER_PLACED', valid: true, orderId: 'o1' });
    expect(classifyTicketOrder(order({ order: null, userErrors: [{ code: 'SOLD_OUT', message: 'x' }] }))).toMatchObject({ outcome: 'SOLD_OUT', valid: true });
    expect(classifyTicketOrder(busy)).toMatchObject({ outcome: 'BUSY', valid: true });
  });

  it('NOT_ADMITTED is typed, with its reason', () => {
    const waiting = classifyTicketOrder(order({ order: null, userErrors: [{ code: 'NOT_ADMITTED', message: 'x', reason: 'WAITING', place: 12 }] }));
    expect(waiting).toMatchObject({ outcome: 'NOT_ADMITTED', valid: true, reason: 'WAITING' });
    expect(classifyTicketOrder(order({ order: null, userErrors: [{ code: 'NOT_ADMITTED', message: 'x', reason: null }] })).reason).toBeNull();
  });

  it('an untyped error stays invalid', () => {
    expect(classifyTicketOrder(JSON.stringify({ errors: [{ message: 'x', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }))).toMatchObject({ outcome: 'INVALID', valid: false });
  });
});
