/**
 * Reaching a subgraph port directly cannot impersonate anyone. Subgraphs listen on loopback, and
 * accept forwarded identity only with the gateway's fresh HMAC over (user, roles, timestamp,
 * request id, nonce, method, path, body digest). Every forgery below — a made-up signature,
 * another secret, a stale or future timestamp, no signature, roles or user changed after signing,
 * a signature replayed for another request id, body, path or method, a changed nonce — is answered
 * UNAUTHENTICATED by each of the four subgraphs, and changes nothing in any database or Redis. A correctly signed call of the same operation does change state (the control
 * that shows the forgeries fail for their forgery alone).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { IDENTITY_HEADERS, Identity, REQUEST_ID_HEADER, ServiceName, SignedRequest, bodyDigestOf, loadConfig, signIdentityHeaders } from '@flashsale/platform';
import { startStack, Stack } from '../support/stack';
import { createTestUser, TestUser } from '../support/users';
import { createSaleProduct } from '../support/catalog';
import { stateProbe, StateProbe } from '../support/state-snapshot';
import { answerProblems, postRaw } from '../support/hostile';
import { signedHeaders } from '../support/signed';

let stack: Stack;
let probe: StateProbe;
let victim: TestUser;
let productId: string;

beforeAll(async () => {
  stack = await startStack({ ORDER_SWEEP_INTERVAL_MS: '3600000' });
  victim = await createTestUser(stack, { name: 'Victoria Victim' });
  productId = (await createSaleProduct(stack, { stock: 10 })).id;
  probe = await stateProbe(stack);
}, 60_000);

afterAll(async () => {
  await probe?.close();
  await stack?.stop();
});

interface Target {
  service: ServiceName;
  /** What the call asks for, and who it claims to be. */
  what: string;
  identity: () => Identity;
  query: () => string;
}

/** One state-changing operation per subgraph, each claiming an identity it may not have. */
const TARGETS: Target[] = [
  {
    service: 'user',
    what: "rename the victim's account",
    identity: () => ({ userId: victim.id, roles: ['CUSTOMER'] }),
    query: () => `mutation { updateProfile(input: { name: "Mallory" }) { user { id name } userErrors { code } } }`,
  },
  {
    service: 'product',
    what: 'create a category as ADMIN',
    identity: () => ({ userId: randomUUID(), roles: ['ADMIN'] }),
    query: () => `mutation { createCategory(input: { name: "Forged ${randomUUID().slice(0, 8)}" }) { category { id } userErrors { code } } }`,
  },
  {
    service: 'cart',
    what: "fill the victim's cart",
    identity: () => ({ userId: victim.id, roles: ['CUSTOMER'] }),
    query: () => `mutation { addToCart(productId: "${productId}", quantity: 5) { cart { totalQuantity } userErrors { code } } }`,
  },
  {
    service: 'order',
    what: 'place an order in the victim\'s name',
    identity: () => ({ userId: victim.id, roles: ['CUSTOMER'] }),
    query: () => `mutation { placeOrder(input: { items: [{ productId: "${productId}", quantity: 2 }], idempotencyKey: "forged-${randomUUID()}" }) { order { id } userErrors { code } } }`,
  },
];

type Headers = Record<string, string>;
const secret = () => stack.user.deps.secrets.identitySecret;
const maxAge = () => stack.config.IDENTITY_MAX_AGE_SECONDS;

/** Each forgery: the headers an attacker sends, given the identity it wants, its request id and the request it sends. */
const FORGERIES: Array<[string, (id: Identity, requestId: string, req: SignedRequest) => Headers]> = [
  ['a made-up signature', (id, rid, req) => ({ ...signIdentityHeaders(secret(), id, rid, req), [IDENTITY_HEADERS.signature]: randomBytes(32).toString('base64url') })],
  ['a signature made with another secret', (id, rid, req) => signIdentityHeaders(randomBytes(32).toString('base64url'), id, rid, req)],
  ['a correct signature with a stale timestamp', (id, rid, req) => signIdentityHeaders(secret(), id, rid, req, Date.now() - (maxAge() + 5) * 1000)],
  ['a correct signature with a timestamp from the future', (id, rid, req) => signIdentityHeaders(secret(), id, rid, req, Date.now() + (maxAge() + 5) * 1000)],
  [
    'a stale signature with its timestamp refreshed',
    (id, rid, req) => ({ ...signIdentityHeaders(secret(), id, rid, req, Date.now() - (maxAge() + 5) * 1000), [IDENTITY_HEADERS.timestamp]: String(Math.floor(Date.now() / 1000)) }),
  ],
  [
    'identity headers without a signature',
    (id, rid, req) => {
      const { [IDENTITY_HEADERS.signature]: _dropped, ...rest } = signIdentityHeaders(secret(), id, rid, req);
      return rest;
    },
  ],
  ['an empty signature', (id, rid, req) => ({ ...signIdentityHeaders(secret(), id, rid, req), [IDENTITY_HEADERS.signature]: '' })],
  [
    'roles raised after signing (valid signature for CUSTOMER, ADMIN claimed)',
    (id, rid, req) => ({ ...signIdentityHeaders(secret(), { ...id, roles: ['CUSTOMER'] }, rid, req), [IDENTITY_HEADERS.roles]: 'CUSTOMER,ADMIN' }),
  ],
  [
    'the user swapped after signing (valid signature for the attacker\'s own id)',
    (id, rid, req) => ({ ...signIdentityHeaders(secret(), { ...id, userId: randomUUID() }, rid, req), [IDENTITY_HEADERS.user]: id.userId }),
  ],
  ['a valid signature replayed with another request id', (id, _rid, req) => signIdentityHeaders(secret(), id, `captured-${randomUUID()}`, req)],
  ['a valid signature for another body (another operation)', (id, rid, req) => signIdentityHeaders(secret(), id, rid, { ...req, body: JSON.stringify({ query: '{ __typename }' }) })],
  [
    'a valid signature for another body, with the digest header rewritten to the sent body',
    (id, rid, req) => ({ ...signIdentityHeaders(secret(), id, rid, { ...req, body: JSON.stringify({ query: '{ __typename }' }) }), [IDENTITY_HEADERS.bodyDigest]: bodyDigestOf(req.body) }),
  ],
  ['a valid signature for another path', (id, rid, req) => signIdentityHeaders(secret(), id, rid, { ...req, path: '/graphql?admin=1' })],
  ['a valid signature for another method', (id, rid, req) => signIdentityHeaders(secret(), id, rid, { ...req, method: 'GET' })],
  ['a valid signature with its nonce changed', (id, rid, req) => ({ ...signIdentityHeaders(secret(), id, rid, req), [IDENTITY_HEADERS.nonce]: randomBytes(16).toString('base64url') })],
];

describe('a direct call to a subgraph with forged identity headers', () => {
  for (const target of TARGETS) {
    describe(`${target.service} subgraph (${target.what})`, () => {
      it.each(FORGERIES)('refuses %s with UNAUTHENTICATED and changes nothing', async (_name, forge) => {
        const requestId = `req-${randomUUID()}`;
        const body = { query: target.query() };
        const req: SignedRequest = { method: 'POST', path: new URL(stack[target.service].url).pathname, body: JSON.stringify(body) };
        const headers = { ...forge(target.identity(), requestId, req), [REQUEST_ID_HEADER]: requestId };
        const before = await probe.settled();
        const res = await postRaw(stack[target.service].url, body, headers);
        // A clean UNAUTHENTICATED (HTTP 401) with nothing of the inside in it.
        expect(res.status).toBe(401);
        expect(answerProblems(res, body)).toEqual([]);
        expect(res.body?.data ?? null).toBeNull();
        expect(res.body?.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
        expect(probe.diff(before, await probe.snapshot())).toEqual([]);
      });
    });
  }

  it.each(TARGETS.map((t) => [t.service, t] as const))('%s subgraph: a call with no identity headers is anonymous and refused, changing nothing', async (_s, target) => {
    const before = await probe.settled();
    const body = { query: target.query() };
    const res = await postRaw(stack[target.service].url, body, { [REQUEST_ID_HEADER]: `req-${randomUUID()}` });
    expect(res.body?.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(probe.diff(before, await probe.snapshot())).toEqual([]);
  });

  // The control: the same calls, signed with the gateway's secret, are accepted and change state.
  it.each(TARGETS.map((t) => [t.service, t] as const))('%s subgraph: the same call correctly signed is accepted (control)', async (_s, target) => {
    const before = await probe.settled();
    const body = { query: target.query() };
    const res = await postRaw(stack[target.service].url, body, signedHeaders(secret(), target.identity(), stack[target.service].url, body));
    expect(res.body?.errors).toBeUndefined();
    const payload = Object.values(res.body?.data ?? {})[0] as { userErrors: unknown[] };
    expect(payload.userErrors).toEqual([]);
    expect(probe.diff(before, await probe.settled()).length).toBeGreaterThan(0);
  });
});

describe('subgraphs listen on loopback only', () => {
  it('binds to 127.0.0.1 unless HOST says otherwise', () => {
    expect(loadConfig({}).HOST).toBe('127.0.0.1');
    for (const s of ['user', 'product', 'cart', 'order'] as const) expect(new URL(stack[s].url).hostname).toBe('127.0.0.1');
  });

  it("cannot be reached on the machine's other addresses", async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal && a.family === 'IPv4')
      .map((a) => a!.address);
    for (const address of external) {
      for (const s of ['user', 'product', 'cart', 'order'] as const) {
        const reached = await fetch(`http://${address}:${stack[s].port}/health`, { signal: AbortSignal.timeout(2000) }).then(
          () => true,
          () => false,
        );
        expect({ address, service: s, reached }).toEqual({ address, service: s, reached: false });
      }
    }
  });
});
