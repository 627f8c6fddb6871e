import type { BaseContext } from '@flashsale/platform';
import { forbidden, isAdmin } from '@flashsale/platform';

/**
 * Who may read a user's personal fields: the user (by access token), an admin, or the request
 * that has just proven to be that user (signUp / logIn / refreshTokens carry no access token yet).
 */
const granted = new WeakMap<object, Set<string>>();

export function grantProfileAccess(ctx: BaseContext, userId: string): void {
  let set = granted.get(ctx);
  if (!set) granted.set(ctx, (set = new Set()));
  set.add(userId);
}

export function assertProfileAccess(ctx: BaseContext, userId: string): void {
  if (ctx.identity?.userId === userId || isAdmin(ctx) || granted.get(ctx)?.has(userId)) return;
  throw forbidden("Only the user and admins can read a user's personal data");
}
