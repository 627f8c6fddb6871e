/**
 * `npm run bench -- open`: buyers arriving at a constant rate (the open model), each request a
 * different buyer, through the gateway; see arrivals.ts for the generator and docs/BENCHMARKS.md
 * ("Open model") for what every number means.
 *
 * For each scenario and each rate: a fresh product and fresh buyers (seeded in bulk up front),
 * the product's sale opens, `rate × duration` placeOrder requests are fired at fixed intervals
 * from the opening, the CPU meter runs from the opening until the system is idle again
 * (settle.ts: outbox drained, events consumed, Node processes back to idle CPU), then the exact
 * audit (audit.ts) with the open model's rule: only buyers refused for stock (SOLD_OUT) make
 * unsold units a failure; buyers told busy were told to come back, not that the stock was gone.
 *   flash    stock = stockRatio × requests (10 %): the seed's headline
 *   big      stock = requests: every answer should be an order (CPU per committed order)
 *   soldout  stock 0 at the opening: every answer should be SOLD_OUT (CPU per refusal)
 *
 * Over 300 lines: one scenario runner with its own report (CPU per process, latency, audit);
 * the generator, settling and the SVG curve already live in their own files.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { createRedis } from '@flashsale/platform';
import { seedBuyers, SeededBuyer } from '../scripts/seed-buyers';
import { Answer, ArrivalResult, NOT_SENT, openLoop } from './arrivals';
import { Audit, auditFailed, auditSale } from './audit';
import { Catalog } from './catalog';
import { cpuGroups, CpuSample, startCpuMeter, systemCpuColumns } from './cpu';
import { BUSY_KINDS, classifyPlaceOrder, PLACE_ORDER, PlaceOrderData } from './flash-sale';
import { closedLoop, GraphQLBody, GraphQLEndpoint, Outcome } from './load';
import { describeMachine, Machine, machineLine } from './machine';
import { measureCores, SettleResult, waitUntilIdle } from './settle';
import { BenchStack, OUT_DIR, ROOT } from './stack';
import { kinds, LatencySummary, markdownTable, round, summarize, table } from './stats';
import { curveSvg, CurvePoint } from './svg';

export const SCENARIOS = ['flash', 'big', 'soldout'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface OpenOptions {
  scenarios: Scenario[];
  rates: number[];
  durationS: number;
  /** Most requests in flight (k6's maxVUs). */
  maxInFlight: number;
  /** A request not sent within this many ms of its scheduled time (cap reached) is not sent. */
  graceMs: number;
  /** Per-request timeout (headers and body), ms; a timed-out request is a network error. */
  timeoutMs: number;
  /** flash: stock as a share of the requests. */
  stockRatio: number;
  /** Retries of a busy answer per buyer with the same idempotency key (0: off). */
  retries: number;
  /** Unmeasured requests before the first measured rate (closed loop, own product and buyers). */
  warmup: number;
  opensIn: number;
  /** Bound on waiting for the system to be idle after the last answer, ms. */
  settleMaxMs: number;
  /** Copy the curve SVG(s) to docs/img/. */
  writeDocs: boolean;
}

export type Category = 'order' | 'soldOut' | 'refused' | 'busy' | 'error' | 'network' | 'notSent';
export const CATEGORY_LABELS: Record<Category, string> = {
  order: 'orders',
  soldOut: 'sold out',
  refused: 'other refusals',
  busy: 'told busy',
  error: 'errors',
  network: 'network errors',
  notSent: 'not sent on time',
};

export function categoryOf(o: Outcome): Category {
  if (o.kind === 'ORDER') return 'order';
  if (o.kind === 'SOLD_OUT') return 'soldOut';
  if (o.kind === NOT_SENT) return 'notSent';
  if (BUSY_KINDS.has(o.kind)) return 'busy';
  if (o.kind.startsWith('NETWORK_')) return 'network';
  return o.error ? 'error' : 'refused';
}

export interface RunResult {
  scenario: Scenario;
  rate: number;
  requests: number;
  stock: number;
  productId: string;
  load: Omit<ArrivalResult, 'attempts' | 'finals' | 'buyerLatencyMs'>;
  sendRate: number;
  latencyMs: LatencySummary;
  answerLatencyMs: LatencySummary;
  busyLatencyMs: LatencySummary | null;
  /** First scheduled time → final answer, per buyer, when retries are on. */
  buyerLatencyMs: LatencySummary | null;
  sendLagMs: LatencySummary;
  /** Buyers by their final outcome. */
  finals: Record<Category, number>;
  /** Attempts by outcome (equal to finals' sent part when there are no retries). */
  attempts: Record<Category, number>;
  kinds: Record<string, number>;
  committed: number;
  ordersPerSecond: number;
  answersPerSecond: number;
  busyPerSecond: number;
  cpu: { unit: string; units: number; windowMs: number; tailMs: number; idleCores: number; during: CpuSample; total: CpuSample; settle: SettleResult };
  audit: Audit;
  /** Units left unsold while the only buyers turned away were told busy, got errors or were not sent (not an audit failure). */
  unsoldWhileOnlyBusy: number;
}

const emptyCounts = (): Record<Category, number> => ({ order: 0, soldOut: 0, refused: 0, busy: 0, error: 0, network: 0, notSent: 0 });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function openModel(stack: BenchStack, opts: OpenOptions, log: (msg: string) => void): Promise<{ failed: boolean; results: RunResult[] }> {
  const machine = await describeMachine(stack.config);
  const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const admin = new GraphQLEndpoint(stack.gatewayUrl, 4);
  const catalog = await Catalog.admin(stack, admin);
  const categoryId = await catalog.createCategory(`Bench open ${run}`);
  const products: string[] = [];
  const plan = opts.scenarios.flatMap((scenario) => opts.rates.map((rate) => ({ scenario, rate, requests: Math.max(1, Math.round(rate * opts.durationS)) })));
  const needed = opts.warmup + plan.reduce((s, p) => s + p.requests, 0);

  log(`preparing ${needed} buyers with seed:buyers (${opts.warmup} for the warm-up, then fresh ones for every rate)…`);
  const t = Date.now();
  const buyers: SeededBuyer[] = await seedBuyers(stack.config, { count: needed, ttlSeconds: 4 * 3600 });
  log(`  ${buyers.length} buyers with access tokens in ${((Date.now() - t) / 1000).toFixed(1)}s`);

  const url = new URL(stack.gatewayUrl);
  const pool = new Pool(url.origin, { connections: opts.maxInFlight, pipelining: 1, keepAliveTimeout: 10_000, headersTimeout: opts.timeoutMs, bodyTimeout: opts.timeoutMs });
  const auditRedis = createRedis(stack.config);
  const groups = cpuGroups(stack.pids());
  const nodePids = Object.values(stack.pids()).flatMap((p) => p ?? []);

  /** Pre-serialized request bodies and headers: the generator only hands buffers to undici. */
  const prepare = (productId: string, from: number, count: number, tag: string) => {
    const items = [{ productId, quantity: 1 }];
    const bodies = Array.from({ length: count }, (_, i) => Buffer.from(JSON.stringify({ query: PLACE_ORDER, variables: { input: { items, idempotencyKey: `open-${run}-${tag}-${i}` } } })));
    const headers = Array.from({ length: count }, (_, i) => ({ 'content-type': 'application/json', authorization: `Bearer ${buyers[from + i].accessToken}` }));
    return async (i: number): Promise<Answer> => {
      const res = await pool.request({ path: url.pathname, method: 'POST', headers: headers[i], body: bodies[i] });
      const text = await res.body.text();
      let json: GraphQLBody<PlaceOrderData> | null = null;
      try {
        json = JSON.parse(text) as GraphQLBody<PlaceOrderData>;
      } catch {
        /* not JSON: classified by status */
      }
      return classifyPlaceOrder(res.statusCode, res.headers['retry-after'], json);
    };
  };

  const settle = (idleCores: number) => waitUntilIdle(stack.config, { pids: nodePids, idleCores, maxMs: opts.settleMaxMs });

  const results: RunResult[] = [];
  try {
    let next = 0;
    if (opts.warmup > 0) {
      log(`warm-up: ${opts.warmup} requests (closed loop, 20 in flight) on a product of their own…`);
      const warmId = await catalog.createSaleProduct({ categoryId, name: `Bench open warm-up ${run}`, stock: Math.ceil(opts.warmup / 2), opensAt: new Date(Date.now() - 1000), maxPerCustomer: 1 });
      products.push(warmId);
      const fire = prepare(warmId, next, opts.warmup, 'warm');
      await closedLoop(opts.warmup, 20, async (i) => (await fire(i)).outcome);
      next += opts.warmup;
      const s = await settle(await measureCores(nodePids, 500));
      log(`  warm-up done; the system was idle again after ${round(s.waitedMs / 1000, 1)}s${s.settled ? '' : ' (not settled within the bound)'}`);
    }

    for (const { scenario, rate, requests } of plan) {
      const stock = scenario === 'big' ? requests : scenario === 'soldout' ? 0 : Math.max(1, Math.round(requests * opts.stockRatio));
      const opensAt = new Date(Date.now() + opts.opensIn * 1000);
      const productId = await catalog.createSaleProduct({ categoryId, name: `Bench open ${scenario} ${rate}/s ${run}`, stock, opensAt, maxPerCustomer: 1 });
      products.push(productId);
      const from = next;
      next += requests;
      const fire = prepare(productId, from, requests, `${scenario}-${rate}`);
      log(
        `${scenario} at ${rate}/s for ${opts.durationS}s: ${requests} buyers, ${stock} units, at most ${opts.maxInFlight} in flight` +
          `${opts.retries ? `, busy answers retried up to ${opts.retries}×` : ''}; sale opens at ${opensAt.toISOString()}`,
      );
      // The idle baseline of the stack's Node processes, measured while waiting for the opening.
      const idleCores = await measureCores(nodePids, Math.max(300, opensAt.getTime() - Date.now() - 300));
      // Arrival 0 is due 20 ms after the opening (the servers' clock is this machine's clock).
      while (Date.now() < opensAt.getTime() + 20) await sleep(Math.max(1, Math.min(50, opensAt.getTime() + 20 - Date.now())));
      const startAt = performance.now();
      const stopDuring = startCpuMeter(groups);
      const stopTotal = startCpuMeter(groups);
      const load = await openLoop({ rate, requests, maxInFlight: opts.maxInFlight, graceMs: opts.graceMs, maxRetries: opts.retries, fire: (i) => fire(i), startAt });
      const during = stopDuring();
      const settled = await settle(idleCores);
      const total = stopTotal();
      const windowMs = performance.now() - startAt;
      const audit = await auditSale(stack.config, auditRedis, productId, stock, load.finals, { refusedForStock: (o) => o.kind === 'SOLD_OUT' });
      const result = summarizeRun({ scenario, rate, requests, stock, productId, load, audit, idleCores, during, total, windowMs, settled });
      results.push(result);
      log(
        `  sent ${round(result.sendRate, 0)}/s; p50 ${round(result.latencyMs.p50)} ms, p99 ${round(result.latencyMs.p99)} ms; ` +
          `${kinds(Object.fromEntries(Object.entries(result.finals).filter(([, n]) => n > 0)))}; ` +
          `${round(result.ordersPerSecond, 0)} orders/s; CPU ${fmtCpu(result)}; ` +
          `audit: oversold ${audit.oversold}, unsold ${audit.unsoldWhileDemand}, disagreements ${audit.disagreements}; ` +
          `idle again ${round(settled.waitedMs / 1000, 1)}s after the last answer${settled.settled ? '' : ' (NOT settled: bound reached)'}`,
      );
    }
  } finally {
    await auditRedis.quit().catch(() => auditRedis.disconnect());
    if (stack.reused) await Promise.all(products.map((id) => catalog.deactivate(id).catch(() => undefined)));
    await pool.close().catch(() => undefined);
    await admin.close();
  }

  const failed = results.some((r) => auditFailed(r.audit));
  report(machine, stack, opts, results, failed);
  return { failed, results };
}

function fmtCpu(r: RunResult): string {
  const c = systemCpuColumns(r.cpu.total, r.cpu.units, r.cpu.windowMs);
  return `${r.cpu.units > 0 ? (c.totalMs / r.cpu.units).toFixed(2) : '–'} ms per ${r.cpu.unit} (all processes but the bench)`;
}

function summarizeRun(x: {
  scenario: Scenario;
  rate: number;
  requests: number;
  stock: number;
  productId: string;
  load: ArrivalResult;
  audit: Audit;
  idleCores: number;
  during: CpuSample;
  total: CpuSample;
  windowMs: number;
  settled: SettleResult;
}): RunResult {
  const { load, audit } = x;
  const finals = emptyCounts();
  for (const o of load.finals) finals[categoryOf(o)]++;
  const attempts = emptyCounts();
  const kindCounts: Record<string, number> = {};
  for (const a of load.attempts) {
    attempts[categoryOf({ kind: a.kind, error: a.error })]++;
    kindCounts[a.kind] = (kindCounts[a.kind] ?? 0) + 1;
  }
  attempts.notSent = load.notSent + load.retriesNotSent;
  if (load.notSent) kindCounts[NOT_SENT] = load.notSent;
  const pick = (pred: (c: Category) => boolean) => load.attempts.filter((a) => pred(categoryOf({ kind: a.kind, error: a.error }))).map((a) => a.latencyMs);
  const busy = pick((c) => c === 'busy');
  const seconds = Math.max(load.durationMs, 1) / 1000;
  const answers = attempts.order + attempts.soldOut + attempts.refused;
  const unit = x.scenario === 'big' ? 'committed order' : x.scenario === 'soldout' ? 'SOLD_OUT answer' : 'request sent';
  const units = x.scenario === 'big' ? audit.ordersInDb : x.scenario === 'soldout' ? attempts.soldOut : load.sent + load.retriesSent;
  const turnedAwayNotForStock = finals.busy + finals.error + finals.network + finals.notSent;
  return {
    scenario: x.scenario,
    rate: x.rate,
    requests: x.requests,
    stock: x.stock,
    productId: x.productId,
    load: {
      rate: load.rate,
      requests: load.requests,
      sent: load.sent,
      notSent: load.notSent,
      retriesSent: load.retriesSent,
      retriesNotSent: load.retriesNotSent,
      sendSpanMs: load.sendSpanMs,
      durationMs: load.durationMs,
      peakInFlight: load.peakInFlight,
    },
    sendRate: load.sent / (load.sendSpanMs / 1000 + 1 / x.rate),
    latencyMs: summarize(load.attempts.map((a) => a.latencyMs)),
    answerLatencyMs: summarize(pick((c) => c === 'order' || c === 'soldOut' || c === 'refused')),
    busyLatencyMs: busy.length ? summarize(busy) : null,
    buyerLatencyMs: load.retriesSent ? summarize(Array.from(load.buyerLatencyMs).filter((v) => !Number.isNaN(v))) : null,
    sendLagMs: summarize(load.attempts.map((a) => a.sendLagMs)),
    finals,
    attempts,
    kinds: kindCounts,
    committed: audit.ordersInDb,
    ordersPerSecond: audit.ordersInDb / seconds,
    answersPerSecond: answers / seconds,
    busyPerSecond: attempts.busy / seconds,
    cpu: { unit, units, windowMs: x.windowMs, tailMs: x.windowMs - load.durationMs, idleCores: x.idleCores, during: x.during, total: x.total, settle: x.settled },
    audit,
    unsoldWhileOnlyBusy: audit.unsoldWhileDemand === 0 && turnedAwayNotForStock > 0 ? Math.max(0, audit.stock - audit.soldUnits) : 0,
  };
}

const ms = (v: number | undefined) => (v === undefined ? '–' : String(round(v)));

function report(machine: Machine, stack: BenchStack, opts: OpenOptions, results: RunResult[], failed: boolean): void {
  const name = (r: RunResult) => `${r.scenario} ${r.rate}/s`;
  const withRetries = opts.retries > 0;
  const latHeader = [
    'run',
    'offered/s',
    'sent/s',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'max ms',
    'answers p99',
    'busy p50',
    'busy p99',
    ...(withRetries ? ['buyer p99 (retries incl.)'] : []),
    'send lag p99',
    'peak in flight',
    'orders/s',
    'answers/s',
  ];
  const latRows = results.map((r) => [
    name(r),
    r.rate,
    round(r.sendRate, 0),
    ms(r.latencyMs.p50),
    ms(r.latencyMs.p95),
    ms(r.latencyMs.p99),
    ms(r.latencyMs.max),
    ms(r.answerLatencyMs.p99),
    ms(r.busyLatencyMs?.p50),
    ms(r.busyLatencyMs?.p99),
    ...(withRetries ? [ms(r.buyerLatencyMs?.p99 ?? r.latencyMs.p99)] : []),
    ms(r.sendLagMs.p99),
    r.load.peakInFlight,
    round(r.ordersPerSecond, 1),
    round(r.answersPerSecond, 1),
  ]);
  const cats = Object.keys(CATEGORY_LABELS) as Category[];
  const outHeader = ['run', 'buyers', 'stock', ...cats.map((c) => CATEGORY_LABELS[c]), 'retries', 'oversold', 'unsold (refused)', 'unsold (busy only)', 'disagree'];
  const outRows = results.map((r) => [
    name(r),
    r.requests,
    r.stock,
    ...cats.map((c) => r.finals[c]),
    r.load.retriesSent,
    r.audit.oversold,
    r.audit.unsoldWhileDemand,
    r.unsoldWhileOnlyBusy,
    r.audit.disagreements,
  ]);
  const cpuNames = systemCpuColumns(results[0].cpu.total, 1, 1).header;
  const cpuHeader = ['CPU ms per unit', 'unit', ...cpuNames, 'window s', 'tail s'];
  const cpuRows = results.map((r) => [
    name(r),
    `${r.cpu.unit} (${r.cpu.units})`,
    ...systemCpuColumns(r.cpu.total, r.cpu.units, r.cpu.windowMs).cells,
    round(r.cpu.windowMs / 1000, 1),
    `${round(r.cpu.tailMs / 1000, 1)}${r.cpu.settle.settled ? '' : '!'}`,
  ]);
  const kindLines = results.map((r) => `  ${name(r)}: ${kinds(r.kinds)}`);
  const auditLines = results.map(
    (r) =>
      `  ${name(r)}: stock ${r.audit.stock}, sold ${r.audit.soldUnits} in ${r.audit.ordersInDb} orders, available ${r.audit.available}, ` +
      `bought ${r.audit.boughtUnits}, reservations ${r.audit.reservationRecords}; ${JSON.stringify(r.audit.detail)}`,
  );
  const retryLine = opts.retries
    ? `retries: a buyer told busy retried after retryAfter with the same idempotency key, at most ${opts.retries}×; outcomes are each buyer's final one, latency percentiles are per attempt`
    : 'retries: off (a buyer told busy is counted as told busy)';
  const title =
    `open model: ${opts.scenarios.join(', ')} at ${opts.rates.join(', ')} placeOrder/s for ${opts.durationS}s each, one buyer per request, ` +
    `at most ${opts.maxInFlight} in flight (grace ${opts.graceMs} ms), timeout ${opts.timeoutMs / 1000}s; ` +
    `${stack.reused ? 'reused stack' : `own stack (NODE_ENV=production, LOG_LEVEL=warn, ORDER_LOCK_SCOPE ${stack.config.ORDER_LOCK_SCOPE})`}`;
  const unsettled = results.filter((r) => !r.cpu.settle.settled);
  const perUnit = (r: RunResult) => (r.cpu.units > 0 ? systemCpuColumns(r.cpu.total, r.cpu.units, r.cpu.windowMs).totalMs / r.cpu.units : null);
  const headline = (scenario: Scenario, what: string) =>
    results
      .filter((r) => r.scenario === scenario && perUnit(r) !== null)
      .map((r) => `${what} at ${r.rate}/s offered: ${perUnit(r)!.toFixed(2)} ms (all processes but the bench; ${r.busyPerSecond > 0 ? 'busy answers included' : 'no busy answers'})`);
  const cpuHeadlines = [...headline('big', 'CPU per committed order'), ...headline('soldout', 'CPU per SOLD_OUT answer')];
  const notes = [
    ...cpuHeadlines,
    retryLine,
    'latency: scheduled send time → whole response, every attempt sent (answers, busy, errors); "answers" = orders and typed refusals; not-sent requests have none',
    'CPU: from the first scheduled arrival until the system was idle again (tail s after the last answer); total excludes the bench (load generator)',
    ...(unsettled.length ? [`! not idle within ${opts.settleMaxMs / 1000}s (outbox or events still pending, or CPU busy): ${unsettled.map(name).join(', ')}`] : []),
  ];

  const text = [
    '',
    title,
    `machine: ${machineLine(machine)}`,
    '',
    table(latHeader, latRows),
    '',
    'buyers by final outcome, and the audit:',
    table(outHeader, outRows),
    '',
    table(cpuHeader, cpuRows),
    '',
    ...notes,
    'outcomes by kind (every attempt):',
    ...kindLines,
    'audit:',
    ...auditLines,
    failed
      ? 'AUDIT FAILED: oversold, unsold while buyers were refused for stock, and disagreements (incl. double purchases) must all be zero.'
      : 'audit passed: nothing oversold, nothing unsold while a buyer was told SOLD_OUT, no double purchase, MySQL and Redis agree.',
    '',
  ].join('\n');
  process.stdout.write(text);

  const at = new Date().toISOString();
  const stamp = at.replace(/[:.]/g, '-');
  const svgs: string[] = [];
  for (const scenario of opts.scenarios) {
    const rs = results.filter((r) => r.scenario === scenario);
    if (rs.length < 2) continue;
    const points: CurvePoint[] = rs.map((r) => ({
      offered: r.rate,
      p50: r.latencyMs.p50,
      p99: r.latencyMs.p99,
      ordersPerSecond: r.ordersPerSecond,
      answersPerSecond: r.answersPerSecond,
      busyPerSecond: r.busyPerSecond,
    }));
    const svg = curveSvg(points, {
      title: `placeOrder, open model (${scenario}): latency and committed orders vs offered load`,
      subtitle: `${opts.durationS}s per rate, one buyer per request, at most ${opts.maxInFlight} in flight${opts.retries ? `, busy retried ≤${opts.retries}×` : ''}; lock scope ${stack.reused ? '?' : stack.config.ORDER_LOCK_SCOPE}\ncode ${machine.code}; ${machine.cpus} cores, load generator on the same machine; ${at.slice(0, 16).replace('T', ' ')} UTC`,
      latencyMarks: [
        { ms: 100, label: '100 ms' },
        { ms: 1000, label: '1 s' },
      ],
    });
    const file = resolve(OUT_DIR, `open-${scenario}-${stamp}.svg`);
    writeFileSync(file, svg);
    svgs.push(file);
    if (opts.writeDocs) {
      const dir = resolve(ROOT, 'docs/img');
      mkdirSync(dir, { recursive: true });
      copyFileSync(file, resolve(dir, `open-${scenario}-curve.svg`));
    }
  }
  if (svgs.length) process.stdout.write(`curve${svgs.length > 1 ? 's' : ''}: ${svgs.join(', ')}${opts.writeDocs ? ' (copied to docs/img/)' : ''}\n`);

  const r2 = (v: number) => round(v, 2);
  const lat = (l: LatencySummary | null) => (l ? Object.fromEntries(Object.entries(l).map(([k, v]) => [k, r2(v)])) : null);
  const json = {
    scenario: 'open',
    at,
    machine,
    options: opts,
    reusedStack: stack.reused,
    orderLockScope: stack.reused ? null : stack.config.ORDER_LOCK_SCOPE,
    runs: results.map((r) => ({
      scenario: r.scenario,
      offeredRate: r.rate,
      requests: r.requests,
      stock: r.stock,
      sendRate: round(r.sendRate, 1),
      load: { ...r.load, sendSpanMs: round(r.load.sendSpanMs), durationMs: round(r.load.durationMs) },
      latencyMs: lat(r.latencyMs),
      answerLatencyMs: lat(r.answerLatencyMs),
      busyLatencyMs: lat(r.busyLatencyMs),
      buyerLatencyMs: lat(r.buyerLatencyMs),
      sendLagMs: lat(r.sendLagMs),
      finals: r.finals,
      attempts: r.attempts,
      kinds: r.kinds,
      committedOrders: r.committed,
      ordersPerSecond: round(r.ordersPerSecond, 1),
      answersPerSecond: round(r.answersPerSecond, 1),
      busyPerSecond: round(r.busyPerSecond, 1),
      cpu: {
        unit: r.cpu.unit,
        units: r.cpu.units,
        windowMs: round(r.cpu.windowMs),
        tailMs: round(r.cpu.tailMs),
        settled: r.cpu.settle.settled,
        idleCoresBefore: round(r.cpu.idleCores, 3),
        msPerUnit: Object.fromEntries(Object.entries(r.cpu.total).filter(([k]) => k !== 'elsewhere').map(([k, v]) => [k, r.cpu.units ? round(v / r.cpu.units, 3) : null])),
        coresElsewhere: r.cpu.total.elsewhere === undefined ? null : round(r.cpu.total.elsewhere / r.cpu.windowMs, 2),
        totalMsPerUnitWithoutBench: r.cpu.units ? round(systemCpuColumns(r.cpu.total, r.cpu.units, r.cpu.windowMs).totalMs / r.cpu.units, 3) : null,
        msDuringRequests: Object.fromEntries(Object.entries(r.cpu.during).map(([k, v]) => [k, round(v)])),
        msTotal: Object.fromEntries(Object.entries(r.cpu.total).map(([k, v]) => [k, round(v)])),
      },
      oversold: r.audit.oversold,
      unsoldWhileRefused: r.audit.unsoldWhileDemand,
      unsoldWhileOnlyBusy: r.unsoldWhileOnlyBusy,
      disagreements: r.audit.disagreements,
      audit: r.audit,
    })),
    cpuPerCommittedOrderMs: Object.fromEntries(results.filter((r) => r.scenario === 'big').map((r) => [r.rate, perUnit(r) === null ? null : round(perUnit(r)!, 3)])),
    cpuPerRefusalMs: Object.fromEntries(results.filter((r) => r.scenario === 'soldout').map((r) => [r.rate, perUnit(r) === null ? null : round(perUnit(r)!, 3)])),
    svgs,
    failed,
  };
  const md = [
    `**${title}**`,
    '',
    `Machine: ${machineLine(machine)}`,
    '',
    markdownTable(latHeader, latRows),
    '',
    markdownTable(outHeader, outRows),
    '',
    markdownTable(cpuHeader, cpuRows),
    '',
    ...notes.map((l) => `- ${l}`),
    '',
    'Outcomes by kind (every attempt):',
    ...kindLines.map((l) => `- ${l.trim()}`),
    '',
  ].join('\n');
  writeFileSync(resolve(OUT_DIR, `open-${stamp}.json`), JSON.stringify(json, null, 2));
  writeFileSync(resolve(OUT_DIR, `open-${stamp}.md`), md);
  process.stdout.write(`${JSON.stringify(json)}\n`);
}
