/**
 * A crowd of buyers for `npm run bench -- line` (line.ts): each buyer is a small journey, not a
 * single request, started at its arrival time (`start + i / rate`, whatever the earlier buyers are
 * doing: an open model, as arrivals.ts) and followed until its final answer.
 *
 *   lineBuyer        a waiting-room sale (docs/WAITING-ROOM.md): POST /waiting-room/{p} (its arrival
 *                    stamp is the moment the bench handed that join to the HTTP client), then the held
 *                    GET /waiting-room/{p}/turn?number=n&wait=25, renewed until served or SOLD_OUT /
 *                    CLOSED, then placeOrder with `waitingRoomTicket`; busy answers (503/429) are
 *                    retried after their retryAfter, the order always with the same idempotency key.
 *   storefrontBuyer  a plain sale, as the storefront's Buy now: placeOrder; told busy, wait
 *                    retryAfter and send it again with the same key, until an order or SOLD_OUT.
 *
 * Connections, two models (CrowdConnections.perBuyer):
 *   per buyer (the default)  each buyer opens a connection of its own at its first request and closes
 *                    it after its final answer; its join, held turn requests and order go one after
 *                    another on it, as a browser reaching the gateway directly does. Every join then
 *                    arrives on a new connection, as at a real opening.
 *   shared pools     `line` for joins and turn requests (buyer i on shard i mod n), `orders` for
 *                    orders, each connection carrying one buyer's request after another's, as a
 *                    balancer in front of the gateway reuses its own; `warm` opens them before the
 *                    opening. Opened on first use instead (no balancer, yet buyers reusing each
 *                    other's connections), a saturated gateway serves the reused connections first
 *                    and numbers their buyers ahead of earlier arrivals still on new ones
 *                    (`npm run bench -- accept-bias`).
 * A held turn request holds its connection while it waits (HTTP/1.1 has no multiplexing): holding
 * 20,000 waiting buyers needs about that many sockets in the bench and in the gateway. The process's
 * open-file limit caps the shared pools (line.ts): beyond them undici queues a request in the bench
 * until one frees (the report shows the peak held at once).
 */
import diagnostics from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Client, Pool } from 'undici';
import type { SeededBuyer } from '../scripts/seed-buyers';
import { BUSY_KINDS, classifyPlaceOrder, PlaceOrderData, retryAfterMs } from './flash-sale';
import { GraphQLBody, networkKind } from './load';

/** placeOrder with a waiting-room ticket; `reason` tells a NOT_ADMITTED apart (WAITING, EXPIRED, …). */
export const PLACE_ORDER_WITH_TICKET = `mutation PlaceOrderWithTicket($input: PlaceOrderInput!) {
  placeOrder(input: $input) {
    order { id status }
    userErrors { code message reason place }
  }
}`;

/** One buyer's journey, as the report reads it. Times are performance.now() ms. */
export interface BuyerRecord {
  /** The first request handed to the HTTP client (the arrival stamp); NaN before. */
  arrivedAt: number;
  /** Scheduled arrival (start + i / rate). */
  dueAt: number;
  /**
   * When the first join's request headers were written to a connection (undici's
   * `undici:client:sendHeaders`); NaN before, and for plain buyers. The gap from `arrivedAt` is the
   * generator's own: its event loop, its queue for a free connection, the connection's setup.
   */
  joinSentAt: number;
  /** The final answer's arrival; NaN without one. */
  finalAt: number;
  /** ORDER, SOLD_OUT, CLOSED, SERVED (join-only: served, did not order), a typed refusal, or an error kind. */
  final: string;
  /** The final answer was an error (no typed outcome): HTTP error, GraphQL error, network failure, gave up. */
  error: boolean;
  orderId?: string;
  /** Which request brought the final answer. */
  via: 'join' | 'turn' | 'order' | 'none';
  number: number | null;
  requests: number;
  busyJoins: number;
  busyTurns: number;
  busyOrders: number;
}

export interface CrowdStats {
  /** Every join attempt, send → whole answer, ms (busy ones included). */
  joinLatencyMs: number[];
  /** Every order attempt, send → whole answer, ms. */
  orderLatencyMs: number[];
  /** Launch lateness of each buyer (scheduled → first request handed over), ms. */
  sendLagMs: number[];
  /** Requests by route and answer kind (SERVED, WAIT, SOLD_OUT, HTTP_503, ORDER, …). */
  kinds: Record<string, number>;
  /** Answers that were neither a typed outcome nor busy: HTTP or GraphQL errors, network failures. */
  untypedErrors: number;
  /** NOT_ADMITTED answers with reason WAITING (the buyer went back to waiting). */
  notAdmittedWaiting: number;
  heldNow: number;
  heldPeak: number;
}

export interface CrowdOptions {
  productId: string;
  buyers: readonly SeededBuyer[];
  rate: number;
  /** performance.now() ms of arrival 0. */
  startAt: number;
  /** Idempotency keys `<tag>-<i>`. */
  tag: string;
  /** A buyer with no final answer after this many ms since its arrival gives up (GAVE_UP, an error). */
  giveUpMs: number;
  /** Join-only: a served buyer stops (SERVED) instead of ordering. */
  order?: boolean;
  /** Seconds a turn request may be held (the API's default 25, at most 30). */
  turnWaitS?: number;
}

/** File descriptors this process may open (RLIMIT_NOFILE soft limit), from /proc; 1024 when unknown. */
export function openFileLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s+/)[3]);
    return Number.isFinite(soft) && soft > 0 ? soft : 1024;
  } catch {
    return 1024;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();

interface Reply {
  status: number;
  json: Record<string, unknown> | null;
  retryAfterMs: number;
}

/** Connections of each pool of a crowd. */
export interface CrowdConnections {
  /** Joins and held turn requests. */
  line: number;
  orders: number;
  /**
   * Each buyer on a connection of its own, opened at its first request and closed after its final
   * answer (its join, turn requests and orders one after another on it), as every buyer's browser
   * reaches the gateway directly. Otherwise `line` and `orders` are shared pools whose connections
   * carry one buyer's request after another's, as a balancer in front of the gateway reuses its own.
   */
  perBuyer?: boolean;
}

const CONNECTION_OPTIONS = { pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: 60_000, bodyTimeout: 60_000 };

/** Connections per undici Pool at most: a Pool finds a free connection by scanning its list (O(n) per request). */
const SHARD_CONNECTIONS = 1000;

/**
 * Connections split over small undici Pools, buyer i always on shard i mod n (its join and its turn
 * requests then share a few connections, as a browser's do). One Pool of 18,000 connections, most of
 * them holding a turn request, would scan thousands of busy connections for every request and leave
 * the generator seconds behind its schedule.
 */
class ShardedPool {
  readonly shards: Pool[];

  constructor(origin: string, connections: number) {
    const n = Math.max(1, Math.ceil(connections / SHARD_CONNECTIONS));
    const each = Math.max(1, Math.ceil(connections / n));
    this.shards = Array.from({ length: n }, () => new Pool(origin, { connections: each, ...CONNECTION_OPTIONS }));
  }

  of(buyer: number): Pool {
    return this.shards[buyer % this.shards.length];
  }

  /** Opens about `count` connections, spread over the shards (GET /health/live, never refused). */
  warm(count: number): Promise<unknown> {
    return Promise.all(Array.from({ length: count }, (_, i) => this.of(i).request({ path: '/health/live', method: 'GET' }).then((r) => r.body.text(), () => undefined)));
  }

  close(): Promise<unknown> {
    return Promise.all(this.shards.map((p) => p.close().catch(() => undefined)));
  }
}

/** The HTTP side of a crowd: connections for the line (joins, held turn requests), others for orders. */
export class CrowdClient {
  /** Shared pools (null with perBuyer). */
  private readonly pools: { line: ShardedPool; orders: ShardedPool } | null;
  private readonly graphqlPath: string;
  private readonly origin: string;
  /** perBuyer: each buyer's own connection, while its journey lasts (empty with shared pools). */
  private readonly own = new Map<number, Client>();
  /** perBuyer: most buyers' connections open at once. */
  peakOwn = 0;
  /** Joins not yet written to a connection, by their authorization header. */
  private readonly unsentJoins = new Map<string, BuyerRecord>();
  private readonly onSendHeaders = (message: unknown) => {
    const { request } = message as { request: { method: string; path: string; headers: unknown } };
    if (request.method !== 'POST' || !request.path.startsWith('/waiting-room/') || !Array.isArray(request.headers)) return;
    const at = request.headers.indexOf('authorization');
    const rec = at >= 0 ? this.unsentJoins.get(String(request.headers[at + 1])) : undefined;
    if (!rec) return;
    this.unsentJoins.delete(String(request.headers[at + 1]));
    if (Number.isNaN(rec.joinSentAt)) rec.joinSentAt = performance.now();
  };

  constructor(gatewayUrl: string, connections: CrowdConnections) {
    const url = new URL(gatewayUrl);
    this.graphqlPath = url.pathname;
    this.origin = url.origin;
    this.pools = connections.perBuyer ? null : { line: new ShardedPool(url.origin, connections.line), orders: new ShardedPool(url.origin, connections.orders) };
    diagnostics.subscribe('undici:client:sendHeaders', this.onSendHeaders);
  }

  /** Stamps `rec.joinSentAt` when this token's join is written to a connection. */
  watchJoin(token: string, rec: BuyerRecord): void {
    if (Number.isNaN(rec.joinSentAt)) this.unsentJoins.set(`Bearer ${token}`, rec);
  }

  /** Opens up to `n` connections of each kind before the opening, and keeps them alive. */
  async warm(n: { line: number; orders: number }): Promise<void> {
    if (this.pools) await Promise.all([this.pools.line.warm(n.line), this.pools.orders.warm(n.orders)]);
  }

  /** The buyer's own connection (perBuyer), or the shared pool of `kind`. */
  private via(buyer: number, kind: 'line' | 'orders'): Client | Pool {
    if (this.pools) return this.pools[kind].of(buyer);
    let client = this.own.get(buyer);
    if (!client) {
      this.own.set(buyer, (client = new Client(this.origin, CONNECTION_OPTIONS)));
      this.peakOwn = Math.max(this.peakOwn, this.own.size);
    }
    return client;
  }

  /** The buyer's journey has ended: its own connection (perBuyer) closes, as its browser tab does. */
  release(buyer: number): void {
    const client = this.own.get(buyer);
    if (!client) return;
    this.own.delete(buyer);
    void client.close().catch(() => undefined);
  }

  private async send(pool: Client | Pool, opts: { path: string; method: 'GET' | 'POST'; headers: Record<string, string>; body?: string | Buffer }): Promise<Reply> {
    const res = await pool.request(opts);
    const text = await res.body.text();
    let json: Record<string, unknown> | null = null;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      /* classified by status */
    }
    const errors = json?.errors as Array<{ extensions?: { retryAfter?: unknown } }> | undefined;
    return { status: res.statusCode, json, retryAfterMs: retryAfterMs(errors?.[0]?.extensions?.retryAfter, res.headers['retry-after']) };
  }

  join(buyer: number, productId: string, token: string): Promise<Reply> {
    return this.send(this.via(buyer, 'line'), { path: `/waiting-room/${productId}`, method: 'POST', headers: { authorization: `Bearer ${token}` } });
  }

  turn(buyer: number, productId: string, number: number, waitS: number): Promise<Reply> {
    return this.send(this.via(buyer, 'line'), { path: `/waiting-room/${productId}/turn?number=${number}&wait=${waitS}`, method: 'GET', headers: {} });
  }

  placeOrder(buyer: number, body: string, token: string): Promise<Reply> {
    return this.send(this.via(buyer, 'orders'), { path: this.graphqlPath, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
  }

  async close(): Promise<void> {
    diagnostics.unsubscribe('undici:client:sendHeaders', this.onSendHeaders);
    const pools = this.pools ? [this.pools.line.close(), this.pools.orders.close()] : [];
    await Promise.all([...pools, ...[...this.own.values()].map((c) => c.close().catch(() => undefined))]);
    this.own.clear();
  }
}

/** What an answer of the waiting room's edge (join or turn) says. */
type LineAnswer =
  | { kind: 'busy'; retryAfterMs: number; code: string }
  | { kind: 'error'; code: string }
  | { kind: 'line'; state: string; number: number | null; ticket: string | null; served: boolean };

function lineAnswer(reply: Reply): LineAnswer {
  const errors = reply.json?.errors as Array<{ extensions?: { code?: string } }> | undefined;
  const code = errors?.[0]?.extensions?.code ?? `HTTP_${reply.status}`;
  if (reply.status === 503 || reply.status === 429 || BUSY_KINDS.has(code)) return { kind: 'busy', retryAfterMs: reply.retryAfterMs, code };
  if (reply.status !== 200 || !reply.json || typeof reply.json.state !== 'string') return { kind: 'error', code };
  const j = reply.json;
  return {
    kind: 'line',
    state: j.state as string,
    number: typeof j.number === 'number' ? j.number : null,
    ticket: typeof j.ticket === 'string' ? j.ticket : null,
    served: j.served === true,
  };
}

const FINAL_STATES = new Set(['SOLD_OUT', 'CLOSED']);

export function newRecord(dueAt: number): BuyerRecord {
  return { arrivedAt: Number.NaN, dueAt, joinSentAt: Number.NaN, finalAt: Number.NaN, final: 'NONE', error: true, via: 'none', number: null, requests: 0, busyJoins: 0, busyTurns: 0, busyOrders: 0 };
}

export function newStats(): CrowdStats {
  return { joinLatencyMs: [], orderLatencyMs: [], sendLagMs: [], kinds: {}, untypedErrors: 0, notAdmittedWaiting: 0, heldNow: 0, heldPeak: 0 };
}

/**
 * Runs `journey(i)` for buyers 0..n-1, buyer i starting at `startAt + i × 1000 / rate` (one timer
 * at a time, as arrivals.ts), and resolves when every journey has ended.
 */
export function launchCrowd(n: number, rate: number, startAt: number, journey: (i: number, dueAt: number) => Promise<void>): Promise<void> {
  const interval = 1000 / rate;
  let next = 0;
  const running: Array<Promise<void>> = [];
  return new Promise<void>((resolve) => {
    const tick = () => {
      const t = now();
      while (next < n && startAt + next * interval <= t) {
        running.push(journey(next, startAt + next * interval));
        next++;
      }
      if (next < n) setTimeout(tick, Math.max(0, startAt + next * interval - now()));
      else void Promise.all(running).then(() => resolve());
    };
    setTimeout(tick, Math.max(0, startAt - now()));
  });
}

/** Shared plumbing of both journeys: counting, timing, ending. */
class Journey {
  constructor(
    protected readonly rec: BuyerRecord,
    protected readonly stats: CrowdStats,
    protected readonly giveUpAt: number,
  ) {}

  /** Counts one answer; `error`: neither a typed outcome nor a busy answer. */
  protected count(route: string, kind: string, error = false): void {
    const key = `${route} ${kind}`;
    this.stats.kinds[key] = (this.stats.kinds[key] ?? 0) + 1;
    if (error) this.stats.untypedErrors++;
  }

  protected stamp(): number {
    const t = now();
    this.rec.requests++;
    if (Number.isNaN(this.rec.arrivedAt)) {
      this.rec.arrivedAt = t;
      this.stats.sendLagMs.push(t - this.rec.dueAt);
    }
    return t;
  }

  protected end(final: string, via: BuyerRecord['via'], error: boolean, orderId?: string): void {
    Object.assign(this.rec, { final, via, error, finalAt: now(), orderId });
  }

  protected tooLate(): boolean {
    if (now() < this.giveUpAt) return false;
    this.end('GAVE_UP', 'none', true);
    return true;
  }

  /** placeOrder with the same body (so the same idempotency key) until something other than busy. */
  protected async order(client: CrowdClient, buyer: number, body: string, token: string): Promise<{ kind: string; orderId?: string; error: boolean; reason?: string }> {
    for (;;) {
      const t0 = this.stamp();
      let reply: Reply;
      try {
        reply = await client.placeOrder(buyer, body, token);
      } catch (err) {
        this.count('order', networkKind(err), true);
        return { kind: networkKind(err), error: true };
      }
      this.stats.orderLatencyMs.push(now() - t0);
      const answer = classifyPlaceOrder(reply.status, undefined, reply.json as GraphQLBody<PlaceOrderData>);
      this.count('order', answer.outcome.kind, answer.outcome.error === true && !answer.busy);
      if (!answer.busy) {
        const payload = (reply.json as { data?: { placeOrder?: { userErrors?: Array<{ reason?: string }> } } } | null)?.data?.placeOrder;
        return { kind: answer.outcome.kind, orderId: answer.outcome.orderId, error: answer.outcome.error === true, reason: payload?.userErrors?.[0]?.reason };
      }
      this.rec.busyOrders++;
      if (now() + (answer.retryAfterMs ?? 1000) > this.giveUpAt) return { kind: 'GAVE_UP', error: true };
      await sleep(answer.retryAfterMs ?? 1000);
    }
  }
}

/** A buyer of a waiting-room sale: join, wait for the turn, order with the ticket. */
export class LineBuyer extends Journey {
  constructor(
    rec: BuyerRecord,
    stats: CrowdStats,
    private readonly client: CrowdClient,
    private readonly opts: CrowdOptions,
    private readonly buyer: SeededBuyer,
    private readonly index: number,
  ) {
    super(rec, stats, rec.dueAt + opts.giveUpMs);
  }

  async run(): Promise<void> {
    try {
      await this.journey();
    } finally {
      this.client.release(this.index);
    }
  }

  private async journey(): Promise<void> {
    const { productId } = this.opts;
    // 1. Join (retried after retryAfter when busy).
    let answer: LineAnswer;
    for (;;) {
      const t0 = this.stamp();
      try {
        this.client.watchJoin(this.buyer.accessToken, this.rec);
        answer = lineAnswer(await this.client.join(this.index, productId, this.buyer.accessToken));
      } catch (err) {
        this.count('join', networkKind(err), true);
        return this.end(networkKind(err), 'join', true);
      }
      this.stats.joinLatencyMs.push(now() - t0);
      this.count('join', answer.kind === 'line' ? (answer.ticket ? 'TICKET' : answer.state) : answer.code, answer.kind === 'error');
      if (answer.kind !== 'busy') break;
      this.rec.busyJoins++;
      if (this.tooLate()) return;
      await sleep(answer.retryAfterMs);
    }
    if (answer.kind === 'error') return this.end(answer.code, 'join', true);
    if (!answer.ticket || answer.number === null) return this.end(answer.state, 'join', !FINAL_STATES.has(answer.state));
    const { number, ticket } = answer;
    this.rec.number = number;
    const body = JSON.stringify({
      query: PLACE_ORDER_WITH_TICKET,
      variables: { input: { items: [{ productId, quantity: 1 }], idempotencyKey: `${this.opts.tag}-${this.index}`, waitingRoomTicket: ticket } },
    });
    let state = answer.state;
    let served = answer.served;
    for (;;) {
      // 2. Wait for the turn (held requests, renewed).
      while (!served) {
        if (FINAL_STATES.has(state)) return this.end(state, 'turn', false);
        if (this.tooLate()) return;
        const turn = await this.turn(number);
        if (turn.kind === 'error') return this.end(turn.code, 'turn', true);
        if (turn.kind === 'busy') {
          this.rec.busyTurns++;
          await sleep(turn.retryAfterMs);
          continue;
        }
        state = turn.state;
        served = turn.served;
        if (FINAL_STATES.has(state)) return this.end(state, 'turn', false);
      }
      if (this.opts.order === false) return this.end('SERVED', 'turn', false);
      // 3. Order with the ticket, the same idempotency key on every retry.
      const placed = await this.order(this.client, this.index, body, this.buyer.accessToken);
      if (placed.kind === 'NOT_ADMITTED' && placed.reason === 'WAITING') {
        this.stats.notAdmittedWaiting++;
        served = false;
        continue;
      }
      return this.end(placed.kind, 'order', placed.error, placed.orderId);
    }
  }

  private async turn(number: number): Promise<LineAnswer> {
    this.stamp();
    this.stats.heldNow++;
    this.stats.heldPeak = Math.max(this.stats.heldPeak, this.stats.heldNow);
    try {
      const answer = lineAnswer(await this.client.turn(this.index, this.opts.productId, number, this.opts.turnWaitS ?? 25));
      this.count('turn', answer.kind === 'line' ? (FINAL_STATES.has(answer.state) ? answer.state : answer.served ? 'SERVED' : 'WAIT') : answer.code, answer.kind === 'error');
      return answer;
    } catch (err) {
      this.count('turn', networkKind(err), true);
      return { kind: 'error', code: networkKind(err) };
    } finally {
      this.stats.heldNow--;
    }
  }
}

/** A buyer of a plain sale, as the storefront's Buy now: placeOrder, retried when busy, same key. */
export class StorefrontBuyer extends Journey {
  constructor(
    rec: BuyerRecord,
    stats: CrowdStats,
    private readonly client: CrowdClient,
    private readonly body: string,
    private readonly token: string,
    private readonly index: number,
    giveUpMs: number,
  ) {
    super(rec, stats, rec.dueAt + giveUpMs);
  }

  async run(): Promise<void> {
    try {
      const placed = await this.order(this.client, this.index, this.body, this.token);
      this.end(placed.kind, 'order', placed.error, placed.orderId);
    } finally {
      this.client.release(this.index);
    }
  }
}
