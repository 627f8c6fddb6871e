/** The signed-in session as React sees it: provided once by main.tsx, read by any page or widget. */
import { createContext, useContext, useSyncExternalStore } from 'react';
import type { Session } from './session';

export const SessionContext = createContext<Session>(null as unknown as Session);

/** The session, re-rendering on sign-in, refresh and sign-out (in any tab). */
export function useSession(): { session: Session; signedIn: boolean; admin: boolean; userId: string | null } {
  const session = useContext(SessionContext);
  const token = useSyncExternalStore((l) => session.subscribe(l), () => session.tokens?.accessToken ?? null);
  return { session, signedIn: token !== null, admin: token !== null && session.roles.includes('ADMIN'), userId: token !== null ? session.userId : null };
}
