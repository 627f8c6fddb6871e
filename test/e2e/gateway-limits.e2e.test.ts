/**
 * The gateway's abuse limits (depth, aliases, cost, body size, batching, per-field rate limits),
 * each crossed on purpose with a raw query string no typed document would be, next to ordinary
 * typed queries that must still pass.
 */
import { startStack, Stack } from '../support/stack';
import { CATEGORY_IDS } from '../support/catalog';
import { graphql } from '../gql';

/** Tight limits so each one is easy to cross; ordinary queries must still pass. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ MAX_QUERY_DEPTH: '5', MAX_ALIASES: '3', MAX_QUERY_COST: '60', MAX_BODY_BYTES: '8000', MAX_BATCH_SIZE: '1', RATE_LIMITS: 'product:ip:3/60' });
});
afterAll(() => stack?.stop());

const post = (body: string) =>
  fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('gateway abuse limits refuse a request before any subgraph runs it', () => {
  it('lets an ordinary query through', async () => {
    const res = await stack.gql(graphql(`query LimitsOrdinaryQuery { categories { id name } }`));
    expect(res.errors).toBeUndefined();
  });

  it('refuses a query nested deeper than MAX_QUERY_DEPTH', async () => {
    const res = await stack.gql(`{ categories { parent { parent { parent { parent { parent { id } } } } } } }`);
    expect(res.data).toBeUndefined();
    expect(res.errors?.[0].message).toMatch(/depth/i);
    expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses more aliases than MAX_ALIASES', async () => {
    const res = await stack.gql(`{ a: categories { id } b: categories { id } c: categories { id } d: categories { id } }`);
    expect(res.data).toBeUndefined();
    expect(res.errors?.[0].message).toMatch(/alias/i);
  });

  it('refuses an operation costlier than MAX_QUERY_COST', async () => {
    const fields = Array.from({ length: 40 }, () => 'name').join(' ');
    const res = await stack.gql(`{ categories { id ${fields} parent { id ${fields} parent { id ${fields} } } } }`);
    expect(res.data).toBeUndefined();
    expect(res.errors?.[0].message).toMatch(/cost/i);
  });

  it('refuses batched operations', async () => {
    const res = await post(JSON.stringify([{ query: '{ categories { id } }' }, { query: '{ categories { id } }' }]));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ message: string }> };
    expect(body.errors[0].message).toMatch(/operation/i);
  });

  it('refuses a body larger than MAX_BODY_BYTES with 413', async () => {
    const res = await post(JSON.stringify({ query: `{ categories { id } }`, variables: { pad: 'x'.repeat(9000) } }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('rate-limits a field per client address across requests, answering 429 with retryAfter', async () => {
    const query = graphql(`query LimitsRateLimitedField { product(id: "00000000-0000-0000-0000-000000000000") { id } }`);
    const answers = await Promise.all(Array.from({ length: 5 }, () => stack.gql(query)));
    const limited = answers.filter((r) => r.errors?.[0]?.extensions?.code === 'RATE_LIMITED');
    expect(limited).toHaveLength(2);
    expect(limited[0].status).toBe(429);
    expect(limited[0].errors?.[0].extensions?.retryAfter).toBeGreaterThan(0);
    // other fields are not limited
    expect((await stack.gql(CATEGORY_IDS)).errors).toBeUndefined();
  });

  it('answers a GraphQL syntax error with 400 GRAPHQL_PARSE_FAILED', async () => {
    const res = await stack.gql(`{ categories { id }`);
    expect(res.status).toBe(400);
    expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('refuses a document with more tokens than the parser allows', async () => {
    const res = await stack.gql(`{ categories { ${Array.from({ length: 2100 }, () => 'id').join(' ')} } }`);
    expect(res.status).toBe(400);
    expect(res.errors?.[0].message).toMatch(/token/i);
  });

  it('answers malformed JSON with BAD_REQUEST, not a stack trace', async () => {
    const res = await post('{"query": ');
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toMatch(/\n\s+at /);
  });
});
