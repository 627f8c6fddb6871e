/**
 * Signs forwarded identity where a subgraph request's bytes are final. Apollo's
 * RemoteGraphQLDataSource calls `willSendRequest` before it stringifies the request body, so the
 * data source only marks the caller there (`x-identity-user`, `x-identity-roles`); this fetcher
 * wrapper, which receives the exact body string, method and URL that go on the wire, adds the
 * timestamp, a fresh nonce, the body digest and the HMAC over all of it (platform identity.ts).
 * Every fetch is signed on its own: a subgraph accepts each nonce once, so a retried or repeated
 * fetch must carry a new signature, while `x-request-id` stays the client's for log correlation.
 */
import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { IDENTITY_HEADERS, REQUEST_ID_HEADER, ROLES, Role, signIdentityHeaders } from '@flashsale/platform';

type Fetcher = NonNullable<ConstructorParameters<typeof RemoteGraphQLDataSource>[0]>['fetcher'] & {};

export function identitySigningFetcher(fetcher: Fetcher, secret: string): Fetcher {
  const paths = new Map<string, string>();
  const pathOf = (url: string) => {
    let path = paths.get(url);
    if (path === undefined) {
      const u = new URL(url);
      path = u.pathname + u.search;
      paths.set(url, path);
    }
    return path;
  };
  return ((url: string, init: Parameters<Fetcher>[1] = {}) => {
    // RemoteGraphQLDataSource passes headers as a plain object with lower-case names.
    const headers = init.headers as Record<string, string> | undefined;
    const userId = headers?.[IDENTITY_HEADERS.user];
    if (!headers || userId === undefined) return fetcher(url, init);
    const roles = (headers[IDENTITY_HEADERS.roles] ?? '').split(',').filter((r): r is Role => (ROLES as readonly string[]).includes(r));
    const body = typeof init.body === 'string' ? init.body : '';
    const signed = signIdentityHeaders(secret, { userId, roles }, headers[REQUEST_ID_HEADER] ?? '', { method: init.method ?? 'GET', path: pathOf(url), body });
    return fetcher(url, { ...init, headers: { ...headers, ...signed } });
  }) as Fetcher;
}
