/**
 * Prometheus metrics (prom-client), one registry per service.
 *
 * Invariants:
 *   M1 One registry per service name, every series labelled `service="<name>"` (default label).
 *      A process serves its own service's registry at GET /metrics. The test stack runs every
 *      service in one Node process: each port still answers only its own service's families, so
 *      Prometheus never sees one series twice (the Node runtime metrics then describe the same
 *      process five times, each under its own service label).
 *   M2 Bounded cardinality: operation names come from clients, so a registry keeps at most
 *      MAX_OPERATION_NAMES distinct valid names and folds the rest into "other"; outcomes are
 *      error codes from fixed catalogues (anything else reads "OTHER"); products are only those a
 *      service was told are on sale (at most MAX_SALE_PRODUCTS, least recently seen dropped).
 *   M3 Nothing on the request path talks to Redis or MySQL for metrics: figures that need a
 *      query (outbox backlog, consumer lag, units left) are read when Prometheus scrapes, and
 *      cached for SCRAPE_CACHE_MS so several scrapers cost one query.
 *   M4 TELEMETRY_METRICS=off keeps every call site's cost to one property read: instruments are
 *      still created (so code needs no branches) but nothing is served and scrape-time readers
 *      never run.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from '../logger';

/** Seconds; suited to a request that usually takes 1-50 ms and sometimes seconds. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
export const MAX_OPERATION_NAMES = 100;
export const MAX_SALE_PRODUCTS = 50;
export const SCRAPE_CACHE_MS = 1000;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const LINT_FAILING_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export const metricsEnabled = (): boolean => (process.env.TELEMETRY_METRICS ?? 'on') !== 'off';

export type ScrapeReader = () => Promise<void>;

/** One waiting-room line as the edge last read it (platform waiting-room/). */
export interface LineFigures {
  product: string;
  waiting: number;
  nowServing: number;
  issued: number;
  used: number;
  noShows: number;
  pace: number;
  open: 0 | 1;
}

const LINE_GAUGES: Array<[keyof Omit<LineFigures, 'product'>, string, string]> = [
  ['waiting', 'flashsale_waiting_room_waiting', "People in a sale's line not yet served (the pre-queue before the opening)"],
  ['nowServing', 'flashsale_waiting_room_now_serving', "The line's watermark: numbers up to it may order"],
  ['issued', 'flashsale_waiting_room_issued', 'Numbers given so far'],
  ['used', 'flashsale_waiting_room_used', 'Tickets that placed their order'],
  ['noShows', 'flashsale_waiting_room_no_shows', 'Served numbers whose order window passed without an order'],
  ['pace', 'flashsale_waiting_room_pace', 'Orders completed per second through the line, measured'],
  ['open', 'flashsale_waiting_room_open', '1 while the line is OPEN (units left, people may be served)'],
];

/** What admission control tells (AdmissionController). */
export interface AdmissionFigures {
  readonly running: number;
  readonly queued: number;
  readonly stats: { readonly refusedQueueFull: number; readonly refusedDeadline: number };
}

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly enabled = metricsEnabled();
  private readonly operations = new Set<string>();
  private readonly readers: ScrapeReader[] = [];
  private readonly saleProducts = new Map<string, number>();
  private admission: AdmissionFigures | undefined;
  private lines: (() => { lines: LineFigures[]; watchers: number }) | undefined;

  // Requests
  readonly graphqlDuration: Histogram<'operation' | 'outcome'>;
  readonly subgraphFetchDuration: Histogram<'subgraph' | 'status'>;
  readonly rateLimitRefusals: Counter<'field'>;
  // Business outcomes
  readonly placeOrder: Counter<'outcome'>;
  readonly payments: Counter<'outcome'>;
  readonly saleAvailable: Gauge<'product'>;
  readonly saleHeld: Gauge<'product'>;
  readonly stockHashMissing: Counter;
  // Stores and coordination
  readonly redisDuration: Histogram<'op'>;
  readonly mysqlDuration: Histogram<'op'>;
  readonly lockWait: Histogram<'outcome'>;
  // Background work
  readonly periodicRuns: Counter<'worker' | 'result'>;
  readonly eventsConsumed: Counter<'stream' | 'group' | 'result'>;
  readonly outboxWaiting: Gauge;
  readonly outboxOldestAge: Gauge;
  readonly consumerLag: Gauge<'stream' | 'group'>;
  readonly consumerPending: Gauge<'stream' | 'group'>;
  readonly deadLetters: Gauge<'stream'>;
  readonly scrapeErrors: Counter<'reader'>;
  // Waiting room (gateway edge, order path)
  readonly waitingRoomJoins: Counter<'outcome'>;
  readonly waitingRoomJoinDuration: Histogram<'outcome'>;
  readonly ticketsRefused: Counter<'reason'>;

  constructor(readonly service: string) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ service });
    if (this.enabled) {
      collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
      // prom-client names these gauges *_total, which promtool's lint refuses (a _total is a
      // counter); handles and requests in flight say little that the event-loop delay does not.
      for (const name of LINT_FAILING_DEFAULTS) this.registry.removeSingleMetric(name);
    }
    const histogram = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Histogram<L>({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers });
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) => new Counter<L>({ name, help, labelNames, registers });
    const gauge = <L extends string>(name: string, help: string, labelNames: L[]) => new Gauge<L>({ name, help, labelNames, registers });

    this.graphqlDuration = histogram('flashsale_graphql_request_duration_seconds', 'GraphQL requests by operation name and outcome (ok, a userErrors code, or an error code)', ['operation', 'outcome']);
    this.subgraphFetchDuration = histogram('flashsale_subgraph_fetch_duration_seconds', 'Gateway fetches to a subgraph by HTTP status (0: no answer)', ['subgraph', 'status']);
    this.rateLimitRefusals = counter('flashsale_rate_limit_refusals_total', 'Requests refused RATE_LIMITED by root field', ['field']);
    this.placeOrder = counter('flashsale_place_order_total', 'placeOrder answers by outcome: ORDER, a userErrors code, BUSY or ERROR', ['outcome']);
    this.payments = counter('flashsale_payments_total', 'Payment attempts by outcome: paid, declined, timed_out, refunded', ['outcome']);
    this.saleAvailable = gauge('flashsale_sale_available_units', 'Units left (Redis available) of products recently on sale', ['product']);
    this.saleHeld = gauge('flashsale_sale_held_reservations', 'Reservations (orders not yet paid, or being placed) holding units of products recently on sale', ['product']);
    this.stockHashMissing = counter('flashsale_stock_hash_missing_total', 'Reservations that found a product\'s Redis stock hash missing (then rebuilt from MySQL)', []);
    this.redisDuration = histogram('flashsale_redis_duration_seconds', 'Redis round trips on the order path by operation', ['op']);
    this.mysqlDuration = histogram('flashsale_mysql_duration_seconds', 'MySQL units of work by operation (transaction incl. commit)', ['op']);
    this.lockWait = histogram('flashsale_lock_wait_seconds', 'Time to take a Redlock lock, by outcome (acquired, busy, error)', ['outcome']);
    this.periodicRuns = counter('flashsale_periodic_runs_total', 'Rounds of background workers (outbox relay, sweeper, daily job, ...) by result', ['worker', 'result']);
    this.eventsConsumed = counter('flashsale_events_consumed_total', 'Stream entries handled by a consumer group: applied, dead_lettered, failed', ['stream', 'group', 'result']);
    this.outboxWaiting = gauge('flashsale_outbox_waiting_rows', 'Outbox rows not yet published', []);
    this.outboxOldestAge = gauge('flashsale_outbox_oldest_age_seconds', 'Age of the oldest unpublished outbox row (0 when none)', []);
    this.consumerLag = gauge('flashsale_consumer_lag_entries', 'Entries of a stream not yet delivered to a consumer group (XINFO GROUPS lag)', ['stream', 'group']);
    this.consumerPending = gauge('flashsale_consumer_pending_entries', 'Entries delivered to a consumer group but not acknowledged', ['stream', 'group']);
    this.deadLetters = gauge('flashsale_dead_letters', 'Entries in a stream\'s dead-letter stream', ['stream']);
    // Admission control: read at scrape time from the controller last tracked (nothing on the request path).
    const admission = () => this.admission;
    new Gauge({ name: 'flashsale_admission_in_flight', help: 'Requests admitted and running', registers, collect() { this.set(admission()?.running ?? 0); } });
    new Gauge({ name: 'flashsale_admission_queued', help: 'Requests waiting for admission', registers, collect() { this.set(admission()?.queued ?? 0); } });
    new Counter({
      name: 'flashsale_admission_shed_total',
      help: 'Requests refused 503 by admission control, by reason: queue_full, deadline',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        this.inc({ reason: 'queue_full' }, admission()?.stats.refusedQueueFull ?? 0);
        this.inc({ reason: 'deadline' }, admission()?.stats.refusedDeadline ?? 0);
      },
    });
    this.waitingRoomJoins = counter('flashsale_waiting_room_joins_total', 'Joins of a sale\'s line by outcome: number, pre_queue, no_ticket (sold out, closed, too early), refused, busy, error', ['outcome']);
    this.waitingRoomJoinDuration = histogram('flashsale_waiting_room_join_duration_seconds', 'Time from a join\'s arrival at the edge to its answer, by outcome', ['outcome']);
    this.ticketsRefused = counter('flashsale_waiting_room_tickets_refused_total', 'Orders on a waiting-room sale refused NOT_ADMITTED, by reason (NO_TICKET, INVALID, NOT_IN_LINE, WAITING, EXPIRED, USED)', ['reason']);
    const lines = () => this.lines?.();
    for (const [figure, name, help] of LINE_GAUGES) {
      new Gauge({
        name,
        help,
        labelNames: ['product'],
        registers,
        collect() {
          this.reset();
          for (const line of lines()?.lines ?? []) this.set({ product: line.product }, line[figure]);
        },
      });
    }
    new Gauge({ name: 'flashsale_waiting_room_watchers', help: 'Turn requests held open by this edge (buyers waiting to be told their turn)', registers, collect() { this.set(lines()?.watchers ?? 0); } });
    this.scrapeErrors = counter('flashsale_scrape_errors_total', 'Scrape-time readers that failed (the figure keeps its last value)', ['reader']);
  }

  /** The waiting-room lines this edge reports (the latest call wins), read at scrape time (M3: no Redis call). */
  trackLines(read: () => { lines: LineFigures[]; watchers: number }): void {
    this.lines = read;
  }

  /** The admission controller whose queue and refusals this service reports (the latest one wins). */
  trackAdmission(admission: AdmissionFigures): void {
    this.admission = admission;
  }

  /** The label for a client-sent operation name (M2). */
  operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (this.operations.has(name)) return name;
    if (!OPERATION_NAME.test(name) || this.operations.size >= MAX_OPERATION_NAMES) return 'other';
    this.operations.add(name);
    return name;
  }

  /** Runs `read` before each scrape (at most once per SCRAPE_CACHE_MS); a failure is counted, not thrown. */
  onScrape(name: string, read: ScrapeReader): void {
    if (!this.enabled) return;
    let last = 0;
    let running: Promise<void> | undefined;
    this.readers.push(() => {
      if (Date.now() - last < SCRAPE_CACHE_MS) return running ?? Promise.resolve();
      last = Date.now();
      running = read().catch(() => this.scrapeErrors.inc({ reader: name }));
      return running;
    });
  }

  /** Notes that `productId` is on sale now (bounded, M2); its units left are read at scrape time. */
  noteSaleProduct(productId: string): void {
    if (!this.enabled) return;
    if (this.saleProducts.has(productId)) this.saleProducts.delete(productId);
    this.saleProducts.set(productId, Date.now());
    if (this.saleProducts.size > MAX_SALE_PRODUCTS) {
      const oldest = this.saleProducts.keys().next().value as string;
      this.saleProducts.delete(oldest);
      this.saleAvailable.remove({ product: oldest });
      this.saleHeld.remove({ product: oldest });
    }
  }

  get saleProductIds(): string[] {
    return [...this.saleProducts.keys()];
  }

  /** The Prometheus text exposition, after the scrape-time readers ran. */
  async exposition(): Promise<string> {
    await Promise.all(this.readers.map((r) => r()));
    return this.registry.metrics();
  }
}

const byService = new Map<string, ServiceMetrics>();

/** The registry of `service` (created on first use; one per service for the life of the process). */
export function serviceMetrics(service: string): ServiceMetrics {
  let m = byService.get(service);
  if (!m) {
    m = new ServiceMetrics(service);
    byService.set(service, m);
  }
  return m;
}

/** The registry of the service a logger belongs to (createLogger's `service` binding). */
export function metricsOf(logger: Logger): ServiceMetrics {
  const bindings = typeof logger.bindings === 'function' ? logger.bindings() : {};
  return serviceMetrics(String(bindings.service ?? 'unknown'));
}

/** Seconds since `startedNs` (from process.hrtime.bigint()). */
export const secondsSince = (startedNs: bigint): number => Number(process.hrtime.bigint() - startedNs) / 1e9;
