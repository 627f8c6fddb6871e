/**
 * Refresh tokens: opaque, random, rotated on every use, kept in Redis only as SHA-256 hashes.
 *
 * Invariants
 * - A token is `<familyId>.<secret>`; a family is one sign-in (one device). Redis holds, per
 *   family, the hash of its one live secret and the set of hashes it has rotated away from.
 * - Rotation is one Lua script: the live secret is swapped for its successor atomically, so of
 *   concurrent refreshes with the same token exactly one rotates; the others are retries (below)
 *   and get the same successor.
 * - A retry of the last rotation is answered again, not taken for theft: within
 *   REFRESH_TOKEN_REUSE_GRACE_SECONDS of a rotation, and while its successor has not been used,
 *   presenting the secret it rotated away from returns the same successor and changes nothing.
 *   (A tab that navigates while its refresh is in flight never reads the answer; without this its
 *   next refresh would end the session. Okta's grace period and Auth0's reuse interval do the same.)
 *   The successor is derived, not stored: HMAC(key, familyId.presentedSecret), so Redis still holds
 *   hashes only and a retry needs no copy of the answer.
 * - Presenting a rotated secret otherwise (its successor already used, or after the grace) means
 *   the token was copied (theft or a replay): the whole family is deleted at once and the caller is
 *   told so; the service logs it as a security event.
 * - Family keys expire REFRESH_TOKEN_TTL_SECONDS after the last rotation (idle timeout). A user's
 *   set of family ids exists only to find them for logOutEverywhere.
 * - Keys of one family share the hash tag `{familyId}`, so the script stays in one Redis Cluster slot.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type Redis from 'ioredis';

const keys = {
  family: (familyId: string) => `user:rt:{${familyId}}`,
  rotated: (familyId: string) => `user:rt:{${familyId}}:rotated`,
  userFamilies: (userId: string) => `user:rt-user:{${userId}}`,
};

// KEYS: family, rotated. ARGV: presented hash, successor hash, ttl ms, now ms, grace ms.
// The family hash: user, cur (the live secret's hash), prev (the one it replaced), at (when).
const ROTATE = `
local f = redis.call('HMGET', KEYS[1], 'cur', 'user', 'prev', 'at')
local cur, user, prev, at = f[1], f[2], f[3], f[4]
if not cur then return {'INVALID'} end
if cur == ARGV[1] then
  redis.call('HSET', KEYS[1], 'cur', ARGV[2], 'prev', ARGV[1], 'at', ARGV[4])
  redis.call('SADD', KEYS[2], ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
  return {'OK', user, 'rotated'}
end
if prev == ARGV[1] and cur == ARGV[2] and tonumber(ARGV[4]) - tonumber(at) <= tonumber(ARGV[5]) then
  return {'OK', user, 'retried'}
end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then
  redis.call('DEL', KEYS[1], KEYS[2])
  return {'REUSED', user}
end
return {'INVALID'}
`;

// KEYS: family, rotated. ARGV: presented hash. Any secret the family ever had may end it.
const REVOKE = `
local cur = redis.call('HGET', KEYS[1], 'cur')
if not cur then return {'INVALID'} end
if cur ~= ARGV[1] and redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0 then return {'INVALID'} end
local user = redis.call('HGET', KEYS[1], 'user')
redis.call('DEL', KEYS[1], KEYS[2])
return {'OK', user}
`;

export type RotateResult =
  /** `retried`: the same successor as the last rotation's, answered again within the grace. */
  | { status: 'OK'; userId: string; token: string; expiresAt: Date; retried: boolean }
  | { status: 'REUSED'; userId: string; familyId: string }
  | { status: 'INVALID' };

const hash = (secret: string) => createHash('sha256').update(secret).digest('base64url');
const FAMILY_ID = /^[A-Za-z0-9_-]{22}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;

function parse(token: string): { familyId: string; secret: string; secretHash: string } | null {
  const [familyId, secret, extra] = token.split('.');
  if (extra !== undefined || !FAMILY_ID.test(familyId ?? '') || !SECRET.test(secret ?? '')) return null;
  return { familyId, secret, secretHash: hash(secret) };
}

type Scripted = Redis & {
  refreshRotate(family: string, rotated: string, presented: string, next: string, ttlMs: number, nowMs: number, graceMs: number): Promise<string[]>;
  refreshRevoke(family: string, rotated: string, presented: string): Promise<string[]>;
};

export interface RefreshTokenSettings {
  ttlSeconds: number;
  /** A retry of the last rotation within this many seconds gets the same answer (0: never). */
  reuseGraceSeconds: number;
  /** Derives successors (a key of its own is derived from it). */
  secret: string;
}

export class RefreshTokenStore {
  private readonly redis: Scripted;
  private readonly ttlSeconds: number;
  private readonly graceMs: number;
  private readonly successorKey: Buffer;

  constructor(redis: Redis, settings: RefreshTokenSettings) {
    this.ttlSeconds = settings.ttlSeconds;
    this.graceMs = settings.reuseGraceSeconds * 1000;
    this.successorKey = createHmac('sha256', settings.secret).update('flashsale refresh-token successor v1').digest();
    redis.defineCommand('refreshRotate', { numberOfKeys: 2, lua: ROTATE });
    redis.defineCommand('refreshRevoke', { numberOfKeys: 2, lua: REVOKE });
    this.redis = redis as Scripted;
  }

  /** Starts a new family (a sign-in) and returns its first token. */
  async issue(userId: string): Promise<{ token: string; expiresAt: Date }> {
    const familyId = randomBytes(16).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    const ttlMs = this.ttlSeconds * 1000;
    // Two transactions, one per hash slot (Redis Cluster refuses cross-slot MULTI).
    await this.redis
      .multi()
      .hset(keys.family(familyId), { user: userId, cur: hash(secret), created: Date.now() })
      .pexpire(keys.family(familyId), ttlMs)
      .exec();
    const [[, size]] = ((await this.redis
      .multi()
      .sadd(keys.userFamilies(userId), familyId)
      .scard(keys.userFamilies(userId))
      .pexpire(keys.userFamilies(userId), ttlMs)
      .exec()) ?? []).slice(1) as [unknown, unknown][];
    // Families that idled out leave their id behind; sweep them once the set grows.
    if (Number(size) > 20) await this.pruneUserFamilies(userId);
    return { token: `${familyId}.${secret}`, expiresAt: new Date(Date.now() + ttlMs) };
  }

  /**
   * Swaps a live token for its successor; a retry of the last rotation (within the grace, successor
   * unused) gets the same successor again; any other rotated token revokes its family.
   */
  async rotate(token: string): Promise<RotateResult> {
    const parsed = parse(token);
    if (!parsed) return { status: 'INVALID' };
    const secret = createHmac('sha256', this.successorKey).update(`${parsed.familyId}.${parsed.secret}`).digest('base64url');
    const ttlMs = this.ttlSeconds * 1000;
    const [status, userId, how] = await this.redis.refreshRotate(
      keys.family(parsed.familyId),
      keys.rotated(parsed.familyId),
      parsed.secretHash,
      hash(secret),
      ttlMs,
      Date.now(),
      this.graceMs,
    );
    if (status === 'OK') {
      await this.redis.pexpire(keys.userFamilies(userId), ttlMs);
      return { status, userId, token: `${parsed.familyId}.${secret}`, expiresAt: new Date(Date.now() + ttlMs), retried: how === 'retried' };
    }
    if (status === 'REUSED') {
      await this.redis.srem(keys.userFamilies(userId), parsed.familyId);
      return { status, userId, familyId: parsed.familyId };
    }
    return { status: 'INVALID' };
  }

  /** Ends the family `token` belongs to; null when the token is unknown, expired or already revoked. */
  async revoke(token: string): Promise<{ userId: string } | null> {
    const parsed = parse(token);
    if (!parsed) return null;
    const [status, userId] = await this.redis.refreshRevoke(keys.family(parsed.familyId), keys.rotated(parsed.familyId), parsed.secretHash);
    if (status !== 'OK') return null;
    await this.redis.srem(keys.userFamilies(userId), parsed.familyId);
    return { userId };
  }

  /** Ends every family of a user; returns how many were live. */
  async revokeAll(userId: string): Promise<number> {
    const families = await this.redis.smembers(keys.userFamilies(userId));
    // One DEL per family: each family lives in its own cluster slot.
    const removed = await Promise.all(families.map((f) => this.redis.del(keys.family(f), keys.rotated(f))));
    if (families.length) await this.redis.srem(keys.userFamilies(userId), ...families);
    return removed.filter((n) => n > 0).length;
  }

  /** Ids of the user's live families (sessions). */
  async liveFamilies(userId: string): Promise<string[]> {
    const families = await this.redis.smembers(keys.userFamilies(userId));
    const live = await Promise.all(families.map((f) => this.redis.exists(keys.family(f))));
    return families.filter((_, i) => live[i] > 0);
  }

  private async pruneUserFamilies(userId: string): Promise<void> {
    const families = await this.redis.smembers(keys.userFamilies(userId));
    const live = new Set(await this.liveFamilies(userId));
    const dead = families.filter((f) => !live.has(f));
    if (dead.length) await this.redis.srem(keys.userFamilies(userId), ...dead);
  }
}
