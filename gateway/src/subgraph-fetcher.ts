/**
 * How the gateway reaches its subgraphs: undici's `request` on one keep-alive Pool per subgraph
 * origin, answering only what Apollo's RemoteGraphQLDataSource reads of a response (status,
 * headers by name, the body as text or JSON). Node's global fetch builds WHATWG Request, Headers,
 * Response and stream objects and adds browser headers (accept-language, sec-fetch-mode, …) that
 * every subgraph then parses; on the open-model bench this fetcher cut the gateway's CPU per
 * request (docs/BENCHMARKS.md, "Speed work").
 */
import { Pool } from 'undici';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';

type Fetcher = NonNullable<ConstructorParameters<typeof RemoteGraphQLDataSource>[0]>['fetcher'] & {};
type FetcherResponse = Awaited<ReturnType<Fetcher>>;

/** Response headers with the read-only part of the WHATWG interface Apollo uses. */
class ResponseHeaders {
  constructor(private readonly byName: Record<string, string>) {}
  get(name: string): string | null {
    return this.byName[name.toLowerCase()] ?? null;
  }
  has(name: string): boolean {
    return name.toLowerCase() in this.byName;
  }
  *entries(): IterableIterator<[string, string]> {
    yield* Object.entries(this.byName);
  }
  *keys(): IterableIterator<string> {
    yield* Object.keys(this.byName);
  }
  *values(): IterableIterator<string> {
    yield* Object.values(this.byName);
  }
  [Symbol.iterator]() {
    return this.entries();
  }
  append(): void {
    throw new Error('response headers are read-only');
  }
  set(): void {
    throw new Error('response headers are read-only');
  }
  delete(): void {
    throw new Error('response headers are read-only');
  }
}

function responseOf(url: string, status: number, headers: Record<string, string>, text: string): FetcherResponse {
  const response: FetcherResponse = {
    bodyUsed: true,
    url,
    redirected: false,
    status,
    ok: status >= 200 && status < 300,
    statusText: '',
    headers: new ResponseHeaders(headers),
    text: async () => text,
    json: async () => JSON.parse(text),
    arrayBuffer: async () => new TextEncoder().encode(text).buffer as ArrayBuffer,
    clone: () => responseOf(url, status, headers, text),
  };
  return response;
}

export interface SubgraphFetcher {
  fetcher: Fetcher;
  close(): Promise<void>;
}

/** A fetcher with keep-alive pools that live until `close()` (the gateway's shutdown). */
export function subgraphFetcher(opts: { connectionsPerSubgraph?: number; timeoutMs?: number } = {}): SubgraphFetcher {
  const pools = new Map<string, Pool>();
  const targets = new Map<string, { pool: Pool; path: string }>();
  const targetOf = (url: string) => {
    let target = targets.get(url);
    if (!target) {
      const u = new URL(url);
      let pool = pools.get(u.origin);
      if (!pool) {
        pool = new Pool(u.origin, {
          connections: opts.connectionsPerSubgraph ?? 128,
          // Subgraphs keep idle sockets 65 s (platform http.ts); close ours first.
          keepAliveTimeout: 60_000,
          headersTimeout: opts.timeoutMs ?? 30_000,
          bodyTimeout: opts.timeoutMs ?? 30_000,
        });
        pools.set(u.origin, pool);
      }
      target = { pool, path: u.pathname + u.search };
      targets.set(url, target);
    }
    return target;
  };
  const fetcher = (async (url: string, init: Parameters<Fetcher>[1] = {}) => {
    const { pool, path } = targetOf(url);
    const res = await pool.request({ path, method: (init.method ?? 'GET') as 'POST', headers: init.headers, body: init.body, signal: init.signal });
    const text = await res.body.text();
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    return responseOf(url, res.statusCode, headers, text);
  }) as Fetcher;
  return { fetcher, close: () => Promise.all([...pools.values()].map((p) => p.close())).then(() => undefined) };
}
