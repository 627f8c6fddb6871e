/**
 * Apollo Client wired to the session: every request carries the current access token; a 401
 * answer (expired or revoked token) triggers one refresh and one retry of that request. The
 * waiting room's edge calls (waiting-room/line-api.ts) use the same authorized fetch.
 */
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import type { Session } from './session';

/** fetch with the session's access token; a 401 answer triggers one refresh and one retry. */
export function authorizedFetch(session: Session): typeof fetch {
  return async (input, init = {}) => {
    const send = (token: string | null) => {
      const headers = new Headers(init.headers);
      if (token) headers.set('authorization', `Bearer ${token}`);
      else headers.delete('authorization');
      return fetch(input, { ...init, headers });
    };
    const token = await session.accessToken();
    const res = await send(token);
    if (res.status !== 401 || !token) return res;
    return send(await session.refresh(token));
  };
}

export function makeClient(gatewayUrl: string, session: Session): ApolloClient {
  return new ApolloClient({
    link: new HttpLink({ uri: gatewayUrl, fetch: authorizedFetch(session) }),
    cache: new InMemoryCache({ typePolicies: { User: { keyFields: [] } } }),
    defaultOptions: { watchQuery: { fetchPolicy: 'cache-and-network' } },
  });
}
