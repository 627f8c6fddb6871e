/**
 * Identity forwarded from the gateway to subgraphs. The gateway has verified the caller's access
 * token; it forwards `{ userId, roles }` in headers with an HMAC over the values, the request id
 * and a timestamp. A subgraph accepts identity only with a valid, fresh signature, so calling a
 * subgraph port directly with made-up headers cannot impersonate anyone.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { unauthenticated } from './errors';

export type Role = 'CUSTOMER' | 'ADMIN';
export const ROLES: readonly Role[] = ['CUSTOMER', 'ADMIN'];

export interface Identity {
  userId: string;
  roles: Role[];
}

export const IDENTITY_HEADERS = {
  user: 'x-identity-user',
  roles: 'x-identity-roles',
  timestamp: 'x-identity-ts',
  signature: 'x-identity-sig',
} as const;
export const REQUEST_ID_HEADER = 'x-request-id';

function mac(secret: string, userId: string, roles: string, ts: string, requestId: string): string {
  return createHmac('sha256', secret).update(`v1\n${userId}\n${roles}\n${ts}\n${requestId}`).digest('base64url');
}

export function signIdentityHeaders(secret: string, identity: Identity, requestId: string, now = Date.now()): Record<string, string> {
  const roles = identity.roles.join(',');
  const ts = String(Math.floor(now / 1000));
  return {
    [IDENTITY_HEADERS.user]: identity.userId,
    [IDENTITY_HEADERS.roles]: roles,
    [IDENTITY_HEADERS.timestamp]: ts,
    [IDENTITY_HEADERS.signature]: mac(secret, identity.userId, roles, ts, requestId),
  };
}

type HeaderBag = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/**
 * Reads forwarded identity. No identity headers at all means an anonymous caller; any identity
 * header without a valid fresh signature is rejected with UNAUTHENTICATED.
 */
export function verifyIdentityHeaders(
  secret: string,
  headers: HeaderBag,
  requestId: string,
  maxAgeSeconds: number,
  now = Date.now(),
): Identity | null {
  const userId = one(headers[IDENTITY_HEADERS.user]);
  const roles = one(headers[IDENTITY_HEADERS.roles]);
  const ts = one(headers[IDENTITY_HEADERS.timestamp]);
  const sig = one(headers[IDENTITY_HEADERS.signature]);
  if (userId === undefined && roles === undefined && ts === undefined && sig === undefined) return null;
  if (!userId || roles === undefined || !ts || !sig) throw unauthenticated('Identity headers are incomplete');
  const expected = Buffer.from(mac(secret, userId, roles, ts, requestId));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw unauthenticated('Identity signature is invalid');
  const age = Math.floor(now / 1000) - Number(ts);
  if (!Number.isFinite(age) || Math.abs(age) > maxAgeSeconds) throw unauthenticated('Identity signature has expired');
  const roleList = roles ? roles.split(',') : [];
  if (!roleList.every((r): r is Role => (ROLES as readonly string[]).includes(r))) throw unauthenticated('Identity carries an unknown role');
  return { userId, roles: roleList as Role[] };
}
