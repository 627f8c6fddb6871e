/**
 * Test fixtures for accounts: a real user row (encrypted PII, argon2 hash) written through the
 * user subgraph's AccountService without the emailed-code step, and an access token for it; and
 * the typed session operations (logIn, refreshTokens, logOut, me) the e2e tests share.
 */
import { randomUUID } from 'node:crypto';
import type { Role } from '@flashsale/platform';
import type { Stack } from './stack';
import { graphql } from '../gql';

export const LOG_IN = graphql(`
  mutation LogIn($email: String!, $password: String!) {
    logIn(email: $email, password: $password) {
      accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt user { id email roles } userErrors { code message field }
    }
  }
`);
export const REFRESH_TOKENS = graphql(`
  mutation RefreshTokens($t: String!) {
    refreshTokens(refreshToken: $t) { accessToken refreshToken user { id roles } userErrors { code message field } }
  }
`);
export const LOG_OUT = graphql(`
  mutation LogOut($t: String!) { logOut(refreshToken: $t) { success revokedSessions userErrors { code message } } }
`);
export const ME_ID = graphql(`
  query MeId { me { id } }
`);
export const ME = graphql(`
  query Me { me { id email name phone address roles } }
`);

export const TEST_PASSWORD = 'correct horse 42';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  roles: Role[];
  token: string;
}

export async function createTestUser(
  stack: Stack,
  opts: { email?: string; password?: string; name?: string; phone?: string; address?: string; roles?: Role[] } = {},
): Promise<TestUser> {
  const email = opts.email ?? `user-${randomUUID()}@example.test`;
  const password = opts.password ?? TEST_PASSWORD;
  const roles = opts.roles ?? ['CUSTOMER'];
  const em = stack.user.deps.orm.em.fork();
  const user = await stack.user.services.accounts.create(em, {
    email,
    password,
    name: opts.name ?? 'Test User',
    phone: opts.phone ?? null,
    address: opts.address ?? null,
    roles,
  });
  return { id: user.id, email, password, roles, token: await stack.token({ userId: user.id, roles }) };
}
