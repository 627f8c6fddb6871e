/**
 * The supergraph's foundations end to end: anonymous and signed-in queries through the gateway
 * across all four subgraphs, access tokens the gateway refuses, identity headers a subgraph
 * refuses, and the health endpoints.
 */
import { randomUUID } from 'node:crypto';
import { startStack, Stack } from '../support/stack';
import { createTestUser, ME_ID } from '../support/users';
import { CATEGORY_IDS } from '../support/catalog';
import { Category, Product } from '@flashsale/product-subgraph';
import { graphql } from '../gql';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

describe('the supergraph end to end', () => {
  it('answers an anonymous catalog query through the gateway', async () => {
    const em = stack.product.deps.orm.em.fork();
    const category = em.create(Category, { name: 'Shoes' });
    const product = em.create(Product, { name: 'Runner', price: 4999, category, stock: 7 });
    await em.flush();
    const res = await stack.gql(
      graphql(`query FoundationCatalog($id: ID!) { product(id: $id) { id name price available category { name } } categories { name } }`),
      { id: product.id },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      product: { id: product.id, name: 'Runner', price: 4999, available: 7, category: { name: 'Shoes' } },
      categories: [{ name: 'Shoes' }],
    });
  });

  it('resolves me, cart and orders across all four subgraphs for a signed-in user', async () => {
    const { id, token } = await createTestUser(stack);
    const user = { id };
    const res = await stack.gql(graphql(`query FoundationAcrossSubgraphs { me { id cart { items { product { id } } totalQuantity } orders { id } } }`), {}, { token });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ me: { id: user.id, cart: { items: [], totalQuantity: 0 }, orders: [] } });
  });

  it('refuses `me` to an anonymous caller with UNAUTHENTICATED', async () => {
    const res = await stack.gql(ME_ID);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('access tokens at the gateway', () => {
  const codeOf = (r: { errors?: Array<{ extensions?: Record<string, unknown> }> }) => r.errors?.[0]?.extensions?.code;

  it('rejects a tampered token', async () => {
    const token = await stack.token({ userId: randomUUID(), roles: ['CUSTOMER'] });
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    claims.roles = ['ADMIN'];
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    const res = await stack.gql(ME_ID, {}, { token: forged });
    expect(res.status).toBe(401);
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
  });

  it('rejects an expired token', async () => {
    const token = await stack.token({ userId: randomUUID(), roles: ['CUSTOMER'] }, -60);
    const res = await stack.gql(ME_ID, {}, { token });
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
  });

  it('rejects an alg:none token', async () => {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const token = `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ sub: randomUUID(), roles: ['ADMIN'], iss: stack.config.JWT_ISSUER, aud: stack.config.JWT_AUDIENCE, exp: now + 600, jti: 'x' })}.`;
    const res = await stack.gql(ME_ID, {}, { token });
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
  });

  it('rejects a malformed Authorization header and does not fall back to anonymous', async () => {
    const res = await stack.gql(CATEGORY_IDS, {}, { headers: { authorization: 'Basic abc' } });
    expect(res.status).toBe(401);
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
    expect(res.data).toBeFalsy();
  });
});

describe('identity forwarded to subgraphs', () => {
  it('rejects a direct subgraph call with a forged identity header', async () => {
    const res = await stack.gql(ME_ID, {}, {
      url: stack.user.url,
      headers: { 'x-identity-user': randomUUID(), 'x-identity-roles': 'ADMIN', 'x-identity-ts': String(Math.floor(Date.now() / 1000)), 'x-identity-sig': 'forged' },
    });
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(JSON.stringify(res)).not.toMatch(/stack|at \w+ \(/);
  });

  it('reports health of MySQL and Redis per subgraph and of every subgraph at the gateway', async () => {
    const sub = await fetch(stack.product.url.replace('/graphql', '/health'));
    expect(sub.status).toBe(200);
    expect(await sub.json()).toMatchObject({ status: 'ok', checks: { mysql: 'ok', redis: 'ok' } });
    const gw = await fetch(stack.gatewayUrl.replace('/graphql', '/health'));
    expect(await gw.json()).toMatchObject({ status: 'ok', checks: { user: 'ok', product: 'ok', cart: 'ok', order: 'ok' } });
  });

  it('answers readiness with the own dependencies only and liveness with none', async () => {
    const probe = async (url: string, path: string) => {
      const res = await fetch(url.replace('/graphql', path));
      return { status: res.status, body: await res.json() };
    };
    expect(await probe(stack.product.url, '/health/ready')).toEqual({ status: 200, body: { service: 'product', status: 'ok', checks: { mysql: 'ok', redis: 'ok' } } });
    expect(await probe(stack.product.url, '/health/live')).toEqual({ status: 200, body: { service: 'product', status: 'ok', checks: {} } });
    // The gateway's readiness does not ask the subgraphs (test/replicas: it stays 200 while they are down).
    expect(await probe(stack.gatewayUrl, '/health/ready')).toEqual({ status: 200, body: { service: 'gateway', status: 'ok', checks: {} } });
    expect(await probe(stack.gatewayUrl, '/health/live')).toEqual({ status: 200, body: { service: 'gateway', status: 'ok', checks: {} } });
    expect((await fetch(stack.gatewayUrl.replace('/graphql', '/health/other'))).status).toBe(404);
  });
});
