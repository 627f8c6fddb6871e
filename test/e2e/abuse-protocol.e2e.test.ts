/**
 * Issue 12, items 1-3, through the real gateway with every subgraph running:
 *  1. a rate-limited root field is counted however the operation spells it (inline fragments,
 *     named fragment spreads, aliases, several root fields at once), and a field that @skip/@include
 *     really skip (given the variables) is not counted;
 *  2. protocol mistakes (two operations and no operationName, an unknown operationName, a
 *     subscription) answer 400 with a clear code and log nothing at error level;
 *  3. every process answers every bad request (malformed JSON, oversized, wrong content type, bad
 *     method) in the gateway's JSON error shape, in development and in production.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { startStack, Stack } from '../support/stack';

/** Every log line any process of the stacks writes, at info and above. */
const logLines: Array<{ level: number; service: string; msg: string }> = [];
jest.mock('@flashsale/platform', () => {
  const actual = jest.requireActual('@flashsale/platform');
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logLines.push(JSON.parse(line));
      done();
    },
  });
  return { ...actual, createLogger: (_config: unknown, service: string) => pino({ level: 'info', base: { service } }, sink) };
});

const ERROR = 50; // pino's level number for error

let stack: Stack;
let prod: Stack;
beforeAll(async () => {
  [stack, prod] = await Promise.all([
    startStack({ NODE_ENV: 'development', MAX_BODY_BYTES: '4000', RATE_LIMITS: 'placeOrder:user:4/60,logIn:ip:5/60' }),
    startStack({ NODE_ENV: 'production', MAX_BODY_BYTES: '4000', SMTP_URL: 'smtp://127.0.0.1:1' }),
  ]);
});
afterAll(async () => {
  await Promise.all([stack?.stop(), prod?.stop()]);
});

const order = (alias = '') => `${alias}placeOrder(input: $input) { order { id } userErrors { code } }`;
const logIn = (alias = '') => `${alias}logIn(email: "nobody@example.com", password: "wrong-password") { userErrors { code } }`;
const limited = (r: { errors?: Array<{ extensions?: Record<string, unknown> }> }) => r.errors?.some((e) => e.extensions?.code === 'RATE_LIMITED') ?? false;

describe('rate limits count every spelling of a root field (limit placeOrder 4 per user, logIn 5 per address)', () => {
  const input = { items: [{ productId: randomUUID(), quantity: 1 }], idempotencyKey: 'k' };
  const spellings: Record<string, string> = {
    plain: `mutation P($input: PlaceOrderInput!) { ${order()} }`,
    'inline fragment': `mutation P($input: PlaceOrderInput!) { ... on Mutation { ${order()} } }`,
    'untyped inline fragment': `mutation P($input: PlaceOrderInput!) { ... { ${order()} } }`,
    'named fragment spread': `mutation P($input: PlaceOrderInput!) { ...F } fragment F on Mutation { ${order()} }`,
    'nested spreads': `mutation P($input: PlaceOrderInput!) { ... on Mutation { ...F } } fragment F on Mutation { ...G } fragment G on Mutation { ${order('o: ')} }`,
  };

  it.each(Object.entries(spellings))('%s: 4 pass, the 5th is refused 429', async (_name, query) => {
    const token = await stack.token({ userId: randomUUID(), roles: ['CUSTOMER'] });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await stack.gql(query, { input: { ...input, idempotencyKey: `k${i}` } }, { token }));
    expect(answers.slice(0, 4).map(limited)).toEqual([false, false, false, false]);
    expect(limited(answers[4])).toBe(true);
    expect(answers[4].status).toBe(429);
  });

  it('counts each alias and each fragment occurrence: two aliases + a spread = 3, so the second such request is refused', async () => {
    const token = await stack.token({ userId: randomUUID(), roles: ['CUSTOMER'] });
    const query = `mutation P($input: PlaceOrderInput!) { ${order('a: ')} ... on Mutation { ${order('b: ')} } ...F } fragment F on Mutation { ${order('c: ')} }`;
    expect(limited(await stack.gql(query, { input }, { token }))).toBe(false);
    const second = await stack.gql(query, { input }, { token });
    expect(limited(second)).toBe(true);
    expect(second.data).toBeFalsy(); // refused before any subgraph ran it
  });

  it('does not count a field that @skip/@include really skip, and counts it when the variable says run', async () => {
    const token = await stack.token({ userId: randomUUID(), roles: ['CUSTOMER'] });
    const query = `mutation P($input: PlaceOrderInput!, $go: Boolean!, $no: Boolean = true) {
      ${order('a: ')}
      b: placeOrder(input: $input) @include(if: $go) { order { id } }
      ... on Mutation @skip(if: $no) { c: placeOrder(input: $input) { order { id } } }
      ...F @include(if: $go)
      d: placeOrder(input: $input) @skip(if: false) @include(if: $go) { order { id } }
    } fragment F on Mutation { e: placeOrder(input: $input) { order { id } } }`;
    // go=false: only `a` runs, so four such requests pass and the fifth is refused.
    for (let i = 0; i < 4; i++) expect(limited(await stack.gql(query, { input, go: false }, { token }))).toBe(false);
    expect(limited(await stack.gql(query, { input, go: false }, { token }))).toBe(true);

    // go=true, no=false with a fresh user: a, b, c, e and d run = 5 > 4 at once.
    const other = await stack.token({ userId: randomUUID(), roles: ['CUSTOMER'] });
    expect(limited(await stack.gql(query, { input, go: true, no: false }, { token: other }))).toBe(true);
  });

  it('counts logIn per address whatever the spelling, alongside other root fields', async () => {
    const spelled = [
      `mutation { ${logIn()} }`, // 1
      `mutation { ... on Mutation { ${logIn()} } }`, // 2
      `mutation L { ...F } fragment F on Mutation { ${logIn()} }`, // 3
      `mutation { ${logIn('x: ')} ${logIn('y: ')} }`, // 5
    ];
    for (const q of spelled) expect(limited(await stack.gql(q))).toBe(false);
    const sixth = await stack.gql(`mutation { requestEmailVerification(email: "a@example.com") { userErrors { code } } ... { ${logIn()} } }`);
    expect(limited(sixth)).toBe(true);
    expect(sixth.status).toBe(429);
  });
});

describe('protocol mistakes answer 400 with a clear code and are not logged as errors', () => {
  const mistakes: Record<string, { query: string; operationName?: string }> = {
    'two operations and no operationName': { query: `query A { categories { id } } query B { categories { name } }` },
    'an unknown operationName': { query: `query A { categories { id } }`, operationName: 'Nope' },
    'a subscription operation': { query: `subscription S { categories { id } }` },
    'a subscription chosen among several by name': { query: `query A { categories { id } } subscription S { categories { id } }`, operationName: 'S' },
  };
  const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it.each(Object.entries(mistakes))('%s: gateway and every subgraph answer 400', async (_name, body) => {
    const from = logLines.length;
    const s = stack;
    for (const url of [s.gatewayUrl, s.user.url, s.product.url, s.cart.url, s.order.url]) {
      const res = await post(url, body);
      const json = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
      expect({ url, status: res.status }).toEqual({ url, status: 400 });
      expect(['BAD_REQUEST', 'GRAPHQL_VALIDATION_FAILED']).toContain(json.errors[0].extensions.code);
      expect(json.errors[0].message).not.toMatch(/internal/i);
    }
    expect(logLines.slice(from).filter((l) => l.level >= ERROR)).toEqual([]);
  });
});

describe('every process answers every bad request in the JSON error shape', () => {
  const badRequests: Record<string, { init: RequestInit; status: number }> = {
    'malformed JSON': { init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' }, status: 400 },
    'JSON that is not an object': { init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '"query"' }, status: 400 },
    'oversized body': {
      init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(5000) } }) },
      status: 413,
    },
    'wrong content type': { init: { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"query":"{ __typename }"}' }, status: 400 },
    'form content type': { init: { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=%7B__typename%7D' }, status: 400 },
    'no body': { init: { method: 'POST', headers: { 'content-type': 'application/json' } }, status: 400 },
    'unsupported charset': { init: { method: 'POST', headers: { 'content-type': 'application/json; charset=latin1' }, body: '{"query":"{ __typename }"}' }, status: 415 },
    'bad method PUT': { init: { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }, status: 405 },
    'bad method DELETE': { init: { method: 'DELETE', headers: { 'content-type': 'application/json' } }, status: 405 },
    'DELETE without a content type (CSRF prevention)': { init: { method: 'DELETE' }, status: 400 },
    'GET without a query': { init: { method: 'GET', headers: { accept: 'application/json' } }, status: 400 },
  };
  const processes = (s: Stack) => ({ gateway: s.gatewayUrl, user: s.user.url, product: s.product.url, cart: s.cart.url, order: s.order.url });

  for (const mode of ['development', 'production'] as const) {
    it.each(Object.entries(badRequests))(`${mode}: %s`, async (_name, { init, status }) => {
      const from = logLines.length;
      const s = mode === 'production' ? prod : stack;
      for (const [name, url] of Object.entries(processes(s))) {
        const res = await fetch(url, init);
        const text = await res.text();
        const what = { process: name, status: res.status, type: res.headers.get('content-type') };
        expect(what).toEqual({ process: name, status, type: expect.stringMatching(/^application\/json/) });
        const body = JSON.parse(text) as { errors: Array<{ message: string; extensions: { code: string } }> };
        expect(body.errors).toHaveLength(1);
        expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
        expect(typeof body.errors[0].message).toBe('string');
        expect(text).not.toMatch(/\n\s+at |\/work\/|node_modules|<html/i);
      }
      expect(logLines.slice(from).filter((l) => l.level >= ERROR)).toEqual([]);
    });
  }
});
