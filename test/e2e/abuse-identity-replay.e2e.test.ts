/**
 * A signed identity is bound to its request and accepted once (issue 12, item 4). Someone who can
 * see a gateway→subgraph request on the internal network holds a valid signature for up to
 * IDENTITY_MAX_AGE_SECONDS. The signature covers method, path and the SHA-256 of the exact body
 * bytes, and its nonce is claimed in Redis (shared by replicas) on first use, so:
 *   - sent again verbatim, to the same or to another replica, it is refused 401 and changes nothing;
 *   - sent with another body (another operation), to another path or with another method, 401;
 *   - the gateway signs every subgraph fetch on its own (a fresh nonce each), keeping the client's
 *     x-request-id for log correlation.
 */
import { Writable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import Redis from 'ioredis';
import { IDENTITY_HEADERS, Identity, ServiceName, SubgraphService, loadConfig } from '@flashsale/platform';
import { startStack, Stack } from '../support/stack';
import { createTestUser, ME_ID, TestUser } from '../support/users';
import { createSaleProduct } from '../support/catalog';
import { stateProbe, StateProbe } from '../support/state-snapshot';
import { postRaw, RawAnswer } from '../support/hostile';
import { signedHeaders } from '../support/signed';
import { startCartSubgraph, CartServices } from '@flashsale/cart-subgraph';

let stack: Stack;
let probe: StateProbe;
let victim: TestUser;
let productId: string;
/** A second cart replica on the same MySQL and Redis, logging into `replicaLog`. */
let cartReplica: SubgraphService<CartServices>;
const replicaLog: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  stack = await startStack({ ORDER_SWEEP_INTERVAL_MS: '3600000' });
  victim = await createTestUser(stack, { name: 'Victoria Victim' });
  productId = (await createSaleProduct(stack, { stock: 10 })).id;
  probe = await stateProbe(stack);
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) replicaLog.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  // A replica of its own on a free port (stack.env holds the first cart's port).
  cartReplica = await startCartSubgraph(loadConfig({ ...stack.env, CART_PORT: '0' }), pino({ level: 'info', base: { service: 'cart-replica' } }, sink));
}, 60_000);

afterAll(async () => {
  await cartReplica?.close();
  await probe?.close();
  await stack?.stop();
});

interface Target {
  service: ServiceName;
  identity: () => Identity;
  /** A state-changing operation (a new one each call). */
  query: () => string;
}

const TARGETS: Target[] = [
  {
    service: 'user',
    identity: () => ({ userId: victim.id, roles: ['CUSTOMER'] }),
    query: () => `mutation { updateProfile(input: { name: "Name ${randomUUID().slice(0, 8)}" }) { user { id } userErrors { code } } }`,
  },
  {
    service: 'product',
    identity: () => ({ userId: randomUUID(), roles: ['ADMIN'] }),
    query: () => `mutation { createCategory(input: { name: "Replay ${randomUUID().slice(0, 8)}" }) { category { id } userErrors { code } } }`,
  },
  {
    service: 'cart',
    identity: () => ({ userId: victim.id, roles: ['CUSTOMER'] }),
    query: () => `mutation { addToCart(productId: "${productId}", quantity: 1) { cart { totalQuantity } userErrors { code } } }`,
  },
  {
    service: 'order',
    identity: () => ({ userId: victim.id, roles: ['CUSTOMER'] }),
    query: () => `mutation { placeOrder(input: { items: [{ productId: "${productId}", quantity: 1 }], idempotencyKey: "replay-${randomUUID()}" }) { order { id } userErrors { code } } }`,
  },
];

const secret = () => stack.user.deps.secrets.identitySecret;
const codes = (res: RawAnswer) => res.body?.errors?.map((e) => e.extensions?.code);
const accepted = (res: RawAnswer) => {
  expect(res.status).toBe(200);
  expect(res.body?.errors).toBeUndefined();
  expect((Object.values(res.body?.data ?? {})[0] as { userErrors: unknown[] }).userErrors).toEqual([]);
};
const refused = (res: RawAnswer) => {
  expect(res.status).toBe(401);
  expect(res.body?.data ?? null).toBeNull();
  expect(codes(res)).toEqual(['UNAUTHENTICATED']);
};

describe('a signed subgraph request replayed verbatim', () => {
  it.each(TARGETS.map((t) => [t.service, t] as const))('%s subgraph: accepted once, then refused 401, changing nothing', async (_s, target) => {
    const url = stack[target.service].url;
    const body = { query: target.query() };
    const headers = signedHeaders(secret(), target.identity(), url, body);
    accepted(await postRaw(url, body, headers));
    const before = await probe.settled();
    refused(await postRaw(url, body, headers));
    expect(probe.diff(before, await probe.settled())).toEqual([]);
  });

  it('sent at once many times, exactly one is accepted (the claim is atomic in Redis)', async () => {
    const url = stack.cart.url;
    const body = { query: TARGETS[2].query() };
    const headers = signedHeaders(secret(), TARGETS[2].identity(), url, body);
    const answers = await Promise.all(Array.from({ length: 10 }, () => postRaw(url, body, headers)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, ...Array(9).fill(401)]);
  });

  it('used on one replica, refused on another (the replay cache is shared), logged there as a security event at warn', async () => {
    const body = { query: TARGETS[2].query() };
    // Both replicas serve the same path, so the same signature is valid for either.
    const headers = signedHeaders(secret(), TARGETS[2].identity(), stack.cart.url, body);
    accepted(await postRaw(stack.cart.url, body, headers));
    const before = await probe.settled();
    refused(await postRaw(cartReplica.url, body, headers));
    expect(probe.diff(before, await probe.settled())).toEqual([]);
    const entry = replicaLog.find((l) => l.requestId === headers['x-request-id'] && l.securityEvent === 'identity_rejected');
    expect(entry).toMatchObject({ level: 40, reason: 'Identity signature was already used' });
  });
});

describe('a captured signature sent with another request', () => {
  it.each(TARGETS.map((t) => [t.service, t] as const))('%s subgraph: another body (another operation) is refused 401 and changes nothing', async (_s, target) => {
    const url = stack[target.service].url;
    const signedFor = { query: '{ __typename }' };
    const headers = signedHeaders(secret(), target.identity(), url, signedFor);
    const before = await probe.settled();
    refused(await postRaw(url, { query: target.query() }, headers));
    // With the digest header rewritten to match the swapped body, the HMAC still fails.
    const swapped = { query: target.query() };
    const digestOf = signedHeaders(secret(), target.identity(), url, swapped)[IDENTITY_HEADERS.bodyDigest];
    refused(await postRaw(url, swapped, { ...headers, [IDENTITY_HEADERS.bodyDigest]: digestOf }));
    expect(probe.diff(before, await probe.settled())).toEqual([]);
  });

  it('the same bytes with one variable changed are refused', async () => {
    const url = stack.cart.url;
    const query = `mutation($q: Int!) { addToCart(productId: "${productId}", quantity: $q) { cart { totalQuantity } userErrors { code } } }`;
    const headers = signedHeaders(secret(), TARGETS[2].identity(), url, { query, variables: { q: 1 } });
    const before = await probe.settled();
    refused(await postRaw(url, { query, variables: { q: 5 } }, headers));
    expect(probe.diff(before, await probe.settled())).toEqual([]);
  });

  it('another path is refused (signed for /graphql, sent to /graphql/)', async () => {
    const url = stack.cart.url;
    const body = { query: TARGETS[2].query() };
    const headers = signedHeaders(secret(), TARGETS[2].identity(), url, body);
    const before = await probe.settled();
    refused(await postRaw(`${url}/`, body, headers));
    refused(await postRaw(`${url}?x=1`, body, headers));
    expect(probe.diff(before, await probe.settled())).toEqual([]);
    // The signature itself was good: unused, it is accepted where it was meant to go.
    accepted(await postRaw(url, body, headers));
  });

  it('another method is refused (signed POST of a query, sent as GET)', async () => {
    const url = stack.user.url;
    const query = '{ me { id } }';
    const headers = signedHeaders(secret(), { userId: victim.id, roles: ['CUSTOMER'] }, url, { query });
    const res = await fetch(`${url}?query=${encodeURIComponent(query)}`, { headers: { ...headers, 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors.map((e) => e.extensions.code)).toEqual(['UNAUTHENTICATED']);
    // The same query, signed for GET and its path, is accepted.
    const getUrl = `${url}?query=${encodeURIComponent(query)}`;
    const ok = await fetch(getUrl, { headers: { ...signedHeaders(secret(), { userId: victim.id, roles: ['CUSTOMER'] }, getUrl, '', { method: 'GET' }), 'apollo-require-preflight': 'true' } });
    expect(((await ok.json()) as { data: { me: { id: string } } }).data.me.id).toBe(victim.id);
  });
});

describe('through the gateway', () => {
  it('every subgraph fetch is signed with its own nonce, under the client request id', async () => {
    const requestId = `client-${randomUUID()}`;
    const res = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${victim.token}`, 'x-request-id': requestId },
      body: JSON.stringify({ query: '{ me { id name cart { totalQuantity } } }' }),
    });
    const answer = (await res.json()) as { data?: { me: { id: string; cart: unknown } }; errors?: unknown };
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.me.id).toBe(victim.id);
    expect(res.headers.get('x-request-id')).toBe(requestId);
    // One claimed nonce per subgraph fetch (user, then cart), each under the client's request id.
    const redis = new Redis(stack.config.REDIS_URL);
    try {
      const keys = await redis.keys(`${stack.config.REDIS_PREFIX}identity:nonce:${requestId}:*`);
      expect(keys).toHaveLength(2);
      expect(new Set(keys.map((k) => k.split(':').pop())).size).toBe(2);
      const ttl = await redis.pttl(keys[0]);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual((stack.config.IDENTITY_MAX_AGE_SECONDS + 1) * 1000 + 5_000);
    } finally {
      await redis.quit();
    }
  });

  it('repeated identical client requests all work (each fetch is signed anew)', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await stack.gql(ME_ID, {}, { token: victim.token, headers: { 'x-request-id': 'same-client-id' } });
      expect(res.errors).toBeUndefined();
      expect(res.data?.me.id).toBe(victim.id);
    }
  });
});
