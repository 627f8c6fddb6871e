/**
 * Identity headers as the gateway signs them for one subgraph request: over the request id, a
 * fresh nonce, the method, the path and the exact body bytes (platform identity.ts). Pass the body
 * object exactly as it will be sent (`stack.gql` and `postRaw` send `JSON.stringify` of it), or
 * the string itself.
 */
import { randomUUID } from 'node:crypto';
import { Identity, REQUEST_ID_HEADER, signIdentityHeaders } from '@flashsale/platform';

export function signedHeaders(
  secret: string,
  identity: Identity,
  url: string,
  body: unknown,
  opts: { requestId?: string; method?: string; now?: number } = {},
): Record<string, string> {
  const requestId = opts.requestId ?? randomUUID();
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const u = new URL(url);
  return {
    [REQUEST_ID_HEADER]: requestId,
    ...signIdentityHeaders(secret, identity, requestId, { method: opts.method ?? 'POST', path: u.pathname + u.search, body: text }, opts.now),
  };
}
