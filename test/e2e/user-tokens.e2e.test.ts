/**
 * Forged and broken access tokens against the gateway, both when it verifies with a configured
 * public key and when it fetches the user subgraph's JWKS. Every one is refused with
 * UNAUTHENTICATED (HTTP 401) before any subgraph runs, and a mutation sent with it changes nothing.
 * (foundation.e2e.test.ts covers the basic tampered / expired / alg:none cases with the static key.)
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT, createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { RunningServer, createLogger, loadConfig } from '@flashsale/platform';
import { startGateway } from '@flashsale/gateway';
import { startStack, Stack, GraphQLResponse } from '../support/stack';
import { createTestUser, LOG_IN, TestUser } from '../support/users';
import { graphql } from '../gql';

let stack: Stack;
let jwksGateway: RunningServer;
let jwksUrl: string;
let user: TestUser;
let realToken: string;
let rowBefore: string;
const userRow = async () => JSON.stringify(await stack.user.deps.orm.em.getConnection().execute('select * from `user` where id = ?', [user.id]));

beforeAll(async () => {
  stack = await startStack();
  jwksUrl = stack.user.url.replace(/\/graphql$/, '/.well-known/jwks.json');
  const config = loadConfig({ ...stack.env, GATEWAY_PORT: '0', JWT_JWKS_URL: jwksUrl });
  jwksGateway = await startGateway(config, createLogger(config, 'gateway-jwks'));
  user = await createTestUser(stack, { name: 'Token Owner' });
  const res = await stack.gql(LOG_IN, { email: user.email, password: user.password });
  realToken = res.data!.logIn.accessToken!;
  rowBefore = await userRow();
});
afterAll(async () => {
  await jwksGateway?.close();
  await stack?.stop();
});

const codeOf = (r: GraphQLResponse) => r.errors?.[0]?.extensions?.code;
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

function claims(extra: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return { sub: user.id, roles: ['ADMIN'], iss: stack.config.JWT_ISSUER, aud: stack.config.JWT_AUDIENCE, iat: now, exp: now + 600, jti: randomUUID(), ...extra };
}

async function es256(payload: JWTPayload, key = createPrivateKey(stack.env.JWT_PRIVATE_KEY!), kid = stack.user.deps.secrets.jwtKeyId): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' }).sign(key);
}

const forgeries: Array<[string, () => Promise<string>]> = [
  [
    'a real token with its roles edited',
    async () => {
      const [h, p, s] = realToken.split('.');
      return `${h}.${b64({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), roles: ['ADMIN'] })}.${s}`;
    },
  ],
  [
    'a real token with a changed signature',
    async () => {
      const [h, p, s] = realToken.split('.');
      return `${h}.${p}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`;
    },
  ],
  ['an expired token', () => es256(claims({ iat: Math.floor(Date.now() / 1000) - 1000, exp: Math.floor(Date.now() / 1000) - 60 }))],
  ['a token for another audience', () => es256(claims({ aud: 'some-other-api' }))],
  ['a token from another issuer', () => es256(claims({ iss: 'evil-issuer' }))],
  ['a token without exp', () => es256(claims({ exp: undefined }))],
  ['a token with an unknown role', () => es256(claims({ roles: ['SUPERUSER'] }))],
  ['a token signed by a foreign key under our kid', () => es256(claims(), generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)],
  ['an alg:none token', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`],
  [
    'an HS256 token keyed with the public key PEM (algorithm confusion)',
    () => {
      const publicPem = createPublicKey(stack.env.JWT_PRIVATE_KEY!).export({ type: 'spki', format: 'pem' }).toString();
      return new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: stack.user.deps.secrets.jwtKeyId }).sign(new TextEncoder().encode(publicPem));
    },
  ],
];

describe.each([
  ['the gateway with a configured public key', () => stack.gatewayUrl],
  ['the gateway that fetches the JWKS', () => jwksGateway.url],
])('%s', (_label, url) => {
  it('accepts the real token from logIn', async () => {
    const res = await stack.gql(graphql(`query TokensMeName { me { id name } }`), {}, { token: realToken, url: url() });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ me: { id: user.id, name: 'Token Owner' } });
  });

  it.each(forgeries)('refuses %s with 401 UNAUTHENTICATED and changes nothing', async (_what, forge) => {
    const token = await forge();
    const read = await stack.gql(graphql(`query TokensMeEmail { me { id email } }`), {}, { token, url: url() });
    expect(read.status).toBe(401);
    expect(codeOf(read)).toBe('UNAUTHENTICATED');
    expect(read.data).toBeFalsy();

    const write = await stack.gql(graphql(`mutation TokensRename { updateProfile(input: { name: "Hacked" }) { user { name } } }`), {}, { token, url: url() });
    expect(codeOf(write)).toBe('UNAUTHENTICATED');
    expect(await userRow()).toBe(rowBefore);
  });
});

describe('the JWKS document', () => {
  it('serves only the public ES256 key under the kid that tokens carry, and verifies a real token', async () => {
    const res = await fetch(jwksUrl);
    expect(res.status).toBe(200);
    const jwks = (await res.json()) as { keys: Array<Record<string, string>> };
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: stack.user.deps.secrets.jwtKeyId })]);
    expect(jwks.keys[0].d).toBeUndefined();
    const { payload } = await jwtVerify(realToken, createLocalJWKSet(jwks as never), {
      algorithms: ['ES256'],
      issuer: stack.config.JWT_ISSUER,
      audience: stack.config.JWT_AUDIENCE,
    });
    expect(payload.sub).toBe(user.id);
  });
});
