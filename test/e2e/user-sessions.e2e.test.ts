/**
 * Login, throttling, refresh-token rotation, logout, profile and password changes, admins and the
 * command-line tools, through the gateway against real MariaDB and Redis.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { startStack, Stack, GraphQLResponse } from '../support/stack';
import { signedHeaders } from '../support/signed';
import { createTestUser, LOG_IN, LOG_OUT, ME, REFRESH_TOKENS } from '../support/users';
import { graphql } from '../gql';
import { createAdmin } from '../../scripts/create-admin';
import { seedBuyers, DEFAULT_BUYER_PASSWORD } from '../../scripts/seed-buyers';
import { RefreshTokenStore } from '@flashsale/user-subgraph';

let stack: Stack;
beforeAll(async () => {
  // Gateway per-address limits off for this file: it is the user subgraph's throttling under test.
  stack = await startStack({ RATE_LIMITS: 'placeOrder:user:20/10' });
});
afterAll(() => stack?.stop());

const LOG_OUT_EVERYWHERE = graphql(`
  mutation LogOutEverywhere { logOutEverywhere { success revokedSessions userErrors { code } } }
`);
const CHANGE_PASSWORD = graphql(`
  mutation ChangePassword($old: String!, $new: String!) {
    changePassword(oldPassword: $old, newPassword: $new) { accessToken refreshToken userErrors { code message field } }
  }
`);
const UPDATE_PROFILE = graphql(`
  mutation UpdateProfile($input: UpdateProfileInput!) { updateProfile(input: $input) { user { id name phone address } userErrors { code } } }
`);

const codeOf = (r: GraphQLResponse<unknown>) => r.errors?.[0]?.extensions?.code;
const logIn = async (email: string, password: string) => stack.gql(LOG_IN, { email, password });

async function row(id: string): Promise<Record<string, unknown>> {
  const [r] = await stack.user.deps.orm.em.getConnection().execute('select * from `user` where id = ?', [id]);
  return r;
}

describe('logIn', () => {
  it('issues an ES256 access token (kid, sub, roles, iss, aud, exp 15 min, jti) and a 14-day refresh token', async () => {
    const u = await createTestUser(stack);
    const session = (await logIn(u.email, u.password)).data!.logIn;
    expect(session.userErrors).toEqual([]);
    const header = decodeProtectedHeader(session.accessToken!);
    const claims = decodeJwt(session.accessToken!);
    expect(header).toMatchObject({ alg: 'ES256', kid: stack.user.deps.secrets.jwtKeyId });
    expect(claims).toMatchObject({ sub: u.id, roles: ['CUSTOMER'], iss: stack.config.JWT_ISSUER, aud: stack.config.JWT_AUDIENCE });
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(claims.jti).toEqual(expect.any(String));
    expect(session.refreshToken).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    // Only a hash of the refresh token is kept in Redis.
    const keys = await stack.user.deps.redis.keys(`${stack.config.REDIS_PREFIX}user:rt:*`);
    const values = await Promise.all(keys.filter((k) => !k.endsWith(':rotated')).map((k) => stack.user.deps.redis.hgetall(k.slice(stack.config.REDIS_PREFIX.length))));
    expect(JSON.stringify(values)).not.toContain(session.refreshToken!.split('.')[1]);
  });

  it('answers a wrong password and an unknown email alike, checking a dummy hash for the unknown one', async () => {
    const u = await createTestUser(stack);
    const verify = jest.spyOn(stack.user.services.passwords, 'verify');
    const wrongPassword = await logIn(u.email, 'Not-the-password-1');
    const unknownEmail = await logIn(`nobody-${randomUUID()}@example.test`, 'Not-the-password-1');
    expect({ ...wrongPassword, headers: null }).toEqual({ ...unknownEmail, headers: null });
    expect(wrongPassword.data!.logIn).toEqual({
      accessToken: null,
      accessTokenExpiresAt: null,
      refreshToken: null,
      refreshTokenExpiresAt: null,
      user: null,
      userErrors: [{ code: 'INVALID_CREDENTIALS', message: 'Email or password is incorrect', field: null }],
    });
    // Both paths ran one argon2id verification, which is what makes them take the same time.
    expect(verify).toHaveBeenCalledTimes(2);
    for (const [hash] of verify.mock.calls) expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    verify.mockRestore();
  });

  it('refuses malformed or over-long credentials with BAD_USER_INPUT', async () => {
    for (const [email, password, field] of [
      ['not-an-email', 'whatever-123', 'email'],
      [`${'e'.repeat(260)}@example.test`, 'whatever-123', 'email'],
      ['someone@example.test', '', 'password'],
      ['someone@example.test', 'x'.repeat(129), 'password'],
    ]) {
      const res = await logIn(email, password);
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0].extensions?.field).toBe(field);
    }
  });

  it('locks an email for the window after 5 failures, even for the right password, and a success resets the count', async () => {
    const u = await createTestUser(stack);
    const hashBefore = (await row(u.id)).password_hash;
    // 4 failures, then a success: the count starts again.
    for (let i = 0; i < 4; i++) expect((await logIn(u.email, 'Wrong-password-1')).data!.logIn.userErrors[0].code).toBe('INVALID_CREDENTIALS');
    expect((await logIn(u.email, u.password)).data!.logIn.userErrors).toEqual([]);
    for (let i = 0; i < 5; i++) expect((await logIn(u.email, 'Wrong-password-1')).data!.logIn.userErrors[0].code).toBe('INVALID_CREDENTIALS');

    const locked = await logIn(u.email, u.password);
    expect(locked.status).toBe(200);
    expect(codeOf(locked)).toBe('RATE_LIMITED');
    expect(locked.errors?.[0].extensions?.retryAfter).toBeGreaterThan(800);
    expect(locked.errors?.[0].extensions?.retryAfter).toBeLessThanOrEqual(900);
    // The same address in another spelling is the same account.
    expect(codeOf(await logIn(`  ${u.email.toUpperCase()}`, u.password))).toBe('RATE_LIMITED');
    expect((await row(u.id)).password_hash).toBe(hashBefore);
  });

  it('throttles one client address that fails against many emails (50 per window)', async () => {
    const em = stack.user.deps.orm.em.fork();
    const sessions = stack.user.services.sessions;
    const attacker = '203.0.113.77';
    const u = await createTestUser(stack);
    for (let i = 0; i < 50; i++) {
      const res = await sessions.logIn(em, `guess-${i}-${randomUUID()}@example.test`, 'Guess-password-1', attacker);
      expect(res.userErrors[0].code).toBe('INVALID_CREDENTIALS');
    }
    await expect(sessions.logIn(em, u.email, u.password, attacker)).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    // Another address is not affected.
    expect((await sessions.logIn(em, u.email, u.password, '198.51.100.1')).userErrors).toEqual([]);
  });
});

describe('refresh tokens', () => {
  it('five simultaneous refreshes with one token rotate it once: all five get the same new token and the session lives', async () => {
    const u = await createTestUser(stack);
    const session = (await logIn(u.email, u.password)).data!.logIn;
    const results = (await Promise.all(Array.from({ length: 5 }, () => stack.gql(REFRESH_TOKENS, { t: session.refreshToken! })))).map((r) => r.data!.refreshTokens);
    expect(results.map((r) => r.userErrors)).toEqual(Array.from({ length: 5 }, () => []));
    const successors = new Set(results.map((r) => r.refreshToken));
    expect(successors.size).toBe(1);
    expect(successors.has(session.refreshToken)).toBe(false);
    // One rotation: the family's one rotated-away secret is the first token's.
    const [family] = session.refreshToken!.split('.');
    expect(await stack.user.deps.redis.scard(`user:rt:{${family}}:rotated`)).toBe(1);
    const [next] = results;
    // Using the new token moves the family on; the first token is then reuse and ends the session.
    expect((await stack.gql(REFRESH_TOKENS, { t: next.refreshToken! })).data!.refreshTokens.userErrors).toEqual([]);
    expect((await stack.gql(REFRESH_TOKENS, { t: session.refreshToken! })).data!.refreshTokens.userErrors[0].code).toBe('REFRESH_TOKEN_REUSED');
    expect(await stack.user.services.sessions.refreshTokens.liveFamilies(u.id)).toEqual([]);
  });

  it('a retry after the reuse grace is reuse: the family ends', async () => {
    const u = await createTestUser(stack);
    // A store on the same Redis with a one-second grace (the stack's is 30 s).
    const store = new RefreshTokenStore(stack.user.deps.redis, { ttlSeconds: 600, reuseGraceSeconds: 1, secret: 'a-test-secret-of-at-least-32-characters' });
    const first = await store.issue(u.id);
    const rotated = await store.rotate(first.token);
    expect(rotated).toMatchObject({ status: 'OK', retried: false });
    expect(await store.rotate(first.token)).toMatchObject({ status: 'OK', retried: true, token: (rotated as { token: string }).token });
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await store.rotate(first.token)).toMatchObject({ status: 'REUSED', userId: u.id });
    expect(await store.rotate((rotated as { token: string }).token)).toEqual({ status: 'INVALID' });
    expect(await store.liveFamilies(u.id)).toEqual([]);
  });

  it('refuses unknown, forged and malformed refresh tokens without touching live sessions', async () => {
    const u = await createTestUser(stack);
    const session = (await logIn(u.email, u.password)).data!.logIn;
    const [family] = session.refreshToken!.split('.');
    for (const t of ['', 'garbage', `${family}.${randomBytes(32).toString('base64url')}`, `${randomBytes(16).toString('base64url')}.${randomBytes(32).toString('base64url')}`, `${session.refreshToken}.x`]) {
      expect((await stack.gql(REFRESH_TOKENS, { t })).data!.refreshTokens.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_REFRESH_TOKEN', field: 'refreshToken' })]);
    }
    expect(codeOf(await stack.gql(REFRESH_TOKENS, { t: 'x'.repeat(500) }))).toBe('BAD_USER_INPUT');
    // A guessed secret for a real family is not "reuse": the session lives on.
    expect((await stack.gql(REFRESH_TOKENS, { t: session.refreshToken! })).data!.refreshTokens.userErrors).toEqual([]);
  });

  it('carries role changes into the next access token', async () => {
    const u = await createTestUser(stack);
    const session = (await logIn(u.email, u.password)).data!.logIn;
    await createAdmin(stack.config, { email: u.email, password: 'ignored-for-existing-1' });
    const refreshed = (await stack.gql(REFRESH_TOKENS, { t: session.refreshToken! })).data!.refreshTokens;
    expect(refreshed.user!.roles).toEqual(['CUSTOMER', 'ADMIN']);
    expect(decodeJwt(refreshed.accessToken!).roles).toEqual(['CUSTOMER', 'ADMIN']);
  });

  it('logOutEverywhere ends every session of the caller and no one else’s', async () => {
    const u = await createTestUser(stack);
    const other = await createTestUser(stack);
    const a = (await logIn(u.email, u.password)).data!.logIn;
    const b = (await logIn(u.email, u.password)).data!.logIn;
    const c = (await logIn(other.email, other.password)).data!.logIn;
    expect(codeOf(await stack.gql(LOG_OUT_EVERYWHERE))).toBe('UNAUTHENTICATED');
    expect((await stack.gql(LOG_OUT_EVERYWHERE, {}, { token: a.accessToken! })).data!.logOutEverywhere).toEqual({ success: true, revokedSessions: 2, userErrors: [] });
    for (const t of [a.refreshToken!, b.refreshToken!]) {
      expect((await stack.gql(REFRESH_TOKENS, { t })).data!.refreshTokens.userErrors[0].code).toBe('INVALID_REFRESH_TOKEN');
    }
    expect((await stack.gql(REFRESH_TOKENS, { t: c.refreshToken! })).data!.refreshTokens.userErrors).toEqual([]);
  });

  it('logOut with a malformed token is INVALID_REFRESH_TOKEN and ends nothing', async () => {
    const u = await createTestUser(stack);
    const s = (await logIn(u.email, u.password)).data!.logIn;
    const res = (await stack.gql(LOG_OUT, { t: 'not-a-token' })).data!.logOut;
    expect(res).toEqual({ success: false, revokedSessions: 0, userErrors: [expect.objectContaining({ code: 'INVALID_REFRESH_TOKEN' })] });
    expect(await stack.user.services.sessions.refreshTokens.liveFamilies(u.id)).toHaveLength(1);
    expect((await stack.gql(REFRESH_TOKENS, { t: s.refreshToken! })).data!.refreshTokens.userErrors).toEqual([]);
  });
});

describe('profile and password', () => {
  it('updates name and phone, clears the address with null, and keeps what was omitted', async () => {
    const u = await createTestUser(stack, { name: 'Old Name', phone: '+1 555 0100', address: 'Somewhere 1' });
    const res = (await stack.gql(UPDATE_PROFILE, { input: { name: '  New Name ', address: null } }, { token: u.token })).data!.updateProfile;
    expect(res).toEqual({ user: { id: u.id, name: 'New Name', phone: '+1 555 0100', address: null }, userErrors: [] });
    expect((await stack.gql(ME, {}, { token: u.token })).data!.me).toMatchObject({ name: 'New Name', phone: '+1 555 0100', address: null });
    expect(JSON.stringify(await row(u.id))).not.toContain('New Name');
  });

  it('refuses bad profile input and anonymous callers, changing nothing', async () => {
    const u = await createTestUser(stack);
    const before = JSON.stringify(await row(u.id));
    for (const input of [{ name: '' }, { name: null }, { name: 'x'.repeat(101) }, { phone: 'letters' }, { address: 'a'.repeat(501) }]) {
      expect(codeOf(await stack.gql(UPDATE_PROFILE, { input }, { token: u.token }))).toBe('BAD_USER_INPUT');
    }
    expect(codeOf(await stack.gql(UPDATE_PROFILE, { input: { name: 'Anon' } }))).toBe('UNAUTHENTICATED');
    expect(JSON.stringify(await row(u.id))).toBe(before);
  });

  it('changePassword needs the current password and a strong new one, then ends every older session', async () => {
    const u = await createTestUser(stack);
    const old = (await logIn(u.email, u.password)).data!.logIn;
    const hashBefore = (await row(u.id)).password_hash;

    const wrong = (await stack.gql(CHANGE_PASSWORD, { old: 'Not-my-password-1', new: 'Brand-new-pass-2' }, { token: u.token })).data!.changePassword;
    expect(wrong.userErrors).toEqual([expect.objectContaining({ code: 'WRONG_PASSWORD', field: 'oldPassword' })]);
    const weak = (await stack.gql(CHANGE_PASSWORD, { old: u.password, new: 'weakweakweak' }, { token: u.token })).data!.changePassword;
    expect(weak.userErrors).toEqual([expect.objectContaining({ code: 'WEAK_PASSWORD', field: 'newPassword' })]);
    expect(codeOf(await stack.gql(CHANGE_PASSWORD, { old: u.password, new: 'Brand-new-pass-2' }))).toBe('UNAUTHENTICATED');
    expect((await row(u.id)).password_hash).toBe(hashBefore);
    expect((await stack.gql(REFRESH_TOKENS, { t: old.refreshToken! })).data!.refreshTokens.userErrors).toEqual([]);

    const current = (await logIn(u.email, u.password)).data!.logIn;
    const changed = (await stack.gql(CHANGE_PASSWORD, { old: u.password, new: 'Brand-new-pass-2' }, { token: u.token })).data!.changePassword;
    expect(changed.userErrors).toEqual([]);
    expect((await stack.gql(REFRESH_TOKENS, { t: current.refreshToken! })).data!.refreshTokens.userErrors[0].code).toBe('INVALID_REFRESH_TOKEN');
    expect((await stack.gql(REFRESH_TOKENS, { t: changed.refreshToken! })).data!.refreshTokens.userErrors).toEqual([]);
    expect((await logIn(u.email, u.password)).data!.logIn.userErrors[0].code).toBe('INVALID_CREDENTIALS');
    expect((await logIn(u.email, 'Brand-new-pass-2')).data!.logIn.userErrors).toEqual([]);
  });
});

describe('who may read personal data', () => {
  // Sent to the user subgraph itself (_entities is not in the API schema): a raw query.
  const ENTITIES = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { id email name } } }`;
  type Entities = { _entities: Array<{ id: string; email: string; name: string } | null> };
  /** Signed as the gateway signs: over this very body ({ query: ENTITIES, variables }). */
  const asCaller = (identity: { userId: string; roles: Array<'CUSTOMER' | 'ADMIN'> }, variables: Record<string, unknown>) =>
    signedHeaders(stack.user.deps.secrets.identitySecret, identity, stack.user.url, { query: ENTITIES, variables });

  it('another customer reaching a User through federation gets FORBIDDEN; an admin and the user get the data', async () => {
    const u = await createTestUser(stack, { name: 'Private Person' });
    const reps = [{ __typename: 'User', id: u.id }];
    const stranger = await stack.gql(ENTITIES, { reps }, { url: stack.user.url, headers: asCaller({ userId: randomUUID(), roles: ['CUSTOMER'] }, { reps }) });
    expect(codeOf(stranger)).toBe('FORBIDDEN');
    expect(JSON.stringify(stranger.data)).not.toContain('Private Person');
    const anonymous = await stack.gql(ENTITIES, { reps }, { url: stack.user.url });
    expect(codeOf(anonymous)).toBe('FORBIDDEN');
    const admin = await stack.gql<Entities>(ENTITIES, { reps }, { url: stack.user.url, headers: asCaller({ userId: randomUUID(), roles: ['ADMIN'] }, { reps }) });
    expect(admin.data!._entities).toEqual([{ id: u.id, email: u.email, name: 'Private Person' }]);
    const self = await stack.gql<Entities>(ENTITIES, { reps }, { url: stack.user.url, headers: asCaller({ userId: u.id, roles: ['CUSTOMER'] }, { reps }) });
    expect(self.data!._entities[0]!.name).toBe('Private Person');
  });
});

describe('command-line tools', () => {
  it('create-admin creates an ADMIN who can log in, and refuses a weak password', async () => {
    const email = `admin-${randomUUID()}@example.test`;
    const { userId, created } = await createAdmin(stack.config, { email, password: 'Admin-Secret-99' });
    expect(created).toBe(true);
    const session = (await logIn(email, 'Admin-Secret-99')).data!.logIn;
    expect(session.user).toEqual({ id: userId, email, roles: ['CUSTOMER', 'ADMIN'] });
    await expect(createAdmin(stack.config, { email: `weak-${randomUUID()}@example.test`, password: 'short' })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('seed:buyers writes working access tokens (valid > 1 hour) for verified customers who can log in', async () => {
    const before = (await stack.user.deps.orm.em.getConnection().execute('select count(*) as n from `user`'))[0].n;
    const buyers = await seedBuyers(stack.config, { count: 25 });
    expect(buyers).toHaveLength(25);
    expect(new Set(buyers.map((b) => b.email)).size).toBe(25);
    const after = (await stack.user.deps.orm.em.getConnection().execute('select count(*) as n from `user`'))[0].n;
    expect(Number(after) - Number(before)).toBe(25);
    expect(decodeJwt(buyers[0].accessToken).exp! - Date.now() / 1000).toBeGreaterThan(3600);
    const me = (await stack.gql(ME, {}, { token: buyers[7].accessToken })).data!.me;
    expect(me).toMatchObject({ id: buyers[7].userId, email: buyers[7].email, roles: ['CUSTOMER'] });
    expect((await logIn(buyers[3].email, DEFAULT_BUYER_PASSWORD)).data!.logIn.userErrors).toEqual([]);
    expect(JSON.stringify(await row(buyers[3].userId))).not.toContain(buyers[3].email);
  });
});
