/** The fixed-key access-token checker (fast-jwt): every rule the gateway relies on, one case each. */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { InvalidTokenError, makeSigner, makeTokenChecker, signAccessToken } from './tokens';

const settings = { issuer: 'iss-1', audience: 'aud-1' };
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const check = makeTokenChecker(settings, { publicKeyPem: publicPem });
const now = () => Math.floor(Date.now() / 1000);
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const claims = (extra: Record<string, unknown> = {}) => ({ sub: randomUUID(), roles: ['CUSTOMER'], iss: settings.issuer, aud: settings.audience, exp: now() + 600, jti: randomUUID(), ...extra });
const es256 = (payload: Record<string, unknown>, key = privateKey) => new SignJWT(payload).setProtectedHeader({ alg: 'ES256', typ: 'JWT' }).sign(key);

describe('makeTokenChecker with a fixed key', () => {
  it('accepts a token the signer made, with its identity and expiry', async () => {
    const signer = makeSigner(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'k1', settings, 900);
    const { token, expiresAt } = await signAccessToken(signer, { userId: 'u-1', roles: ['ADMIN', 'CUSTOMER'] });
    expect(await check(token)).toEqual({ identity: { userId: 'u-1', roles: ['ADMIN', 'CUSTOMER'] }, expiresAtMs: expiresAt.getTime() });
  });

  it('tolerates 5 s of clock skew on expiry, not more', async () => {
    await expect(check(await es256(claims({ exp: now() - 2 })))).resolves.toBeTruthy();
    await expect(check(await es256(claims({ exp: now() - 30 })))).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it.each([
    ['another issuer', async () => es256(claims({ iss: 'someone-else' }))],
    ['another audience', async () => es256(claims({ aud: 'other-api' }))],
    ['no jti', async () => es256(claims({ jti: undefined }))],
    ['no sub', async () => es256(claims({ sub: undefined }))],
    ['no exp', async () => es256(claims({ exp: undefined }))],
    ['roles missing', async () => es256(claims({ roles: undefined }))],
    ['an unknown role', async () => es256(claims({ roles: ['ROOT'] }))],
    ['not valid yet (nbf in a minute)', async () => es256(claims({ nbf: now() + 60 }))],
    ['signed by another key', async () => es256(claims(), generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)],
    ['alg none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`],
    ['HS256 keyed with the public key PEM (algorithm confusion)', async () => new SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(publicPem))],
    ['a tampered payload', async () => {
      const [h, , s] = (await es256(claims())).split('.');
      return `${h}.${b64(claims({ roles: ['ADMIN'] }))}.${s}`;
    }],
    ['garbage', async () => 'not.a.token'],
  ])('refuses %s', async (_name, make) => {
    await expect(check(await make())).rejects.toBeInstanceOf(InvalidTokenError);
  });
});
