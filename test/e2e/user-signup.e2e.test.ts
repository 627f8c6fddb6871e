/**
 * Sign-up with an emailed code, end to end: the gateway, the user subgraph, real MariaDB and Redis,
 * and a real SMTP server started here that receives the verification mail.
 *
 * Over 300 lines: the sign-up scenarios share one stack and one mail server started once.
 */
import { randomUUID } from 'node:crypto';
import { startStack, Stack, GraphQLResponse } from '../support/stack';
import { startMailCatcher, MailCatcher } from '../support/mail';
import { LOG_IN, LOG_OUT, ME, REFRESH_TOKENS } from '../support/users';
import { graphql } from '../gql';
import type { RequestVerificationCodeMutation, SignUpInput } from '../gql/graphql';

let stack: Stack;
let mail: MailCatcher;
beforeAll(async () => {
  mail = await startMailCatcher();
  // The gateway's own per-address limits would stop this file's many requests from 127.0.0.1
  // before the user subgraph's limits (what these tests are about) are reached.
  stack = await startStack({ SMTP_URL: mail.url, RATE_LIMITS: 'placeOrder:user:20/10' });
});
afterAll(async () => {
  await stack?.stop();
  await mail?.stop();
});

const REQUEST = graphql(`
  mutation RequestVerificationCode($email: String!) {
    requestEmailVerification(email: $email) { codeExpiresAt resendAvailableAt userErrors { code message field } }
  }
`);
const SIGN_UP = graphql(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) { user { id email name phone address roles } userErrors { code message field attemptsLeft } }
  }
`);

const PASSWORD = 'Tr0mbone-sunrise';
const newEmail = () => `Buyer.${randomUUID().slice(0, 8)}@Example.COM`;
const codeOf = (r: GraphQLResponse<unknown>) => r.errors?.[0]?.extensions?.code;

async function userRows(): Promise<Array<Record<string, unknown>>> {
  return stack.user.deps.orm.em.getConnection().execute('select * from `user` order by created_at');
}
const userCount = async () => (await userRows()).length;

/** Requests a code and reads it from the mail the SMTP server received. */
async function mailedCode(email: string): Promise<string> {
  const since = mail.messages.length;
  const res = await stack.gql(REQUEST, { email });
  expect(res.errors).toBeUndefined();
  return mail.waitForCode(email.trim().toLowerCase(), { since });
}

/** Lets a new code be requested at once (moves past the 60 s resend cooldown). */
async function skipCooldown(email: string) {
  await stack.user.deps.redis.del(stack.user.services.verification.redisKeysFor(email.trim().toLowerCase()).cooldown);
}

const signUpInput = (email: string, code: string, extra: Partial<SignUpInput> = {}) => ({
  email,
  code,
  password: PASSWORD,
  name: 'Ada Lovelace',
  phone: '+44 20 7946 0958',
  address: '12 Analytical Row, London',
  ...extra,
});

describe('a buyer signs up with a mailed code and uses the session', () => {
  it('receives the code over SMTP, signs up, logs in, reads me, refreshes, is caught reusing a token, logs out', async () => {
    const email = newEmail();
    const code = await mailedCode(email);
    expect(code).toMatch(/^\d{6}$/);

    const signUp = await stack.gql(SIGN_UP, { input: signUpInput(email, code) });
    expect(signUp.errors).toBeUndefined();
    expect(signUp.data!.signUp.userErrors).toEqual([]);
    const user = signUp.data!.signUp.user;
    expect(user).toMatchObject({ email: email.toLowerCase(), name: 'Ada Lovelace', roles: ['CUSTOMER'] });

    const login = await stack.gql(LOG_IN, { email, password: PASSWORD });
    const session = login.data!.logIn;
    expect(session.userErrors).toEqual([]);
    expect(session.user).toMatchObject({ id: user!.id, email: email.toLowerCase() });
    expect(new Date(session.accessTokenExpiresAt!).getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(new Date(session.refreshTokenExpiresAt!).getTime() - Date.now()).toBeGreaterThan(13.9 * 24 * 3600_000);

    const me = await stack.gql(ME, {}, { token: session.accessToken! });
    expect(me.errors).toBeUndefined();
    expect(me.data!.me).toEqual({
      id: user!.id,
      email: email.toLowerCase(),
      name: 'Ada Lovelace',
      phone: '+44 20 7946 0958',
      address: '12 Analytical Row, London',
      roles: ['CUSTOMER'],
    });

    const refreshed = (await stack.gql(REFRESH_TOKENS, { t: session.refreshToken! })).data!.refreshTokens;
    expect(refreshed.userErrors).toEqual([]);
    expect(refreshed.refreshToken).not.toBe(session.refreshToken);
    expect((await stack.gql(ME, {}, { token: refreshed.accessToken! })).data!.me.id).toBe(user!.id);

    // A retry of that refresh (its answer lost) before the new token is used: the same new token.
    const retried = (await stack.gql(REFRESH_TOKENS, { t: session.refreshToken! })).data!.refreshTokens;
    expect(retried.userErrors).toEqual([]);
    expect(retried.refreshToken).toBe(refreshed.refreshToken);
    // Once the new token is used, the first one is a theft signal.
    const third = (await stack.gql(REFRESH_TOKENS, { t: refreshed.refreshToken! })).data!.refreshTokens;
    expect(third.userErrors).toEqual([]);
    const warn = jest.spyOn(stack.user.deps.logger, 'warn');
    const reused = (await stack.gql(REFRESH_TOKENS, { t: session.refreshToken! })).data!.refreshTokens;
    expect(reused.userErrors).toEqual([expect.objectContaining({ code: 'REFRESH_TOKEN_REUSED', field: 'refreshToken' })]);
    expect(reused.accessToken).toBeNull();
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ securityEvent: 'refresh_token_reuse', userId: user!.id }), expect.any(String));
    warn.mockRestore();
    // ...and it ended the whole family, including the newest token.
    const afterTheft = (await stack.gql(REFRESH_TOKENS, { t: third.refreshToken! })).data!.refreshTokens;
    expect(afterTheft.userErrors[0].code).toBe('INVALID_REFRESH_TOKEN');

    // A new login, then logOut: its refresh token stops working.
    const second = (await stack.gql(LOG_IN, { email, password: PASSWORD })).data!.logIn;
    const out = (await stack.gql(LOG_OUT, { t: second.refreshToken! })).data!.logOut;
    expect(out).toEqual({ success: true, revokedSessions: 1, userErrors: [] });
    const afterLogout = (await stack.gql(REFRESH_TOKENS, { t: second.refreshToken! })).data!.refreshTokens;
    expect(afterLogout.userErrors[0].code).toBe('INVALID_REFRESH_TOKEN');
    const outAgain = (await stack.gql(LOG_OUT, { t: second.refreshToken! })).data!.logOut;
    expect(outAgain.success).toBe(false);
    expect(outAgain.userErrors[0].code).toBe('INVALID_REFRESH_TOKEN');
  });

  it('stores no plaintext email, name, phone, address or password in MySQL, nor any address in Redis', async () => {
    const email = newEmail();
    const secrets = { name: 'Grace Brewster Hopper', phone: '+1 555 0100 777', address: '1 Cobol Street, Arlington' };
    const code = await mailedCode(email);
    const res = (await stack.gql(SIGN_UP, { input: signUpInput(email, code, secrets) })).data!.signUp;
    expect(res.userErrors).toEqual([]);

    const [row] = (await userRows()).filter((r) => r.id === res.user!.id);
    const dump = JSON.stringify(row).toLowerCase();
    for (const plain of [email, secrets.name, secrets.phone, secrets.address, PASSWORD, 'hopper', 'cobol', '0100']) {
      expect(dump).not.toContain(plain.toLowerCase());
    }
    expect(row.email_cipher).toMatch(/^v1\.test1\./); // sealed under the configured key id
    expect(row.email_index).toMatch(/^[0-9a-f]{64}$/);
    expect(String(row.password_hash)).toMatch(/^\$argon2id\$/);

    const prefix = stack.config.REDIS_PREFIX;
    const redisKeys = await stack.user.deps.redis.keys(`${prefix}*`);
    const localPart = email.split('@')[0].toLowerCase();
    expect(redisKeys.join('\n').toLowerCase()).not.toContain(localPart);
    for (const key of redisKeys.filter((k) => k.startsWith(`${prefix}user:`))) {
      const type = await stack.user.deps.redis.type(key.slice(prefix.length));
      const value = type === 'hash' ? await stack.user.deps.redis.hgetall(key.slice(prefix.length)) : type === 'string' ? await stack.user.deps.redis.get(key.slice(prefix.length)) : '';
      expect(JSON.stringify(value).toLowerCase()).not.toContain(localPart);
    }
  });

  it('answers a code request the same way for a registered and an unknown address, and mails both', async () => {
    const registered = newEmail();
    await stack.gql(SIGN_UP, { input: signUpInput(registered, await mailedCode(registered)) });
    await skipCooldown(registered);

    const a = await stack.gql(REQUEST, { email: registered });
    const b = await stack.gql(REQUEST, { email: newEmail() });
    const shape = (r: GraphQLResponse<RequestVerificationCodeMutation>) => ({ status: r.status, errors: r.errors, keys: Object.keys(r.data!.requestEmailVerification), userErrors: r.data!.requestEmailVerification.userErrors });
    expect(shape(a)).toEqual(shape(b));
    expect(new Date(a.data!.requestEmailVerification.codeExpiresAt!).getTime() - Date.now()).toBeGreaterThan(170_000);
    expect(await mail.waitForCode(registered.toLowerCase(), { since: mail.messages.length - 2 })).toMatch(/^\d{6}$/);
  });

  it('refuses a second code within the 60 s cooldown with RATE_LIMITED and a retry-after', async () => {
    const email = newEmail();
    await mailedCode(email);
    const sent = mail.messages.length;
    const again = await stack.gql(REQUEST, { email });
    expect(codeOf(again)).toBe('RATE_LIMITED');
    expect(again.errors?.[0].extensions?.retryAfter).toBeGreaterThan(50);
    expect(again.errors?.[0].extensions?.retryAfter).toBeLessThanOrEqual(60);
    await new Promise((r) => setTimeout(r, 100));
    expect(mail.messages.length).toBe(sent);
  });
});

describe('sign-up refuses bad input and changes nothing', () => {
  const codeState = async (email: string) => stack.user.deps.redis.hgetall(stack.user.services.verification.redisKeysFor(email.toLowerCase()).code);

  it.each([
    ['a malformed email', { email: 'not-an-email' }, 'email'],
    ['an email without a domain dot', { email: 'someone@localhost' }, 'email'],
    ['an empty email', { email: '   ' }, 'email'],
    ['a huge email', { email: `${'a'.repeat(250)}@example.com` }, 'email'],
    ['an empty name', { name: '  ' }, 'name'],
    ['a huge name', { name: 'N'.repeat(101) }, 'name'],
    ['a name with control characters', { name: 'Bob\u0000' }, 'name'],
    ['a huge address', { address: 'A'.repeat(501) }, 'address'],
    ['a phone with letters', { phone: 'call me maybe' }, 'phone'],
    ['a huge phone', { phone: '1'.repeat(33) }, 'phone'],
    ['a huge password', { password: 'Aa1'.repeat(50) }, 'password'],
    ['a code that is not 6 digits', { code: '12ab56' }, 'code'],
  ])('%s: BAD_USER_INPUT naming the field', async (_label, bad, field) => {
    const email = newEmail();
    const code = await mailedCode(email);
    const before = await userCount();
    const res = await stack.gql(SIGN_UP, { input: signUpInput(email, code, bad) });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].extensions?.field).toBe(field);
    expect(await userCount()).toBe(before);
    // The code was not consumed or charged a try: it still signs the user up.
    expect(await codeState(email)).toMatchObject({ attempts: '0' });
    expect((await stack.gql(SIGN_UP, { input: signUpInput(email, code) })).data!.signUp.userErrors).toEqual([]);
  });

  it('refuses a malformed email when asking for a code, sending nothing', async () => {
    const sent = mail.messages.length;
    for (const email of ['nope', '', `${'x'.repeat(260)}@example.com`, 'two@@example.com']) {
      const res = await stack.gql(REQUEST, { email });
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0].extensions?.field).toBe('email');
    }
    expect(mail.messages.length).toBe(sent);
  });

  it.each([
    ['too short', 'Ab1-short', /at least 10 characters/],
    ['all lower-case letters', 'onlylowercaseletters', /two kinds of characters/],
    ['all digits', '12345678901234', /two kinds of characters/],
  ])('a weak password (%s) is WEAK_PASSWORD saying what is wrong, and keeps the code alive', async (_label, password, message) => {
    const email = newEmail();
    const code = await mailedCode(email);
    const before = await userCount();
    const res = (await stack.gql(SIGN_UP, { input: signUpInput(email, code, { password }) })).data!.signUp;
    expect(res.user).toBeNull();
    expect(res.userErrors).toEqual([expect.objectContaining({ code: 'WEAK_PASSWORD', field: 'password', message: expect.stringMatching(message) })]);
    expect(await userCount()).toBe(before);
    expect(await codeState(email)).toMatchObject({ attempts: '0' });
  });

  it('a wrong code is INVALID_CODE with the tries left; after 5 wrong tries even the right code is refused', async () => {
    const email = newEmail();
    const code = await mailedCode(email);
    const wrong = code === '000000' ? '111111' : '000000';
    const before = await userCount();
    for (let left = 4; left >= 0; left--) {
      const res = (await stack.gql(SIGN_UP, { input: signUpInput(email, wrong) })).data!.signUp;
      expect(res.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_CODE', field: 'code', attemptsLeft: left })]);
    }
    const dead = (await stack.gql(SIGN_UP, { input: signUpInput(email, code) })).data!.signUp;
    expect(dead.userErrors).toEqual([expect.objectContaining({ code: 'TOO_MANY_ATTEMPTS', field: 'code' })]);
    expect(await userCount()).toBe(before);

    // After the cooldown a new code works.
    await skipCooldown(email);
    const fresh = await mailedCode(email);
    expect((await stack.gql(SIGN_UP, { input: signUpInput(email, fresh) })).data!.signUp.userErrors).toEqual([]);
  });

  it('an expired code is CODE_EXPIRED', async () => {
    const email = newEmail();
    const code = await mailedCode(email);
    const key = stack.user.services.verification.redisKeysFor(email.toLowerCase()).code;
    expect(await stack.user.deps.redis.ttl(key)).toBeGreaterThan(170);
    expect(await stack.user.deps.redis.ttl(key)).toBeLessThanOrEqual(180);
    await stack.user.deps.redis.pexpire(key, 1); // the 3 minutes pass
    await new Promise((r) => setTimeout(r, 20));
    const before = await userCount();
    const res = (await stack.gql(SIGN_UP, { input: signUpInput(email, code) })).data!.signUp;
    expect(res.userErrors).toEqual([expect.objectContaining({ code: 'CODE_EXPIRED', field: 'code' })]);
    expect(await userCount()).toBe(before);
  });

  it('a code that was never requested is CODE_EXPIRED', async () => {
    const res = (await stack.gql(SIGN_UP, { input: signUpInput(newEmail(), '123456') })).data!.signUp;
    expect(res.userErrors[0].code).toBe('CODE_EXPIRED');
  });

  it('a code works once: reusing it is CODE_EXPIRED and creates nothing', async () => {
    const email = newEmail();
    const code = await mailedCode(email);
    expect((await stack.gql(SIGN_UP, { input: signUpInput(email, code) })).data!.signUp.userErrors).toEqual([]);
    const before = await userCount();
    const again = (await stack.gql(SIGN_UP, { input: signUpInput(email, code, { name: 'Someone Else' }) })).data!.signUp;
    expect(again.userErrors[0].code).toBe('CODE_EXPIRED');
    expect(await userCount()).toBe(before);
  });

  it('five simultaneous sign-ups with the same code create exactly one account', async () => {
    const email = newEmail();
    const code = await mailedCode(email);
    const before = await userCount();
    const results = await Promise.all(Array.from({ length: 5 }, () => stack.gql(SIGN_UP, { input: signUpInput(email, code) })));
    const outcomes = results.map((r) => r.data!.signUp.userErrors[0]?.code ?? 'CREATED').sort();
    expect(outcomes).toEqual(['CODE_EXPIRED', 'CODE_EXPIRED', 'CODE_EXPIRED', 'CODE_EXPIRED', 'CREATED']);
    expect(await userCount()).toBe(before + 1);
  });

  it('signing up again with an address that has an account is EMAIL_TAKEN (after proving the mailbox), whatever its case', async () => {
    const email = newEmail();
    const first = (await stack.gql(SIGN_UP, { input: signUpInput(email, await mailedCode(email)) })).data!.signUp;
    expect(first.userErrors).toEqual([]);
    await skipCooldown(email);
    const variant = `  ${email.toUpperCase()} `;
    const code = await mailedCode(variant);
    const rowsBefore = JSON.stringify(await userRows());
    const dup = (await stack.gql(SIGN_UP, { input: signUpInput(variant, code, { name: 'Impostor' }) })).data!.signUp;
    expect(dup.userErrors).toEqual([expect.objectContaining({ code: 'EMAIL_TAKEN', field: 'email' })]);
    expect(JSON.stringify(await userRows())).toBe(rowsBefore);
  });
});
