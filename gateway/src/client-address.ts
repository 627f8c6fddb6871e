/**
 * The buyer's address, for per-address rate limits (and the x-client-ip the subgraphs log).
 *
 * Invariants
 *   A1 Without a trusted proxy in front, the address is the socket's peer; an X-Forwarded-For a
 *      client sends is ignored (nobody picks their own address to dodge a limit).
 *   A2 When the peer is a trusted proxy (TRUSTED_PROXIES, e.g. the HAProxy of a replicated
 *      topology), the address is the LAST entry of X-Forwarded-For: the one that proxy wrote.
 *      The committed HAProxy configuration overwrites the header with the address it sees, so
 *      there is only that entry; a proxy that appends leaves the client's own entries to the left,
 *      and those are never read.
 *   A3 IPv4-mapped IPv6 (`::ffff:10.0.0.1`) and IPv4 name the same client.
 */
const normalize = (address: string) => address.trim().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');

export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trustedProxies: ReadonlySet<string>): string {
  const direct = normalize(peer ?? '');
  if (!trustedProxies.has(direct) || forwardedFor === undefined) return direct;
  const entries = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').map(normalize).filter(Boolean);
  return entries.at(-1) ?? direct;
}
