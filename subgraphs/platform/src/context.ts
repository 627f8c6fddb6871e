import type { Identity, Role } from './identity';
import type { Logger } from './logger';
import { forbidden, unauthenticated } from './errors';

/** What every resolver receives: who is calling (verified by the gateway) and a request logger. */
export interface BaseContext {
  requestId: string;
  identity: Identity | null;
  clientIp: string;
  logger: Logger;
}

/** The caller's identity, or UNAUTHENTICATED. */
export function requireUser(ctx: BaseContext): Identity {
  if (!ctx.identity) throw unauthenticated();
  return ctx.identity;
}

/** The caller's identity if it has `role`; UNAUTHENTICATED when anonymous, FORBIDDEN otherwise. */
export function requireRole(ctx: BaseContext, role: Role): Identity {
  const id = requireUser(ctx);
  if (!id.roles.includes(role)) throw forbidden(`${role} role required`);
  return id;
}

export const isAdmin = (ctx: BaseContext) => !!ctx.identity?.roles.includes('ADMIN');
