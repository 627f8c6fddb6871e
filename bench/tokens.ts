/**
 * npm run bench -- tokens [--tokens 3000] [--rounds 4]
 * CPU per access-token verification, A/B in one process and interleaved: jose's jwtVerify (WebCrypto)
 * against the gateway's fixed-key checker (platform tokens.ts: fast-jwt over node:crypto), with
 * the raw ES256 signature check as the floor. Every token is distinct (as every buyer's first
 * request is: the gateway's token cache does not help), the same rules (algorithm, issuer,
 * audience, expiry, required claims). CPU is process.cpuUsage (every thread of the process: the
 * WebCrypto path runs part of its work on libuv's pool).
 */
import { generateKeyPairSync, randomUUID, verify } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { makeTokenChecker } from '@flashsale/platform';

const settings = { issuer: 'bench-issuer', audience: 'bench-audience' };

export async function tokensScenario(opts: { tokens: number; rounds: number }, log: (msg: string) => void): Promise<void> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = Math.floor(Date.now() / 1000);
  const tokens = await Promise.all(
    Array.from({ length: opts.tokens }, () =>
      new SignJWT({ roles: ['CUSTOMER'] }).setProtectedHeader({ alg: 'ES256', typ: 'JWT' }).setSubject(randomUUID()).setIssuer(settings.issuer).setAudience(settings.audience).setExpirationTime(now + 3600).setJti(randomUUID()).sign(privateKey),
    ),
  );
  const fixedKey = makeTokenChecker(settings, { publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
  const variants: Record<string, (token: string) => Promise<unknown> | unknown> = {
    'jose jwtVerify (WebCrypto)': (t) => jwtVerify(t, publicKey, { algorithms: ['ES256'], issuer: settings.issuer, audience: settings.audience, clockTolerance: 5, requiredClaims: ['sub', 'exp', 'jti'] }),
    'gateway checker (fast-jwt, node:crypto)': (t) => fixedKey(t),
    'raw ES256 signature only (floor)': (t) => {
      const dot = t.lastIndexOf('.');
      return verify('sha256', Buffer.from(t.slice(0, dot)), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(t.slice(dot + 1), 'base64url'));
    },
  };
  const cpu: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let round = 0; round < opts.rounds; round++) {
    for (const [name, run] of Object.entries(variants)) {
      const start = process.cpuUsage();
      for (const t of tokens) await run(t);
      const used = process.cpuUsage(start);
      cpu[name].push((used.user + used.system) / tokens.length);
    }
  }
  const floor = Math.min(...cpu['raw ES256 signature only (floor)']);
  log(`token verification: ${opts.tokens} distinct tokens x ${opts.rounds} interleaved rounds, CPU µs per verification (best round; all rounds)`);
  for (const [name, samples] of Object.entries(cpu)) {
    const best = Math.min(...samples);
    process.stdout.write(`| ${name} | ${best.toFixed(1)} | ${(best / floor).toFixed(2)}× floor | ${samples.map((s) => s.toFixed(0)).join(' / ')} |\n`);
  }
}
