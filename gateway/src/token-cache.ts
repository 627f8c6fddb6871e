/**
 * Verifies a given access token once: a bounded LRU of verified tokens, keyed by the whole token
 * (signature included, so a token that differs in any byte is verified on its own), each entry
 * kept no later than the token's own `exp`. A buyer's repeated requests then skip the ES256
 * verification. Invalid tokens are never cached. An entry is also checked against `exp` when read,
 * so an expired token is refused even if it is still in the cache.
 */
import { LRUCache } from 'lru-cache';
import type { AccessTokenChecker, AccessTokenVerifier, Identity } from '@flashsale/platform';

export interface TokenCacheOptions {
  /** Most tokens kept (least recently used dropped first). */
  max: number;
  now?: () => number;
}

export function cachingVerifier(check: AccessTokenChecker, opts: TokenCacheOptions): AccessTokenVerifier & { cache: LRUCache<string, { identity: Identity; expiresAtMs: number }> } {
  const now = opts.now ?? Date.now;
  const cache = new LRUCache<string, { identity: Identity; expiresAtMs: number }>({ max: opts.max });
  const verify = async (token: string): Promise<Identity> => {
    const hit = cache.get(token);
    if (hit) {
      if (now() < hit.expiresAtMs) return hit.identity;
      cache.delete(token);
    }
    const verified = await check(token);
    const ttl = verified.expiresAtMs - now();
    // Frozen: the cached identity is shared by every request that presents this token.
    if (ttl > 0) cache.set(token, { identity: Object.freeze({ ...verified.identity, roles: Object.freeze([...verified.identity.roles]) }) as Identity, expiresAtMs: verified.expiresAtMs });
    return verified.identity;
  };
  return Object.assign(verify, { cache });
}
