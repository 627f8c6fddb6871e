import type { Identity } from './identity';
import type { Logger } from './logger';

/** What every resolver receives: who is calling (verified by the gateway) and a request logger. */
export interface BaseContext {
  requestId: string;
  identity: Identity | null;
  clientIp: string;
  logger: Logger;
}

export const isAdmin = (ctx: BaseContext) => !!ctx.identity?.roles.includes('ADMIN');
