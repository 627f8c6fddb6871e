/**
 * Access tokens: ES256 JWTs with a `kid` header and claims sub, roles, iss, aud, exp, jti.
 * The user subgraph signs them; the gateway verifies them with pinned algorithm, issuer,
 * audience and expiry. Test helpers and `seed:buyers` mint them with the same function.
 */
import { randomUUID, createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify, createRemoteJWKSet, exportJWK, type JWK, type JWTPayload } from 'jose';
import { createVerifier } from 'fast-jwt';
import { Identity, ROLES, Role } from './identity';

export const ACCESS_TOKEN_ALG = 'ES256';

export interface TokenSettings {
  issuer: string;
  audience: string;
}

export interface AccessTokenSigner extends TokenSettings {
  privateKey: KeyObject;
  keyId: string;
  ttlSeconds: number;
}

export function makeSigner(privatePem: string, keyId: string, settings: TokenSettings, ttlSeconds: number): AccessTokenSigner {
  return { ...settings, privateKey: createPrivateKey(privatePem), keyId, ttlSeconds };
}

export async function signAccessToken(signer: AccessTokenSigner, identity: Identity, ttlSeconds = signer.ttlSeconds): Promise<{ token: string; expiresAt: Date }> {
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ roles: identity.roles })
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid: signer.keyId, typ: 'JWT' })
    .setSubject(identity.userId)
    .setIssuer(signer.issuer)
    .setAudience(signer.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .setJti(randomUUID())
    .sign(signer.privateKey);
  return { token, expiresAt: new Date((now + ttlSeconds) * 1000) };
}

export type AccessTokenVerifier = (token: string) => Promise<Identity>;

/** A verified token's identity and when it stops being valid (ms since the epoch, from `exp`). */
export interface VerifiedAccessToken {
  identity: Identity;
  expiresAtMs: number;
}
export type AccessTokenChecker = (token: string) => Promise<VerifiedAccessToken>;

export class InvalidTokenError extends Error {}

/**
 * Checker from a fixed public key, or from a JWKS URL (fetched and cached by jose). The same rules
 * either way: algorithm pinned to ES256, issuer, audience, expiry with 5 s of clock tolerance, and
 * sub, exp and jti required.
 *
 * With a fixed key (the gateway's usual setting) the signature is checked by fast-jwt, which calls
 * node:crypto synchronously; jose 6 verifies through WebCrypto, whose per-call job nearly doubles
 * the cost of the signature check, and every buyer's first request (a waiting-room join above
 * all) pays it: 140 µs against 80 µs of CPU per verification, the raw ES256 check being 72 µs
 * (`npm run bench -- tokens`, docs/BENCHMARKS.md "Token verification"). A JWKS URL keeps jose's
 * remote key set (fetching, caching, rotation by kid).
 */
export function makeTokenChecker(settings: TokenSettings, source: { publicKeyPem?: string; jwksUrl?: string }): AccessTokenChecker {
  let verifySignatureAndClaims: (token: string) => Promise<JWTPayload>;
  if (source.jwksUrl) {
    const keySet = createRemoteJWKSet(new URL(source.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
    verifySignatureAndClaims = async (token) =>
      (await jwtVerify(token, keySet, { algorithms: [ACCESS_TOKEN_ALG], issuer: settings.issuer, audience: settings.audience, clockTolerance: 5, requiredClaims: REQUIRED_CLAIMS })).payload;
  } else if (source.publicKeyPem) {
    const verify = createVerifier({
      key: createPublicKey(source.publicKeyPem).export({ type: 'spki', format: 'pem' }).toString(),
      algorithms: [ACCESS_TOKEN_ALG],
      allowedIss: settings.issuer,
      allowedAud: settings.audience,
      clockTolerance: 5_000,
      requiredClaims: REQUIRED_CLAIMS,
      cache: false, // the gateway's token cache (token-cache.ts) keeps verified tokens
    });
    verifySignatureAndClaims = async (token) => verify(token) as JWTPayload;
  } else throw new Error('an access-token verifier needs a public key or a JWKS URL');
  return async (token: string) => {
    try {
      const payload = await verifySignatureAndClaims(token);
      // A `roles` claim that is missing or not a list of known roles is refused, never read as
      // "no roles": the user subgraph always signs the list.
      const roles: unknown = payload.roles;
      if (typeof payload.sub !== 'string' || !payload.sub || typeof payload.exp !== 'number' || !Array.isArray(roles) || !roles.every((r): r is Role => (ROLES as readonly string[]).includes(r as string))) {
        throw new InvalidTokenError('token claims are malformed');
      }
      return { identity: { userId: payload.sub, roles: roles as Role[] }, expiresAtMs: payload.exp * 1000 };
    } catch (err) {
      throw new InvalidTokenError((err as Error).message);
    }
  };
}

const REQUIRED_CLAIMS = ['sub', 'exp', 'jti'];

/** Verifier from a fixed public key, or from a JWKS URL (fetched and cached by jose). */
export function makeVerifier(settings: TokenSettings, source: { publicKeyPem?: string; jwksUrl?: string }): AccessTokenVerifier {
  const check = makeTokenChecker(settings, source);
  return async (token: string) => (await check(token)).identity;
}

/** The public JWKS document the user subgraph serves at /.well-known/jwks.json. */
export async function publicJwks(publicPem: string, keyId: string): Promise<{ keys: JWK[] }> {
  const jwk = await exportJWK(createPublicKey(publicPem));
  return { keys: [{ ...jwk, kid: keyId, alg: ACCESS_TOKEN_ALG, use: 'sig' }] };
}
