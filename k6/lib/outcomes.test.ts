import { classifyPlaceOrder, outcomeMetricName, PLACE_ORDER_OUTCOMES } from './outcomes.js';
import { payloadValue } from './graphql.js';

const answer = (placeOrder: unknown) => JSON.stringify({ data: { placeOrder } });
const orderPlaced = answer({ order: { id: '4f0c9f1e-0000-4000-8000-000000000001', status: 'PENDING_PAYMENT' }, userErrors: [] });
const refused = (code: string) => answer({ order: null, userErrors: [{ code, message: `refused: ${code}` }] });
const graphqlError = (...codes: string[]) => JSON.stringify({ data: null, errors: codes.map((code) => ({ message: code, extensions: { code } })) });

describe('classifyPlaceOrder: what one flash-sale answer means', () => {
  it('an order with an id and a status is ORDER_PLACED, with its id', () => {
    expect(classifyPlaceOrder(orderPlaced)).toEqual({
      outcome: 'ORDER_PLACED',
      valid: true,
      orderId: '4f0c9f1e-0000-4000-8000-000000000001',
      detail: 'PENDING_PAYMENT',
    });
  });

  it.each(['SOLD_OUT', 'SALE_NOT_OPEN', 'SALE_CLOSED', 'LIMIT_EXCEEDED'])('the typed refusal %s is a valid outcome of its own', (code) => {
    expect(classifyPlaceOrder(refused(code))).toMatchObject({ outcome: code, valid: true, orderId: null });
  });

  it('the gateway rate limit (HTTP 429, RATE_LIMITED error) is a valid outcome', () => {
    expect(classifyPlaceOrder(graphqlError('RATE_LIMITED'))).toMatchObject({ outcome: 'RATE_LIMITED', valid: true });
  });

  it('admission control shedding an overload (SERVICE_UNAVAILABLE with retryAfter) is BUSY, a valid outcome', () => {
    const busy = JSON.stringify({ data: null, errors: [{ message: 'Too busy', extensions: { code: 'SERVICE_UNAVAILABLE', retryAfter: 1 } }] });
    expect(classifyPlaceOrder(busy)).toMatchObject({ outcome: 'BUSY', valid: true, orderId: null });
  });

  it('accepts an already-parsed body as well as the raw string', () => {
    expect(classifyPlaceOrder(JSON.parse(refused('SOLD_OUT')))).toMatchObject({ outcome: 'SOLD_OUT', valid: true });
  });

  it.each([
    ['an empty body', '', 'not a JSON object'],
    ['an HTML error page', '<html>502 Bad Gateway</html>', 'not a JSON object'],
    ['null', null, 'not a JSON object'],
    ['a JSON array', '[]', 'not a JSON object'],
    ['a masked server error', graphqlError('INTERNAL_SERVER_ERROR'), 'INTERNAL_SERVER_ERROR'],
    ['a rate limit mixed with another error', graphqlError('RATE_LIMITED', 'SERVICE_UNAVAILABLE'), 'SERVICE_UNAVAILABLE'],
    ['SERVICE_UNAVAILABLE without retryAfter (not an overload answer)', graphqlError('SERVICE_UNAVAILABLE'), 'SERVICE_UNAVAILABLE'],
    ['an unauthenticated buyer (expired token file)', graphqlError('UNAUTHENTICATED'), 'UNAUTHENTICATED'],
    ['a GraphQL error without a code', JSON.stringify({ errors: [{ message: 'boom' }] }), 'UNKNOWN'],
    ['no placeOrder payload', JSON.stringify({ data: { placeOrder: null } }), 'no data.placeOrder'],
    ['a payload without userErrors', answer({ order: { id: 'o1', status: 'PENDING_PAYMENT' } }), 'userErrors missing'],
    ['a userError without a code', answer({ order: null, userErrors: [{ message: 'no' }] }), 'userErrors missing'],
    ['an unexpected refusal code', refused('PRODUCT_NOT_FOUND'), 'PRODUCT_NOT_FOUND'],
    ['an order and a userError at once', answer({ order: { id: 'o1', status: 'PENDING_PAYMENT' }, userErrors: [{ code: 'SOLD_OUT', message: 'x' }] }), 'both'],
    ['neither an order nor a userError', answer({ order: null, userErrors: [] }), 'neither'],
    ['an order without an id', answer({ order: { id: '', status: 'PENDING_PAYMENT' }, userErrors: [] }), 'without id'],
    ['an order without a status', answer({ order: { id: 'o1' }, userErrors: [] }), 'without id or status'],
  ])('%s is INVALID', (_name, body, detail) => {
    const result = classifyPlaceOrder(body);
    expect(result.outcome).toBe('INVALID');
    expect(result.valid).toBe(false);
    expect(result.detail).toContain(detail);
  });

  it('a mix of expected refusals counts as the first one', () => {
    const body = answer({ order: null, userErrors: [{ code: 'LIMIT_EXCEEDED', message: 'a' }, { code: 'SOLD_OUT', message: 'b' }] });
    expect(classifyPlaceOrder(body)).toMatchObject({ outcome: 'LIMIT_EXCEEDED', valid: true });
  });

  it('every outcome has a distinct k6 metric name', () => {
    const names = PLACE_ORDER_OUTCOMES.map(outcomeMetricName);
    expect(names).toContain('outcome_order_placed');
    expect(names).toContain('outcome_invalid');
    expect(new Set(names).size).toBe(PLACE_ORDER_OUTCOMES.length);
    for (const n of names) expect(n).toMatch(/^[a-z_]+$/);
  });
});

describe('payloadValue: the entity a setup mutation created, or why not', () => {
  it('returns the created object', () => {
    const body = JSON.stringify({ data: { createProduct: { product: { id: 'p1' }, userErrors: [] } } });
    expect(payloadValue(body, 'createProduct', 'product')).toEqual({ ok: true, value: { id: 'p1' } });
  });

  it('names the userErrors when the mutation was refused', () => {
    const body = JSON.stringify({ data: { createCategory: { category: null, userErrors: [{ code: 'NAME_TAKEN', message: 'taken' }] } } });
    expect(payloadValue(body, 'createCategory', 'category')).toEqual({ ok: false, detail: 'createCategory: NAME_TAKEN (taken)' });
  });

  it('names the GraphQL error codes (e.g. a non-admin token)', () => {
    expect(payloadValue(graphqlError('FORBIDDEN'), 'createProduct', 'product')).toEqual({ ok: false, detail: 'createProduct: GraphQL errors FORBIDDEN' });
  });
});
