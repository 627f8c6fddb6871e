/**
 * The identity replay cache lives in Redis. When Redis cannot answer, a subgraph cannot tell a
 * signed request from a replay, so it fails closed: identity-bearing requests are refused 503
 * SERVICE_UNAVAILABLE (retryable, Retry-After), never accepted unchecked. Anonymous requests need
 * no replay check. The stack runs on a private redis-server this test pauses.
 */
import { startStack, Stack } from '../support/stack';
import { createTestUser, TestUser } from '../support/users';
import { postRaw } from '../support/hostile';
import { signedHeaders } from '../support/signed';
import { PrivateRedis } from '../../chaos/lib/servers';

let redis: PrivateRedis;
let stack: Stack;
let user: TestUser;
beforeAll(async () => {
  redis = await PrivateRedis.launch();
  stack = await startStack({ REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '500' });
  user = await createTestUser(stack);
});
afterAll(async () => {
  redis?.resume();
  await stack?.stop();
  await redis?.destroy();
});

const me = { query: '{ me { id } }' };
const signedMe = () => signedHeaders(stack.user.deps.secrets.identitySecret, { userId: user.id, roles: ['CUSTOMER'] }, stack.user.url, me);

it('with Redis hanging, a signed request is refused 503 SERVICE_UNAVAILABLE; an anonymous one is served; after it, signed ones work again', async () => {
  const ok = await postRaw(stack.user.url, me, signedMe());
  expect(ok.body?.data).toEqual({ me: { id: user.id } });

  redis.pause();
  try {
    const refused = await fetch(stack.user.url, { method: 'POST', headers: { 'content-type': 'application/json', ...signedMe() }, body: JSON.stringify(me) });
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await refused.json()) as { data?: unknown; errors: Array<{ extensions: { code: string; retryAfter?: number } }> };
    expect(body.data ?? null).toBeNull();
    expect(body.errors.map((e) => e.extensions.code)).toEqual(['SERVICE_UNAVAILABLE']);

    const anonymous = await postRaw(stack.product.url, { query: '{ __typename }' });
    expect(anonymous.status).toBe(200);
    expect(anonymous.body?.data).toEqual({ __typename: 'Query' });
  } finally {
    redis.resume();
  }

  let again = await postRaw(stack.user.url, me, signedMe());
  for (let i = 0; i < 20 && again.status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 250));
    again = await postRaw(stack.user.url, me, signedMe());
  }
  expect(again.body?.data).toEqual({ me: { id: user.id } });
});
