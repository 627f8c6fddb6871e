/**
 * The waiting room at the edge (docs/WAITING-ROOM.md): three routes served by the gateway outside
 * the GraphQL pipeline and outside admission control, because joining and watching the line must
 * stay cheap and must never be shed at the opening:
 *   POST /waiting-room/{productId}        join (bearer token): a number and a signed ticket
 *   GET  /waiting-room/{productId}        the line's public status, from memory, cacheable for 1 s
 *   GET  /waiting-room/{productId}/turn   a held request (long poll) answered as soon as `number` is
 *                                         served or the sale sells out or closes, or after `wait` s
 *
 * Who is first is decided here: each join is stamped when its request reaches this process, before
 * its token is checked, and joins are sent to Redis in batches sorted by that stamp (one script call
 * per batch per product), so requests that overtake each other inside the process do not overtake
 * each other in the line. Status documents are built once per refresh (WAITING_ROOM_REFRESH_MS) per
 * line that someone asked about, never per request; the refresh also moves the line (any number of
 * gateway replicas may refresh: the script works from Redis's clock and state).
 *
 * Over 300 lines on purpose: the three routes share one in-memory view per line (status, the
 * serialized document, the held turn requests and the pending joins), and splitting it would spread
 * one small state machine over several files.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  HttpError,
  Identity,
  LineNumber,
  LineRead,
  LineStatus,
  Logger,
  ServiceMetrics,
  TicketSigner,
  UUID_PATTERN,
  WaitingLine,
  busyError,
  estimatedWaitSeconds,
  isFinal,
  isServed,
  secondsSince,
  sendError,
  sendJsonText,
  waitsForReturns,
} from '@flashsale/platform';

export const WAITING_ROOM_PREFIX = '/waiting-room/';
/** A line nobody asked about for this long stops being refreshed (and is forgotten). */
const IDLE_MS = 60_000;
/** Longest and default hold of a turn request, seconds. */
const TURN_MAX_WAIT_S = 30;
const TURN_DEFAULT_WAIT_S = 25;
/** Joins waiting for their batch, all lines together, at most (beyond: busy, retry). */
const MAX_PENDING_JOINS = 50_000;
/** Woken turn requests answered per turn of the event loop. */
const WAKE_CHUNK = 256;
/** A view older than this (refreshes failing) is not served: busy, retry. */
const STALE_AFTER_MS = 5000;
/** Buyers per join script call at most (a bigger batch is split). */
const MAX_JOIN_BATCH = 500;

export interface WaitingRoomDeps {
  line: WaitingLine;
  signer: TicketSigner;
  /** The caller's identity from the Authorization header; throws a 401-shaped GraphQLError when bad. */
  identify(req: IncomingMessage): Promise<Identity | null>;
  metrics: ServiceMetrics;
  logger: Logger;
  refreshMs: number;
  joinBatchMs: number;
  maxWatchers: number;
}

interface PendingJoin {
  buyer: string;
  arrivedAt: bigint;
  res: ServerResponse;
}

interface Watcher {
  number: number | null;
  res: ServerResponse;
  timer: NodeJS.Timeout;
  done: boolean;
}

interface LineView {
  productId: string;
  read: LineRead | null;
  /** The public document of `read`, serialized once per refresh. */
  body: string;
  fetchedAt: number;
  touchedAt: number;
  refreshing: Promise<void> | null;
  /** The last refresh failed (Redis unreachable): logged once until one works again. */
  failing: boolean;
  watchers: Watcher[];
  joins: PendingJoin[];
  joinTimer: NodeJS.Timeout | null;
  /** Arrival stamps of joins whose token is being checked (the numbering horizon). */
  verifying: Set<bigint>;
  /** The flush in progress: flushes of one line run one after the other, so batches reach Redis in order. */
  flushing: Promise<void>;
}

/** The public status document (API.md "Waiting room"). */
export function publicStatus(status: LineStatus) {
  return {
    productId: status.productId,
    state: status.state,
    nowServing: status.nowServing,
    admitPerSecond: status.admitPerSecond,
    waiting: status.waiting,
    available: status.available,
    holding: status.holding,
    opensAt: status.opensAt?.toISOString() ?? null,
    closesAt: status.closesAt?.toISOString() ?? null,
    updatedAt: new Date(status.at).toISOString(),
  };
}

/** Whether a turn request for `number` has news: served, sold out or closed, or (no number yet) the opening. */
function turnReached(status: LineStatus, number: number | null): boolean {
  if (isFinal(status)) return true;
  return number === null ? status.state !== 'NOT_OPEN' : number <= status.nowServing;
}

export class WaitingRoomEdge {
  private readonly views = new Map<string, LineView>();
  private readonly timer: NodeJS.Timeout;
  private pendingJoins = 0;
  private watcherCount = 0;

  constructor(private readonly deps: WaitingRoomDeps) {
    this.timer = setInterval(() => this.refreshAll(), deps.refreshMs);
    this.timer.unref();
    deps.metrics.trackLines(() => ({
      watchers: this.watcherCount,
      lines: [...this.views.values()].flatMap((v) => {
        if (v.read?.kind !== 'line') return [];
        const s = v.read.status;
        return [{ product: v.productId, waiting: s.waiting, nowServing: s.nowServing, issued: s.issued, used: s.used, noShows: s.noShows, pace: s.pace, open: s.state === 'OPEN' ? (1 as const) : (0 as const) }];
      }),
    }));
  }

  /** Serves a request whose path starts with WAITING_ROOM_PREFIX (the gateway routes only those here). */
  handle(req: IncomingMessage, res: ServerResponse, path: string): void {
    const arrivedAt = process.hrtime.bigint(); // the buyer's place: stamped before anything else
    const [id, sub, ...rest] = path.slice(WAITING_ROOM_PREFIX.length).split('/');
    if (rest.length || !UUID_PATTERN.test(id ?? '') || (sub !== undefined && sub !== 'turn')) {
      sendError(res, new HttpError(404, 'No such waiting-room resource', 'NOT_FOUND'));
      return;
    }
    const productId = id.toLowerCase();
    const route = sub === 'turn' ? (req.method === 'GET' ? 'turn' : null) : req.method === 'POST' ? 'join' : req.method === 'GET' || req.method === 'HEAD' ? 'status' : null;
    if (!route) {
      sendError(res, new HttpError(405, `Cannot ${req.method} ${path}`, 'METHOD_NOT_ALLOWED', {}, { allow: sub === 'turn' ? 'GET' : 'GET, HEAD, POST' }));
      return;
    }
    req.resume(); // no body is read; let a sent one drain so the connection stays usable
    const work = route === 'join' ? this.join(req, res, productId, arrivedAt) : route === 'turn' ? this.turn(req, res, productId) : this.status(res, productId);
    work.catch((err: unknown) => this.fail(res, err, route === 'join' ? 'join' : undefined));
  }

  close(): void {
    clearInterval(this.timer);
    for (const view of this.views.values()) {
      if (view.joinTimer) clearTimeout(view.joinTimer);
      for (const w of view.watchers) this.answerWatcher(view, w);
    }
  }

  // ------------------------------------------------------------ status

  private async status(res: ServerResponse, productId: string): Promise<void> {
    const view = await this.fresh(productId);
    this.lineOf(view); // throws the error a line that cannot be read means
    // Built once per refresh: a request costs the write, nothing else.
    sendJsonText(res, 200, view.body, { 'cache-control': 'public, max-age=1' });
  }

  // ------------------------------------------------------------ turn (long poll)

  private async turn(req: IncomingMessage, res: ServerResponse, productId: string): Promise<void> {
    const params = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
    const numberParam = params.get('number');
    const number = numberParam === null || numberParam === '' ? null : Number(numberParam);
    if (number !== null && !(Number.isSafeInteger(number) && number >= 1)) throw new HttpError(400, 'number must be a whole number of 1 or more', 'BAD_USER_INPUT');
    const waitParam = params.get('wait');
    const wait = waitParam === null ? TURN_DEFAULT_WAIT_S : Number(waitParam);
    if (!(Number.isFinite(wait) && wait >= 0 && wait <= TURN_MAX_WAIT_S)) throw new HttpError(400, `wait must be 0 to ${TURN_MAX_WAIT_S} seconds`, 'BAD_USER_INPUT');
    const view = await this.fresh(productId);
    const status = this.lineOf(view);
    res.setHeader('cache-control', 'no-store');
    if (wait === 0 || turnReached(status, number)) return this.sendTurn(res, status, number, view.body);
    if (this.watcherCount >= this.deps.maxWatchers) throw busyError(1);
    const watcher: Watcher = { number, res, done: false, timer: setTimeout(() => this.answerWatcher(view, watcher), wait * 1000) };
    view.watchers.push(watcher);
    this.watcherCount++;
    // A client that hangs up stops being watched.
    res.on('close', () => this.dropWatcher(watcher));
  }

  private sendTurn(res: ServerResponse, status: LineStatus, number: number | null, statusBody: string): void {
    // The status part is the line's document as serialized once per refresh; only the tail is per buyer.
    const head = statusBody.slice(0, -1);
    const wait = number === null ? null : estimatedWaitSeconds(status, number);
    const text = `${head},"number":${number ?? 'null'},"served":${isServed(status, number)},"estimatedWaitSeconds":${wait ?? 'null'},"waitsForReturns":${waitsForReturns(status, number)}}`;
    sendJsonText(res, 200, text);
  }

  /** A held turn request's time is up (or the gateway is closing): the line as last read, or busy when it could not be. */
  private answerWatcher(view: LineView, w: Watcher): void {
    if (view.read?.kind === 'line') return this.answerWith(w, view.read.status, view.body);
    if (w.done) return;
    this.dropWatcher(w);
    if (!w.res.writableEnded) sendError(w.res, busyError(1));
  }

  /** Answers a held turn request once, unless it was answered or its client hung up meanwhile. */
  private answerWith(w: Watcher, status: LineStatus, body: string): void {
    if (w.done) return;
    this.dropWatcher(w);
    if (!w.res.writableEnded) this.sendTurn(w.res, status, w.number, body);
  }

  private dropWatcher(w: Watcher): void {
    if (w.done) return;
    w.done = true;
    clearTimeout(w.timer);
    this.watcherCount--;
  }

  /** After a refresh: answer every held turn request that has news, keep the rest. */
  private wakeWatchers(view: LineView): void {
    if (view.read?.kind !== 'line' || !view.watchers.length) return;
    const status = view.read.status;
    const keep: Watcher[] = [];
    const due: Watcher[] = [];
    for (const w of view.watchers) {
      if (w.done) continue;
      if (turnReached(status, w.number)) due.push(w);
      else keep.push(w);
    }
    view.watchers = keep;
    this.answerInChunks(view, due, status, view.body);
  }

  /**
   * Answers woken turn requests a chunk per turn of the event loop: the sale selling out wakes
   * everyone at once (thousands), and answering them in one go would stall joins, accepts and
   * orders for as long.
   */
  private answerInChunks(view: LineView, due: Watcher[], status: LineStatus, body: string): void {
    for (const w of due.splice(0, WAKE_CHUNK)) this.answerWith(w, status, body);
    if (due.length) setImmediate(() => this.answerInChunks(view, due, status, body));
  }

  // ------------------------------------------------------------ join

  private async join(req: IncomingMessage, res: ServerResponse, productId: string, arrivedAt: bigint): Promise<void> {
    const view = this.viewOf(productId);
    // Until this join's token is checked, no later arrival is numbered (flushJoins' horizon).
    view.verifying.add(arrivedAt);
    let identity: Identity | null;
    try {
      identity = await this.deps.identify(req).catch((err: { message?: string }) => {
        throw new HttpError(401, err.message ?? 'Access token is invalid or expired', 'UNAUTHENTICATED');
      });
    } finally {
      view.verifying.delete(arrivedAt);
    }
    if (!identity) throw new HttpError(401, 'Joining a line needs a signed-in buyer (Authorization: Bearer <access token>)', 'UNAUTHENTICATED');
    if (this.pendingJoins >= MAX_PENDING_JOINS) throw busyError(1);
    view.joins.push({ buyer: identity.userId, arrivedAt, res });
    this.pendingJoins++;
    this.scheduleFlush(view);
  }

  private scheduleFlush(view: LineView): void {
    view.joinTimer ??= setTimeout(() => {
      view.joinTimer = null;
      view.flushing = view.flushing.then(() => this.flushJoins(view));
    }, this.deps.joinBatchMs);
  }

  /**
   * Sends the waiting joins of a line to Redis, oldest arrival first, in batches, one flush at a
   * time per line. Only joins that arrived before every join still being verified go now: a join
   * whose token check took longer keeps its place ahead of those that arrived after it.
   */
  private async flushJoins(view: LineView): Promise<void> {
    let horizon: bigint | null = null;
    for (const stamp of view.verifying) if (horizon === null || stamp < horizon) horizon = stamp;
    const ready = horizon === null ? view.joins : view.joins.filter((j) => j.arrivedAt < horizon!);
    view.joins = horizon === null ? [] : view.joins.filter((j) => j.arrivedAt >= horizon!);
    if (view.joins.length) this.scheduleFlush(view);
    const joins = ready.sort((a, b) => (a.arrivedAt < b.arrivedAt ? -1 : a.arrivedAt > b.arrivedAt ? 1 : 0));
    this.pendingJoins -= joins.length;
    for (let i = 0; i < joins.length; i += MAX_JOIN_BATCH) {
      const batch = joins.slice(i, i + MAX_JOIN_BATCH);
      const buyers = [...new Set(batch.map((j) => j.buyer))];
      try {
        const { read, numbers } = await this.deps.line.join(view.productId, buyers);
        this.update(view, read);
        const numberOf = new Map(buyers.map((b, k) => [b, numbers[k]]));
        for (const j of batch) this.answerJoin(view, j, numberOf.get(j.buyer) ?? null);
      } catch (err) {
        for (const j of batch) this.fail(j.res, err, 'join');
      }
    }
  }

  private answerJoin(view: LineView, join: PendingJoin, number: LineNumber): void {
    const { metrics } = this.deps;
    try {
      const status = this.lineOf(view);
      const ticket = number === null ? null : this.deps.signer.sign({ productId: view.productId, buyer: join.buyer });
      const numeric = typeof number === 'number' ? number : null;
      // The line's document as serialized once per refresh, then this buyer's fields.
      const own = JSON.stringify({
        ticket,
        number: numeric,
        preQueue: number === 'pre-queue',
        served: isServed(status, number),
        estimatedWaitSeconds: estimatedWaitSeconds(status, number),
        waitsForReturns: waitsForReturns(status, number),
        orderWindowSeconds: Math.round(this.deps.line.settings.orderWindowMs / 1000),
      });
      const text = `${view.body.slice(0, -1)},${own.slice(1)}`;
      sendJsonText(join.res, 200, text);
      const outcome = number === null ? 'no_ticket' : number === 'pre-queue' ? 'pre_queue' : 'number';
      metrics.waitingRoomJoins.inc({ outcome });
      metrics.waitingRoomJoinDuration.observe({ outcome }, secondsSince(join.arrivedAt));
    } catch (err) {
      this.fail(join.res, err, 'join');
    }
  }

  // ------------------------------------------------------------ the in-memory view of each line

  private viewOf(productId: string): LineView {
    let view = this.views.get(productId);
    if (!view) {
      view = { productId, read: null, body: '', fetchedAt: 0, touchedAt: Date.now(), refreshing: null, failing: false, watchers: [], joins: [], joinTimer: null, verifying: new Set(), flushing: Promise.resolve() };
      this.views.set(productId, view);
    }
    view.touchedAt = Date.now();
    return view;
  }

  /** The view, refreshed first when it is older than two refresh periods (a line nobody watched lately). */
  private async fresh(productId: string): Promise<LineView> {
    const view = this.viewOf(productId);
    if (!view.read || Date.now() - view.fetchedAt > 2 * this.deps.refreshMs) await this.refresh(view);
    return view;
  }

  private refresh(view: LineView): Promise<void> {
    view.refreshing ??= this.deps.line
      .status(view.productId)
      .then((read) => {
        if (view.failing) this.deps.logger.info({ productId: view.productId }, 'waiting-room status refresh works again');
        view.failing = false;
        this.update(view, read);
      })
      .catch((err) => {
        // Once per outage, not five times a second.
        if (!view.failing) this.deps.logger.warn({ err, productId: view.productId }, 'waiting-room status refresh failed');
        view.failing = true;
      })
      .finally(() => (view.refreshing = null));
    return view.refreshing;
  }

  private update(view: LineView, read: LineRead): void {
    view.read = read;
    view.fetchedAt = Date.now();
    view.body = read.kind === 'line' ? JSON.stringify(publicStatus(read.status)) : '';
    this.wakeWatchers(view);
  }

  private refreshAll(): void {
    const now = Date.now();
    for (const view of this.views.values()) {
      if (now - view.touchedAt > IDLE_MS && !view.watchers.length && !view.joins.length && !view.verifying.size) {
        this.views.delete(view.productId);
        continue;
      }
      void this.refresh(view);
    }
  }

  /** The line's status, or the HTTP error its read means (no such line, or Redis lost the stock hash). */
  private lineOf(view: LineView): LineStatus {
    const read = view.read;
    // Never answer from a view Redis has not confirmed lately (an outage): busy, retry.
    if (!read || Date.now() - view.fetchedAt > Math.max(STALE_AFTER_MS, 10 * this.deps.refreshMs)) throw busyError(1);
    switch (read.kind) {
      case 'line':
        return read.status;
      case 'missing':
        throw busyError(1, 'The line is being recovered; retry in a moment');
      default:
        throw new HttpError(404, 'This product has no waiting room', 'NOT_FOUND');
    }
  }

  private fail(res: ServerResponse, err: unknown, route?: 'join'): void {
    if (route === 'join') this.deps.metrics.waitingRoomJoins.inc({ outcome: err instanceof HttpError ? (err.status === 503 ? 'busy' : 'refused') : 'error' });
    if (err instanceof HttpError) return sendError(res, err);
    this.deps.logger.error({ err }, 'waiting-room request failed');
    sendError(res, busyError(1, 'The waiting room is unavailable right now; retry in a moment'));
  }
}
