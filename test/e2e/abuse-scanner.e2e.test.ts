/**
 * Two findings of graphql-cop (an outside GraphQL security scanner), closed and kept closed,
 * through the real gateway with every subgraph running and the default limits:
 *  1. alias overloading: 101 aliases of `__typename` were answered although MAX_ALIASES is 30,
 *     because graphql-armor exempts `__typename` by default. Every alias now counts: `__typename`,
 *     introspection fields and aliases inside fragments alike.
 *  2. directive overloading: ten copies of an unknown directive produced ten errors, so the work and
 *     the answer grew with the document. One invalid document now gets at most five validation
 *     errors, then graphql-js's "Too many validation errors" and validation stops.
 * The documents are raw strings (no typed document would be written this way).
 */
import { startStack, Stack } from '../support/stack';

const MAX_ALIASES = 30; // the configuration default
const MAX_VALIDATION_ERRORS = 5; // gateway/src/gateway.ts

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

const aliases = (count: number, field: string) => Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(' ');

describe('alias overloading: every alias counts toward MAX_ALIASES', () => {
  it('answers 30 aliases of __typename (the limit itself)', async () => {
    const res = await stack.gql(`query Aliases { ${aliases(MAX_ALIASES, '__typename')} }`);
    expect(res.errors).toBeUndefined();
    expect(Object.keys(res.data ?? {})).toHaveLength(MAX_ALIASES);
    expect(res.data?.a29).toBe('Query');
  });

  it.each([
    ['31 aliases of __typename', `query Aliases { ${aliases(MAX_ALIASES + 1, '__typename')} }`],
    ['101 aliases of __typename (graphql-cop)', `query Aliases { ${aliases(101, '__typename')} }`],
    ['31 aliases of an introspection field', `query Aliases { ${aliases(MAX_ALIASES + 1, '__schema { queryType { name } }')} }`],
    ['31 aliases of __typename inside a fragment', `query Aliases { ...F } fragment F on Query { ${aliases(MAX_ALIASES + 1, '__typename')} }`],
    ['aliases of __typename nested in a product', `query Aliases { ${aliases(20, '__typename')} categories { ${aliases(11, '__typename')} } }`],
  ])('refuses %s with 400 GRAPHQL_VALIDATION_FAILED and no data', async (_name, query) => {
    const res = await stack.gql(query);
    expect(res.status).toBe(400);
    expect(res.data).toBeUndefined();
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0].message).toMatch(/aliases limit of 30 exceeded/i);
    expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('directive overloading: one invalid document gets a bounded number of errors', () => {
  const repeated = (count: number) => `query Directives { __typename ${Array.from({ length: count }, () => '@aa').join(' ')} }`;

  it('answers ten duplicated unknown directives (graphql-cop) with at most five errors and the limit note', async () => {
    const res = await stack.gql(repeated(10));
    expect(res.status).toBe(400);
    expect(res.data).toBeUndefined();
    const messages = (res.errors ?? []).map((e) => e.message);
    expect(messages.length).toBeLessThanOrEqual(MAX_VALIDATION_ERRORS + 1);
    expect(messages.length).toBeLessThan(10);
    expect(messages.filter((m) => /unknown directive "@aa"/i.test(m))).toHaveLength(MAX_VALIDATION_ERRORS);
    expect(messages[messages.length - 1]).toMatch(/too many validation errors/i);
    for (const e of res.errors ?? []) expect(e.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('still reports every error of a document with fewer than the bound', async () => {
    const res = await stack.gql(repeated(3));
    expect(res.status).toBe(400);
    const messages = (res.errors ?? []).map((e) => e.message);
    expect(messages).toHaveLength(3);
    for (const m of messages) expect(m).toMatch(/unknown directive "@aa"/i);
  });

  it('bounds errors of any kind, not only directives: 50 unknown fields', async () => {
    const fields = Array.from({ length: 50 }, (_, i) => `nope${i}`).join(' ');
    const res = await stack.gql(`query Fields { ${fields} }`);
    expect(res.status).toBe(400);
    expect(res.errors?.length).toBe(MAX_VALIDATION_ERRORS + 1);
    expect(res.errors?.[0].message).toMatch(/cannot query field "nope0"/i);
  });
});
