/**
 * Access declared at the edge: a resolver says who may call it with type-graphql's `@Authorized()`
 * (any signed-in caller) or `@Authorized('ADMIN')` (that role), and reads the caller with
 * `@Caller()`. Every subgraph's schema is built with `identityAuthChecker` (federation.ts), so the
 * answers are the catalogue's: UNAUTHENTICATED for an anonymous caller, FORBIDDEN for a missing
 * role. Ownership (this order, this cart, this profile) is the one thing services still check,
 * each subgraph in one named place (order-access.ts, cart's owner check, profile-access.ts).
 */
import { AuthChecker, createParameterDecorator } from 'type-graphql';
import type { BaseContext } from './context';
import { forbidden, unauthenticated } from './errors';
import type { Identity, Role } from './identity';

export const identityAuthChecker: AuthChecker<BaseContext, Role> = ({ context }, roles) => {
  const identity = context.identity;
  if (!identity) throw unauthenticated();
  if (roles.length > 0 && !roles.some((role) => identity.roles.includes(role))) throw forbidden(`${roles.join(' or ')} role required`);
  return true;
};

/** The verified caller of an `@Authorized` resolver (UNAUTHENTICATED if there is none). */
export function Caller() {
  return createParameterDecorator<BaseContext>(({ context }) => {
    if (!context.identity) throw unauthenticated();
    return context.identity satisfies Identity;
  });
}
