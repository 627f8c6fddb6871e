/**
 * What docs/SECURITY.md says about browsers: the gateway authenticates with a bearer token only
 * (no cookies), Apollo Server's CSRF prevention refuses the "simple" requests a foreign page could
 * send without a preflight, and CORS answers only the configured origins.
 */
import { startStack, Stack } from '../support/stack';
import { createTestUser, ME_ID, TestUser } from '../support/users';

let stack: Stack;
let user: TestUser;
beforeAll(async () => {
  stack = await startStack({ CORS_ORIGINS: 'https://shop.example' });
  user = await createTestUser(stack);
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

describe('CSRF prevention at the gateway', () => {
  it('refuses a GET without a preflight-forcing header (a cross-site <img>/<script> request)', async () => {
    const res = await fetch(`${stack.gatewayUrl}?query=${encodeURIComponent('{ __typename }')}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/CSRF|preflight/i);
  });

  it('refuses a text/plain POST (a cross-site form), even with a valid token', async () => {
    const res = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).not.toContain(user.id);
  });

  it('serves a JSON POST (what a real client sends)', async () => {
    const res = await stack.gql(ME_ID, {}, { token: user.token });
    expect(res.data?.me.id).toBe(user.id);
  });
});

describe('CORS at the gateway', () => {
  const preflight = (origin: string) =>
    fetch(stack.gatewayUrl, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
    });

  it('allows a configured origin, without credentials', async () => {
    const res = await preflight('https://shop.example');
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('does not allow any other origin', async () => {
    const res = await preflight('https://evil.example');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const post = await fetch(stack.gatewayUrl, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
  });
});
