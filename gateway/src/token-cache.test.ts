import { generateKeyPairSync } from 'node:crypto';
import { AccessTokenChecker, InvalidTokenError, makeSigner, makeTokenChecker, signAccessToken } from '@flashsale/platform';
import { cachingVerifier } from './token-cache';

const settings = { issuer: 'test-issuer', audience: 'test-audience' };
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signer = makeSigner(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'k1', settings, 900);
const realCheck = makeTokenChecker(settings, { publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() });

/** The real ES256 check, counted. */
function counted(check: AccessTokenChecker) {
  const calls: string[] = [];
  const fn: AccessTokenChecker = async (token) => {
    calls.push(token);
    return check(token);
  };
  return { fn, calls };
}

describe('cachingVerifier', () => {
  it('verifies a token once and answers its repeats from the cache', async () => {
    const { fn, calls } = counted(realCheck);
    const verify = cachingVerifier(fn, { max: 100 });
    const { token } = await signAccessToken(signer, { userId: 'u1', roles: ['CUSTOMER'] });
    for (let i = 0; i < 5; i++) expect(await verify(token)).toEqual({ userId: 'u1', roles: ['CUSTOMER'] });
    expect(calls).toHaveLength(1);
  });

  it('never confuses two tokens: each is verified on its own, and a tampered copy of a cached token is refused', async () => {
    const { fn, calls } = counted(realCheck);
    const verify = cachingVerifier(fn, { max: 100 });
    const a = (await signAccessToken(signer, { userId: 'alice', roles: ['CUSTOMER'] })).token;
    const b = (await signAccessToken(signer, { userId: 'bob', roles: ['ADMIN'] })).token;
    expect((await verify(a)).userId).toBe('alice');
    expect(await verify(b)).toEqual({ userId: 'bob', roles: ['ADMIN'] });
    expect((await verify(a)).userId).toBe('alice');
    expect(calls).toHaveLength(2);
    // Same header and claims as the cached token, another signature: a different key, checked, refused.
    const [h, p, sig] = a.split('.');
    const forged = `${h}.${p}.${sig.slice(0, -4)}${sig.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    await expect(verify(forged)).rejects.toBeInstanceOf(InvalidTokenError);
    // A token claiming bob's identity with alice's signature is refused too.
    const bobPayload = b.split('.')[1];
    await expect(verify(`${h}.${bobPayload}.${sig}`)).rejects.toBeInstanceOf(InvalidTokenError);
    // Refusals are not cached: the real token still works, the forged one is checked each time.
    await expect(verify(forged)).rejects.toBeInstanceOf(InvalidTokenError);
    expect(calls.filter((t) => t === forged)).toHaveLength(2);
  });

  it('refuses an expired token even though it is cached (an entry is never used past exp)', async () => {
    let clock = Date.now();
    // The real check, with expiry judged on the same (moved) clock as the cache.
    const check: AccessTokenChecker = async (token) => {
      const v = await realCheck(token);
      if (clock >= v.expiresAtMs) throw new InvalidTokenError('"exp" claim timestamp check failed');
      return v;
    };
    const { fn, calls } = counted(check);
    const verify = cachingVerifier(fn, { max: 100, now: () => clock });
    const { token, expiresAt } = await signAccessToken(signer, { userId: 'u2', roles: ['CUSTOMER'] }, 60);
    await verify(token);
    clock = expiresAt.getTime() - 1;
    await verify(token);
    expect(calls).toHaveLength(1);
    clock = expiresAt.getTime();
    await expect(verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
    expect(calls).toHaveLength(2);
    expect(verify.cache.has(token)).toBe(false);
  });

  it('keeps at most `max` tokens', async () => {
    const verify = cachingVerifier(realCheck, { max: 3 });
    const tokens = await Promise.all(Array.from({ length: 5 }, (_, i) => signAccessToken(signer, { userId: `u${i}`, roles: [] }).then((t) => t.token)));
    for (const t of tokens) await verify(t);
    expect(verify.cache.size).toBe(3);
  });
});
