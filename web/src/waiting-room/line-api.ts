/**
 * The waiting room's three edge routes at the gateway (docs/WAITING-ROOM.md), typed: join (bearer
 * token), the public status document, and the held turn request. They live at the gateway's
 * origin beside /graphql, outside GraphQL. A refusal is thrown as a LineError that carries the
 * gateway's error code and, for 429/503, how long to wait before trying again.
 */
import type { JoinAnswer, LineStatus, TurnAnswer } from './line-documents';
import type { LineState } from './line-phase';

export type { JoinAnswer, LineState, LineStatus, TurnAnswer };

export class LineError extends Error {
  constructor(
    message: string,
    /** HTTP status; 0 for a network failure. */
    readonly status: number,
    /** The gateway's `extensions.code` (UNAUTHENTICATED, NOT_FOUND, SERVICE_UNAVAILABLE, ...). */
    readonly code: string | null,
    /** Seconds to wait before retrying (429/503), else null. */
    readonly retryAfter: number | null,
  ) {
    super(message);
  }
}

/** The longest a turn request is held by the gateway, seconds (it answers at most this late). */
export const TURN_HOLD_SECONDS = 25;

export const isFinal = (state: LineState) => state === 'SOLD_OUT' || state === 'CLOSED';

export class LineApi {
  constructor(
    private readonly gatewayUrl: string,
    /** fetch carrying the session's access token (client.ts authorizedFetch). */
    private readonly authorizedFetch: typeof fetch,
  ) {}

  /** Takes a number (or, joined already, answers the same ticket and number). */
  join(productId: string, signal?: AbortSignal): Promise<JoinAnswer> {
    return this.call<JoinAnswer>(this.authorizedFetch, this.url(productId), { method: 'POST', signal });
  }

  status(productId: string, signal?: AbortSignal): Promise<LineStatus> {
    return this.call<LineStatus>(fetch, this.url(productId), { signal });
  }

  /** Held until `number` is served or the sale sells out or closes (without a number: the opening), or `waitSeconds`. */
  turn(productId: string, number: number | null, waitSeconds: number, signal?: AbortSignal): Promise<TurnAnswer> {
    const query = new URLSearchParams({ wait: String(waitSeconds) });
    if (number !== null) query.set('number', String(number));
    return this.call<TurnAnswer>(fetch, `${this.url(productId)}/turn?${query}`, { signal, cache: 'no-store' });
  }

  private url(productId: string): string {
    return new URL(`/waiting-room/${encodeURIComponent(productId)}`, this.gatewayUrl).href;
  }

  private async call<T>(send: typeof fetch, url: string, init: RequestInit): Promise<T> {
    let res: Response;
    try {
      res = await send(url, init);
    } catch (err) {
      if (init.signal?.aborted) throw err;
      throw new LineError('Network problem', 0, null, null);
    }
    const body = (await res.json().catch(() => null)) as (T & { errors?: Array<{ message?: string; extensions?: Record<string, unknown> }> }) | null;
    if (res.ok && body) return body;
    const first = body?.errors?.[0];
    const header = Number(res.headers.get('retry-after'));
    const extension = Number(first?.extensions?.retryAfter);
    const retryAfter = res.status === 429 || res.status === 503 ? (extension > 0 ? extension : header > 0 ? header : 1) : null;
    const code = typeof first?.extensions?.code === 'string' ? first.extensions.code : null;
    throw new LineError(first?.message ?? `HTTP ${res.status}`, res.status, code, retryAfter);
  }
}
