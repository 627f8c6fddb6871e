/**
 * The load generator: a closed loop keeping exactly `concurrency` requests in flight until every
 * request has been answered, over keep-alive HTTP connections (undici Pool: far less client CPU
 * than fetch, which matters when the generator shares two cores with the system under test).
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

/**
 * One answer, reduced to what the report counts: `ORDER`, a typed refusal (a userError code such
 * as SOLD_OUT), or an error (`error: true`: a GraphQL error code, an HTTP status, a network
 * failure). Throughput counts answers, not errors: a buyer told "retry later" got no answer.
 */
export interface Outcome {
  kind: string;
  orderId?: string;
  error?: boolean;
  /** Times the buyer was told busy and sent the same request again before this outcome. */
  retries?: number;
}

export interface LoadResult {
  requests: number;
  concurrency: number;
  durationMs: number;
  latenciesMs: Float64Array;
  outcomes: Outcome[];
}

/** Why a request got no GraphQL answer at all (connection refused, reset, timeout). */
export function networkKind(err: unknown): string {
  const e = err as { code?: string; name?: string };
  return `NETWORK_${e?.code ?? e?.name ?? 'ERROR'}`;
}

export async function closedLoop(requests: number, concurrency: number, fire: (i: number) => Promise<Outcome>): Promise<LoadResult> {
  const latenciesMs = new Float64Array(requests);
  const outcomes = new Array<Outcome>(requests);
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < requests; i = next++) {
      const t0 = performance.now();
      let outcome: Outcome;
      try {
        outcome = await fire(i);
      } catch (err) {
        outcome = { kind: networkKind(err), error: true };
      }
      latenciesMs[i] = performance.now() - t0;
      outcomes[i] = outcome;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, requests)) }, worker));
  return { requests, concurrency, durationMs: performance.now() - started, latenciesMs, outcomes };
}

export interface GraphQLBody<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } & Record<string, unknown> }>;
}

/** POSTs GraphQL bodies to one URL over a pool of keep-alive connections. */
export class GraphQLEndpoint {
  private readonly pool: Pool;
  private readonly path: string;

  constructor(
    readonly url: string,
    connections: number,
  ) {
    const u = new URL(url);
    this.path = u.pathname;
    this.pool = new Pool(u.origin, { connections, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 120_000, bodyTimeout: 120_000 });
  }

  async post<T>(body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: GraphQLBody<T> | null }> {
    const res = await this.pool.request({ path: this.path, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const text = await res.body.text();
    let json: GraphQLBody<T> | null = null;
    try {
      json = JSON.parse(text) as GraphQLBody<T>;
    } catch {
      /* not JSON: classified by status */
    }
    return { status: res.statusCode, json };
  }

  /** post() that fails loudly on any GraphQL error (setup steps, not measurements). */
  async must<T>(query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}): Promise<T> {
    const { status, json } = await this.post<T>(JSON.stringify({ query, variables }), headers);
    if (!json?.data || json.errors?.length) throw new Error(`${this.url} answered HTTP ${status}: ${JSON.stringify(json?.errors ?? json)}`);
    return json.data;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** The kind of a GraphQL error answer: its extensions.code, else the HTTP status. */
export function errorKind(status: number, json: GraphQLBody<unknown> | null): string {
  return json?.errors?.[0]?.extensions?.code ?? `HTTP_${status}`;
}
