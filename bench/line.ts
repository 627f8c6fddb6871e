/**
 * `npm run bench -- line`: first come, first served at any crowd size (issue 21,
 * docs/WAITING-ROOM.md), measured on one stack in one invocation (docs/BENCHMARKS.md "Waiting room"):
 *
 *   crowd   `crowd` buyers arriving at `rate`/s for `stock` units on a sale with a waiting room
 *           (crowd.ts LineBuyer: join, held /turn, order with the ticket), then the same crowd on a
 *           plain sale, each buyer behaving like the storefront (StorefrontBuyer: placeOrder, retried
 *           after retryAfter with the same key until an order or SOLD_OUT). Side by side: fairness
 *           by arrival, time to a final answer, errors, busy answers, SOLD_OUT news, requests and
 *           CPU per buyer and per committed order, and the exact audit (audit.ts).
 *           With it, what the ratios need, measured in the same run: the floor (in-process Lua +
 *           SQL commit, in-process.ts, CPU of every process including the bench), a committed order
 *           where every buyer orders below capacity (`reference-orders` at `reference-rate`), and
 *           joining plus waiting alone (`join-only` buyers on a waiting-room sale that closes after
 *           the arrivals; nobody orders).
 *   burst   `burst-buyers` buyers pressing at the same instant on a plain sale of `burst-stock`
 *           units, `bursts` times on fresh products (fresh connections each time, no retries):
 *           orders, SOLD_OUT and busy answers per run.
 *
 * Over 300 lines: one scenario's phases and their CPU windows in one place; the buyers live in
 * crowd.ts, their statistics in crowd-stats.ts, the report in line-report.ts and the shapes both
 * share in line-types.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { createRedis } from '@flashsale/platform';
import { seedBuyers, SeededBuyer } from '../scripts/seed-buyers';
import { orderKeys, ReservationRecord } from '../subgraphs/order/src/services/reservation.service';
import { auditSale } from './audit';
import { Catalog } from './catalog';
import { cpuGroups, startCpuMeter } from './cpu';
import { BuyerRecord, CrowdClient, CrowdConnections, LineBuyer, launchCrowd, newRecord, newStats, openFileLimit, StorefrontBuyer } from './crowd';
import { fairness, finalKinds, finalTimes, numbering, outcomesOf, requestTotals, soldOutNews } from './crowd-stats';
import { BUSY_KINDS, classifyPlaceOrder, PLACE_ORDER, PlaceOrderData } from './flash-sale';
import { InProcessOrders } from './in-process';
import { closedLoop, GraphQLBody, GraphQLEndpoint, networkKind } from './load';
import { describeMachine } from './machine';
import { measureCores, waitUntilIdle } from './settle';
import { BenchStack } from './stack';
import { round, summarize } from './stats';
import { cpuMs, lineReport } from './line-report';
import type { BurstRun, Costs, Cpu, CrowdRun, LineOptions } from './line-types';
import { histogramBetween, scrapeHistogram } from './gateway-histogram';

const JOIN_HISTOGRAM = 'flashsale_waiting_room_join_duration_seconds';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The kernel's count of connections dropped because a listening socket's accept queue was full
 * (TcpExt ListenOverflows, the whole machine; null off Linux): a client whose connection was dropped
 * retries its SYN after 1 s, then 3 s, which reorders arrivals by seconds.
 */
function listenOverflows(): number | null {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
    const [names, values] = lines.map((l) => l.trim().split(/\s+/));
    const i = names.indexOf('ListenOverflows');
    return i > 0 ? Number(values[i]) : null;
  } catch {
    return null;
  }
}
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

export async function lineScenario(stack: BenchStack, opts: LineOptions): Promise<{ failed: boolean }> {
  const machine = await describeMachine(stack.config);
  const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const admin = new GraphQLEndpoint(stack.gatewayUrl, 4);
  const catalog = await Catalog.admin(stack, admin);
  const categoryId = await catalog.createCategory(`Bench line ${run}`);
  const products: string[] = [];
  const redis = createRedis(stack.config);
  const groups = cpuGroups(stack.pids());
  const nodePids = Object.values(stack.pids()).flatMap((p) => p ?? []);
  const doCrowd = opts.parts.includes('crowd');
  const doBurst = opts.parts.includes('burst');

  // Connections: every held turn request holds a socket in the bench and in the gateway.
  const fdLimit = openFileLimit();
  const lineConnections = Math.max(100, Math.min(opts.lineConnections, fdLimit - opts.orderConnections - 1000));
  if (lineConnections < opts.lineConnections) log(`open-file limit ${fdLimit}: joins and held turn requests capped at ${lineConnections} connections (the rest wait in the bench's queue)`);
  const connections: CrowdConnections = { line: lineConnections, orders: opts.orderConnections, perBuyer: opts.connectionModel === 'per-buyer' };

  const warmLine = doCrowd ? Math.ceil(opts.warmup / 3) : 0;
  const needed =
    opts.warmup + warmLine + (doCrowd ? (opts.lineOnly ? 1 : 2) * opts.crowd + opts.joinOnly + opts.referenceOrders : 0) + (doBurst ? opts.bursts * opts.burstBuyers : 0);
  log(`preparing ${needed} buyers with seed:buyers (fresh ones for every phase: each pays its token check once)…`);
  const t = Date.now();
  const pool: SeededBuyer[] = await seedBuyers(stack.config, { count: needed, ttlSeconds: 4 * 3600 });
  log(`  ${pool.length} buyers with access tokens in ${((Date.now() - t) / 1000).toFixed(1)}s`);
  let nextBuyer = 0;
  const take = (n: number) => pool.slice(nextBuyer, (nextBuyer += n));

  const settle = (idleCores: number) => waitUntilIdle(stack.config, { pids: nodePids, idleCores, maxMs: opts.settleMaxMs });

  /** A sale product opening `opensIn` s from now, with or without a waiting room. */
  const sale = async (name: string, stock: number, waitingRoom: boolean, closeAfterS?: number): Promise<{ productId: string; opensAt: Date }> => {
    const opensAt = new Date(Date.now() + opts.opensIn * 1000);
    const productId = await catalog.createSaleProduct({ categoryId, name: `${name} ${run}`, stock, opensAt, maxPerCustomer: 1 });
    if (waitingRoom || closeAfterS) {
      const closesAt = closeAfterS ? new Date(opensAt.getTime() + closeAfterS * 1000) : null;
      await catalog.scheduleSale(productId, { opensAt, closesAt, stock, maxPerCustomer: 1, waitingRoom });
    }
    products.push(productId);
    return { productId, opensAt };
  };

  /** Waits for the opening (measuring the idle baseline meanwhile), runs, meters until idle again. */
  const metered = async <T>(opensAt: Date, work: (startAt: number) => Promise<T>): Promise<{ value: T; cpu: Cpu; startAt: number }> => {
    const idleCores = await measureCores(nodePids, Math.max(300, opensAt.getTime() - Date.now() - 300));
    while (Date.now() < opensAt.getTime() + 20) await sleep(Math.max(1, Math.min(50, opensAt.getTime() + 20 - Date.now())));
    const startAt = performance.now();
    const overflowsBefore = listenOverflows();
    const stopTotal = startCpuMeter(groups);
    const stopDuring = startCpuMeter(groups);
    const value = await work(startAt);
    const during = stopDuring();
    const settled = await settle(idleCores);
    const total = stopTotal();
    const overflowsAfter = listenOverflows();
    const overflows = overflowsBefore === null || overflowsAfter === null ? null : overflowsAfter - overflowsBefore;
    return { value, startAt, cpu: { total, during, windowMs: performance.now() - startAt, idleCores, settle: settled, listenOverflows: overflows } };
  };

  // The gateway's own join histogram (arrival at the edge to answer), beside the generator's figure.
  const metricsUrl = new URL('/metrics', stack.gatewayUrl).href;

  /** The moment the product's last unit was reserved (Redis clock: deadline − hold), on the performance clock. */
  const lastUnitAt = async (productId: string): Promise<number | null> => {
    const records = Object.values(await redis.hgetall(orderKeys.reservations(productId))).map((raw) => JSON.parse(raw) as ReservationRecord);
    if (!records.length) return null;
    const reservedAt = Math.max(...records.map((r) => r.deadline)) - stack.config.RESERVATION_TTL_SECONDS * 1000;
    return reservedAt - performance.timeOrigin;
  };

  /** One crowd on one sale: every buyer's journey, CPU from the first arrival until idle, the audit. */
  const crowdRun = async (name: string, p: { buyers: number; rate: number; stock: number; waitingRoom: boolean; order?: boolean; closeAfterS?: number; audit?: boolean }): Promise<CrowdRun> => {
    const { productId, opensAt } = await sale(`Bench line ${name}`, p.stock, p.waitingRoom, p.closeAfterS);
    const buyers = take(p.buyers);
    const tag = `line-${run}-${name.replace(/\W+/g, '-')}`;
    log(`${name}: ${p.buyers} buyers at ${p.rate}/s for ${p.stock} units, ${p.waitingRoom ? 'waiting room' : 'no waiting room'}; opens at ${opensAt.toISOString()}`);
    // A plain crowd holds no turn requests: every socket of the budget may carry its orders.
    const client = new CrowdClient(stack.gatewayUrl, p.waitingRoom ? connections : { ...connections, line: 1, orders: connections.line + connections.orders });
    if (opts.warmConnections > 0 && !connections.perBuyer) {
      const warm = p.waitingRoom ? { line: Math.min(opts.warmConnections, connections.line), orders: Math.min(opts.warmConnections, connections.orders) } : { line: 0, orders: opts.warmConnections };
      await client.warm(warm);
      log(`  ${warm.line + warm.orders} connections opened before the opening`);
    }
    const records: BuyerRecord[] = [];
    const stats = newStats();
    const joinsBefore = p.waitingRoom ? await scrapeHistogram(metricsUrl, JOIN_HISTOGRAM) : null;
    const { cpu, startAt } = await metered(opensAt, (start) =>
      launchCrowd(p.buyers, p.rate, start, (i, dueAt) => {
        const rec = (records[i] = newRecord(dueAt));
        const buyer = buyers[i];
        if (p.waitingRoom) return new LineBuyer(rec, stats, client, { productId, buyers, rate: p.rate, startAt: start, tag, giveUpMs: opts.giveUpMs, order: p.order }, buyer, i).run();
        const body = JSON.stringify({ query: PLACE_ORDER, variables: { input: { items: [{ productId, quantity: 1 }], idempotencyKey: `${tag}-${i}` } } });
        return new StorefrontBuyer(rec, stats, client, body, buyer.accessToken, i, opts.giveUpMs).run();
      }),
    );
    await client.close();
    const gatewayJoinMs = p.waitingRoom ? histogramBetween(joinsBefore, await scrapeHistogram(metricsUrl, JOIN_HISTOGRAM)) : null;
    const lastUnit = await lastUnitAt(productId);
    const audit = p.audit === false ? null : await auditSale(stack.config, redis, productId, p.stock, outcomesOf(records), { refusedForStock: (o) => o.kind === 'SOLD_OUT' });
    const result: CrowdRun = {
      name,
      waitingRoom: p.waitingRoom,
      buyers: p.buyers,
      rate: p.rate,
      stock: p.stock,
      productId,
      records,
      stats,
      finals: finalKinds(records),
      fairness: fairness(records, p.stock),
      numbering: numbering(records, p.stock),
      times: finalTimes(records),
      soldOut: soldOutNews(records, lastUnit),
      lastUnitAfterMs: lastUnit === null ? null : lastUnit - startAt,
      joinLatencyMs: stats.joinLatencyMs.length ? summarize(stats.joinLatencyMs) : null,
      gatewayJoinMs,
      orderLatencyMs: stats.orderLatencyMs.length ? summarize(stats.orderLatencyMs) : null,
      sendLagMs: summarize(stats.sendLagMs),
      ownConnectionsPeak: connections.perBuyer ? client.peakOwn : null,
      requests: requestTotals(records),
      cpu,
      audit,
    };
    log(
      `  finals ${JSON.stringify(result.finals)}; orders to the first ${p.stock} arrivals: ${result.fairness.winnersAmongFirst}; ` +
        `time to final p99 ${round(result.times.latencyMs.p99 / 1000, 2)} s; untyped errors ${stats.untypedErrors}; busy joins ${result.requests.busyJoins}; ` +
        `CPU ${round(cpuMs(cpu.total) / p.buyers, 2)} ms per buyer; audit ${audit ? `oversold ${audit.oversold}, unsold ${audit.unsoldWhileDemand}, disagreements ${audit.disagreements}` : 'not run'}`,
    );
    return result;
  };

  const crowds: CrowdRun[] = [];
  const bursts: BurstRun[] = [];
  let costs: Costs | null = null;
  try {
    if (opts.warmup > 0) {
      log(`warm-up (not measured): ${opts.warmup} storefront buyers${warmLine ? ` and ${warmLine} waiting-room buyers` : ''} at 500/s`);
      await crowdRun('warm-up plain', { buyers: opts.warmup, rate: 500, stock: Math.ceil(opts.warmup / 2), waitingRoom: false, audit: false });
      if (warmLine) await crowdRun('warm-up line', { buyers: warmLine, rate: 500, stock: Math.ceil(warmLine / 5), waitingRoom: true, audit: false });
    }

    if (doBurst) {
      for (let r = 1; r <= opts.bursts; r++) bursts.push(await burstRun(r));
    }

    if (doCrowd) {
      const floor = await floorRun();
      const reference = opts.referenceOrders > 0 ? await crowdRun('reference orders', { buyers: opts.referenceOrders, rate: opts.referenceRate, stock: opts.referenceOrders, waitingRoom: false }) : null;
      const joinOnly =
        opts.joinOnly > 0
          ? await crowdRun('join only', { buyers: opts.joinOnly, rate: opts.rate, stock: opts.stock, waitingRoom: true, order: false, closeAfterS: opts.joinOnly / opts.rate + 2, audit: false })
          : null;
      costs = { floorMsPerOrder: cpuMs(floor.total, true) / floor.orders, floor, reference, joinOnly };
      crowds.push(await crowdRun('waiting room', { buyers: opts.crowd, rate: opts.rate, stock: opts.stock, waitingRoom: true }));
      if (!opts.lineOnly) crowds.push(await crowdRun('no waiting room', { buyers: opts.crowd, rate: opts.rate, stock: opts.stock, waitingRoom: false }));
    }
  } finally {
    await redis.quit().catch(() => redis.disconnect());
    if (stack.reused) await Promise.all(products.map((id) => catalog.deactivate(id).catch(() => undefined)));
    await admin.close();
  }

  return lineReport({ machine, stack, opts, crowds, bursts, costs, connections, fdLimit });

  /** The design's floor: the reservation script and the commit in a bare loop in this process. */
  async function floorRun(): Promise<Cpu & { orders: number }> {
    const orders = await InProcessOrders.open(stack);
    try {
      // Warm first (JIT, the bench's own ORM and pools), as the flash-sale scenario's floor variant.
      const warm = Math.min(500, opts.floorOrders);
      const warmId = await catalog.createSaleProduct({ categoryId, name: `Bench line floor warm-up ${run}`, stock: warm, opensAt: new Date(Date.now() - 1000), maxPerCustomer: 1 });
      products.push(warmId);
      await closedLoop(warm, 20, (i) => orders.floor(randomUUID(), `floor-warm-${run}-${i}`, [{ productId: warmId, quantity: 1 }]));
      const { productId, opensAt } = await sale('Bench line floor', opts.floorOrders, false);
      log(`floor: ${opts.floorOrders} in-process orders (Lua reservation + SQL commit), 20 at a time, after ${warm} unmeasured`);
      const lines = [{ productId, quantity: 1 }];
      const { value, cpu } = await metered(opensAt, () => closedLoop(opts.floorOrders, 20, (i) => orders.floor(randomUUID(), `floor-${run}-${i}`, lines)));
      const placed = value.outcomes.filter((o) => o.kind === 'ORDER').length;
      log(`  ${placed} orders; ${round(cpuMs(cpu.total, true) / Math.max(1, placed), 2)} ms of CPU per order, every process including the bench`);
      return { ...cpu, orders: Math.max(1, placed) };
    } finally {
      await orders.close();
    }
  }

  /** `burstBuyers` placeOrder requests at the same instant, fresh connections, no retries. */
  async function burstRun(r: number): Promise<BurstRun> {
    const { productId, opensAt } = await sale(`Bench line burst ${r}`, opts.burstStock, false);
    const buyers = take(opts.burstBuyers);
    const url = new URL(stack.gatewayUrl);
    const burstPool = new Pool(url.origin, { connections: opts.burstBuyers, pipelining: 1, headersTimeout: 60_000, bodyTimeout: 60_000 });
    const bodies = buyers.map((_, i) => JSON.stringify({ query: PLACE_ORDER, variables: { input: { items: [{ productId, quantity: 1 }], idempotencyKey: `burst-${run}-${r}-${i}` } } }));
    const idleCores = await measureCores(nodePids, Math.max(300, opensAt.getTime() - Date.now() - 300));
    while (Date.now() < opensAt.getTime() + 20) await sleep(Math.max(1, Math.min(50, opensAt.getTime() + 20 - Date.now())));
    const overflowsBefore = listenOverflows();
    const t0 = performance.now();
    const answers = await Promise.all(
      buyers.map(async (b, i) => {
        try {
          const res = await burstPool.request({ path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${b.accessToken}` }, body: bodies[i] });
          const text = await res.body.text();
          let json: GraphQLBody<PlaceOrderData> | null = null;
          try {
            json = JSON.parse(text) as GraphQLBody<PlaceOrderData>;
          } catch {
            /* classified by status */
          }
          return { answer: classifyPlaceOrder(res.statusCode, res.headers['retry-after'], json), ms: performance.now() - t0 };
        } catch (err) {
          return { answer: { outcome: { kind: networkKind(err), error: true } }, ms: performance.now() - t0 };
        }
      }),
    );
    const overflowsAfter = listenOverflows();
    await burstPool.close().catch(() => undefined);
    const outcomes = answers.map((a) => a.answer.outcome);
    const other: Record<string, number> = {};
    for (const o of outcomes) if (o.kind !== 'ORDER' && o.kind !== 'SOLD_OUT' && !BUSY_KINDS.has(o.kind)) other[o.kind] = (other[o.kind] ?? 0) + 1;
    const audit = await auditSale(stack.config, redis, productId, opts.burstStock, outcomes, { refusedForStock: (o) => o.kind === 'SOLD_OUT' });
    const result: BurstRun = {
      run: r,
      orders: outcomes.filter((o) => o.kind === 'ORDER').length,
      soldOut: outcomes.filter((o) => o.kind === 'SOLD_OUT').length,
      busy: answers.filter((a) => a.answer.busy).length,
      other,
      latencyMs: summarize(answers.map((a) => a.ms)),
      listenOverflows: overflowsBefore === null || overflowsAfter === null ? null : overflowsAfter - overflowsBefore,
      audit,
    };
    log(`burst ${r}/${opts.bursts}: ${result.orders} orders, ${result.soldOut} sold out, ${result.busy} busy${Object.keys(other).length ? `, other ${JSON.stringify(other)}` : ''}; p99 ${round(result.latencyMs.p99)} ms`);
    await settle(idleCores);
    return result;
  }
}
