/**
 * `npm run bench -- flash-sale`: one hot product, `buyers` buyers pressing buy at the opening.
 *
 * For each variant: warm up on a product of its own (not measured), create a fresh product whose
 * sale opens `opensIn` seconds later, wait for the opening, fire every buyer's placeOrder (one
 * unit each) at `concurrency` requests in flight, then audit MySQL and Redis (audit.ts).
 *   gateway       the main figure: through the gateway, the order subgraph's default lock scope
 *   product-lock  (a) the same with the order subgraph restarted with ORDER_LOCK_SCOPE=product
 *   direct        (b) straight to the order subgraph with gateway-signed identity headers
 *   service       OrderService.placeOrder in-process (no HTTP, no GraphQL)
 *   floor         (c) the Lua reservation + the SQL commit in a bare loop (in-process.ts)
 * Only the audit decides the exit code; the clock never does.
 *
 * Over 300 lines: the closed-loop scenario, its variants and its report in one place, as open.ts.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRedis, signIdentityHeaders } from '@flashsale/platform';
import { seedBuyers, SeededBuyer } from '../scripts/seed-buyers';
import { Audit, auditFailed, auditSale } from './audit';
import { Catalog } from './catalog';
import { InProcessOrders } from './in-process';
import { cpuColumns, cpuGroups, CpuSample, startCpuMeter } from './cpu';
import { Answer } from './arrivals';
import { closedLoop, GraphQLBody, GraphQLEndpoint, LoadResult, Outcome } from './load';
import { describeMachine, Machine, machineLine } from './machine';
import { BenchStack, OUT_DIR } from './stack';
import { kinds, LatencySummary, markdownTable, round, summarize, table } from './stats';

export const VARIANTS = ['gateway', 'product-lock', 'direct', 'service', 'floor'] as const;
export type VariantName = (typeof VARIANTS)[number];

const LABELS: Record<VariantName, string> = {
  gateway: 'gateway (main)',
  'product-lock': '(a) gateway, lock per product',
  direct: '(b) order subgraph direct',
  service: 'OrderService in-process',
  floor: '(c) floor: Lua + SQL commit',
};

export interface FlashSaleOptions {
  buyers: number;
  stock: number;
  concurrency: number;
  /** Seconds between creating a variant's product and its sale opening. */
  opensIn: number;
  /** Unmeasured requests per variant before its measured sale (JIT, pools, connections). */
  warmup: number;
  maxPerCustomer: number;
  variants: VariantName[];
}

export interface VariantResult {
  name: VariantName;
  label: string;
  requests: number;
  concurrency: number;
  durationMs: number;
  /** Answers (orders and typed refusals such as SOLD_OUT) per second; errors excluded. */
  throughput: number;
  /** All requests per second, errors included. */
  requestRate: number;
  latencyMs: LatencySummary;
  outcomes: Record<string, number>;
  /** Count of error answers (GraphQL errors, HTTP failures, network failures). */
  errorCount: number;
  /** Every outcome but ORDER and SOLD_OUT, by kind (errors and any other typed refusal). */
  errors: Record<string, number>;
  /** Buyers told busy who sent the same request again after retryAfter, and how many retries in all. */
  busyRetries: { buyers: number; retries: number };
  ratioToMain: number;
  /** CPU ms spent by each process during the measured sale (cpu.ts). */
  cpuMs: CpuSample;
  audit: Audit;
}

export const PLACE_ORDER = `mutation PlaceOrder($input: PlaceOrderInput!) {
  placeOrder(input: $input) {
    order { id status total currency reservationExpiresAt items { quantity unitPrice product { id } } }
    userErrors { code message field available }
  }
}`;

export interface PlaceOrderData {
  placeOrder?: { order: { id: string } | null; userErrors: Array<{ code: string }> } | null;
}

/** Busy answers: told to come back later, nothing was decided about the stock. */
export const BUSY_KINDS = new Set(['SERVICE_UNAVAILABLE', 'RATE_LIMITED', 'HTTP_503', 'HTTP_429']);

/** One placeOrder answer → the report's outcome, and whether (and when) to retry. */
/** How long a busy answer asks to wait, ms: its error's `extensions.retryAfter`, else the Retry-After header, else 1 s. */
export function retryAfterMs(bodyRetryAfter: unknown, header: string | string[] | undefined): number {
  const fromBody = Number(bodyRetryAfter);
  const fromHeader = Number(Array.isArray(header) ? header[0] : header);
  const seconds = Number.isFinite(fromBody) && fromBody >= 0 ? fromBody : Number.isFinite(fromHeader) && fromHeader >= 0 ? fromHeader : 1;
  return seconds * 1000;
}

export function classifyPlaceOrder(status: number, retryAfterHeader: string | string[] | undefined, json: GraphQLBody<PlaceOrderData> | null): Answer {
  const payload = json?.data?.placeOrder;
  if (payload?.order) return { outcome: { kind: 'ORDER', orderId: payload.order.id } };
  if (payload?.userErrors?.length) return { outcome: { kind: payload.userErrors[0].code } };
  const err = json?.errors?.[0];
  const kind = err?.extensions?.code ?? `HTTP_${status}`;
  if (BUSY_KINDS.has(kind) || status === 503 || status === 429) {
    return { outcome: { kind: BUSY_KINDS.has(kind) ? kind : `HTTP_${status}`, error: true }, busy: true, retryAfterMs: retryAfterMs(err?.extensions?.retryAfter, retryAfterHeader) };
  }
  return { outcome: { kind, error: true } };
}

/** Retries of one buyer told busy (SERVICE_UNAVAILABLE / RATE_LIMITED with retryAfter), as a client would. */
const BUSY_RETRIES = 3;

/**
 * Sends a buyer's placeOrder, and when told busy waits `retryAfter` and sends it again with the
 * same idempotency key (API.md, Overload), at most BUSY_RETRIES times. Admission control sheds
 * what a closed loop of 200 in flight queues beyond its bounds; counting those as the final answer
 * would measure refusals, not the sale. The buyer's latency includes the waits.
 */
async function withBusyRetries(send: () => Promise<{ status: number; json: GraphQLBody<PlaceOrderData> | null }>): Promise<Outcome> {
  for (let retry = 0; ; retry++) {
    const { status, json } = await send();
    const answer = classifyPlaceOrder(status, undefined, json);
    if (!answer.busy || retry >= BUSY_RETRIES) return retry ? { ...answer.outcome, retries: retry } : answer.outcome;
    await new Promise((r) => setTimeout(r, answer.retryAfterMs));
  }
}

function countKinds(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o.kind] = (counts[o.kind] ?? 0) + 1;
  return counts;
}

const sleepUntil = async (at: Date) => {
  while (Date.now() < at.getTime()) await new Promise((r) => setTimeout(r, Math.max(1, Math.min(250, at.getTime() - Date.now()))));
};

export async function flashSale(stack: BenchStack, opts: FlashSaleOptions, log: (msg: string) => void): Promise<{ failed: boolean; results: VariantResult[] }> {
  const machine = await describeMachine(stack.config);
  const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  // The main figure runs the order subgraph's default lock scope (or ORDER_LOCK_SCOPE from the
  // environment); a reused stack runs whatever scope it was started with, which the bench cannot see.
  const label = (v: VariantName) => (v === 'gateway' && !stack.reused ? `gateway, lock scope ${stack.config.ORDER_LOCK_SCOPE} (main)` : LABELS[v]);
  const gateway = new GraphQLEndpoint(stack.gatewayUrl, opts.concurrency);
  const orderSubgraph = new GraphQLEndpoint(stack.orderUrl, opts.concurrency);
  const orderPath = new URL(stack.orderUrl).pathname;
  const catalog = await Catalog.admin(stack, gateway);
  const categoryId = await catalog.createCategory(`Bench ${run}`);
  const products: string[] = [];
  const variants = opts.variants.filter((v) => {
    if (v === 'product-lock' && stack.reused) {
      log('skipping (a) product lock: it restarts the order subgraph, which a reused stack does not allow');
      return false;
    }
    return true;
  });
  // The restart goes last, so every other variant runs against the same order process.
  variants.sort((a, b) => Number(a === 'product-lock') - Number(b === 'product-lock'));

  log(`preparing ${opts.buyers} buyers with seed:buyers…`);
  const t = Date.now();
  const buyers: SeededBuyer[] = await seedBuyers(stack.config, { count: opts.buyers, ttlSeconds: 4 * 3600 });
  log(`  ${buyers.length} buyers with access tokens in ${((Date.now() - t) / 1000).toFixed(1)}s`);

  const inProcess = variants.some((v) => v === 'service' || v === 'floor') ? await InProcessOrders.open(stack) : undefined;
  const auditRedis = createRedis(stack.config);
  const identitySecret = stack.secrets.identitySecret;

  /** What one request of a variant does for buyer i (modulo the buyers) on `productId`. */
  const firer = (variant: VariantName, productId: string, tag: string) => {
    const lines = [{ productId, quantity: 1 }];
    const keyOf = (i: number) => `bench-${run}-${tag}-${i}`;
    const bodies = buyers.map((_, i) => JSON.stringify({ query: PLACE_ORDER, variables: { input: { items: lines, idempotencyKey: keyOf(i) } } }));
    const auth = buyers.map((b) => ({ authorization: `Bearer ${b.accessToken}` }));
    return async (n: number): Promise<Outcome> => {
      const i = n % buyers.length;
      const buyer = buyers[i];
      switch (variant) {
        case 'gateway':
        case 'product-lock': {
          return withBusyRetries(() => gateway.post<PlaceOrderData>(bodies[i], auth[i]));
        }
        case 'direct': {
          // Exactly what the gateway forwards: a request id and identity headers signed over it and
          // over this request (method, path, body digest, a fresh nonce per attempt: each nonce is
          // accepted once).
          const requestId = `bench-${tag}-${n}`;
          const signed = () => ({
            'x-request-id': requestId,
            ...signIdentityHeaders(identitySecret, { userId: buyer.userId, roles: ['CUSTOMER'] }, requestId, { method: 'POST', path: orderPath, body: bodies[i] }),
          });
          return withBusyRetries(() => orderSubgraph.post<PlaceOrderData>(bodies[i], signed()));
        }
        case 'service':
          return inProcess!.service(buyer.userId, keyOf(i), lines);
        case 'floor':
          return inProcess!.floor(buyer.userId, keyOf(i), lines);
      }
    };
  };

  const runVariant = async (variant: VariantName): Promise<Omit<VariantResult, 'ratioToMain'>> => {
    if (opts.warmup > 0) {
      const warmId = await catalog.createSaleProduct({ categoryId, name: `Bench warm-up ${variant} ${run}`, stock: Math.ceil(opts.warmup / 2), opensAt: new Date(Date.now() - 1000), maxPerCustomer: opts.maxPerCustomer });
      products.push(warmId);
      await closedLoop(opts.warmup, opts.concurrency, firer(variant, warmId, `w-${variant}`));
    }
    const opensAt = new Date(Date.now() + opts.opensIn * 1000);
    const productId = await catalog.createSaleProduct({ categoryId, name: `Bench flash sale ${variant} ${run}`, stock: opts.stock, opensAt, maxPerCustomer: opts.maxPerCustomer });
    products.push(productId);
    const fire = firer(variant, productId, `s-${variant}`);
    log(`${label(variant)}: sale opens at ${opensAt.toISOString()}; ${opts.buyers} buyers, ${opts.stock} units, ${opts.concurrency} in flight`);
    await sleepUntil(opensAt);
    const stopMeter = startCpuMeter(cpuGroups(stack.pids()));
    const load: LoadResult = await closedLoop(opts.buyers, opts.concurrency, fire);
    const cpuMs = stopMeter();
    const audit = await auditSale(stack.config, auditRedis, productId, opts.stock, load.outcomes);
    const outcomes = countKinds(load.outcomes);
    const errors = Object.fromEntries(Object.entries(outcomes).filter(([k]) => k !== 'ORDER' && k !== 'SOLD_OUT'));
    const result = {
      name: variant,
      label: label(variant),
      requests: load.requests,
      concurrency: load.concurrency,
      durationMs: load.durationMs,
      throughput: load.outcomes.filter((o) => !o.error).length / (load.durationMs / 1000),
      requestRate: load.requests / (load.durationMs / 1000),
      errorCount: load.outcomes.filter((o) => o.error).length,
      latencyMs: summarize(load.latenciesMs),
      outcomes,
      errors,
      busyRetries: { buyers: load.outcomes.filter((o) => o.retries).length, retries: load.outcomes.reduce((n, o) => n + (o.retries ?? 0), 0) },
      cpuMs,
      audit,
    };
    log(
      `  ${round(result.throughput, 0)} answered/s, p99 ${round(result.latencyMs.p99)} ms; ` +
        `audit: oversold ${audit.oversold}, unsold ${audit.unsoldWhileDemand}, disagreements ${audit.disagreements}`,
    );
    return result;
  };

  const raw: Array<Omit<VariantResult, 'ratioToMain'>> = [];
  try {
    for (const variant of variants) {
      if (variant === 'product-lock') {
        log('restarting the order subgraph with ORDER_LOCK_SCOPE=product…');
        await stack.restartOrder({ ORDER_LOCK_SCOPE: 'product' });
      }
      raw.push(await runVariant(variant));
    }
  } finally {
    await inProcess?.close();
    await auditRedis.quit().catch(() => auditRedis.disconnect());
    if (stack.reused) await Promise.all(products.map((id) => catalog.deactivate(id).catch(() => undefined)));
    await gateway.close();
    await orderSubgraph.close();
  }

  const main = raw.find((r) => r.name === 'gateway') ?? raw[0];
  const results: VariantResult[] = raw.map((r) => ({ ...r, ratioToMain: r.throughput / main.throughput }));
  const by = (n: VariantName) => results.find((r) => r.name === n);
  const ratios = {
    gatewayToFloor: by('gateway') && by('floor') ? by('gateway')!.throughput / by('floor')!.throughput : null,
    buyerToProductLock: by('gateway') && by('product-lock') ? by('gateway')!.throughput / by('product-lock')!.throughput : null,
    gatewayToDirect: by('gateway') && by('direct') ? by('gateway')!.throughput / by('direct')!.throughput : null,
  };
  const failed = results.some((r) => auditFailed(r.audit));
  report(machine, stack, opts, results, ratios, failed);
  return { failed, results };
}

function report(
  machine: Machine,
  stack: BenchStack,
  opts: FlashSaleOptions,
  results: VariantResult[],
  ratios: Record<'gatewayToFloor' | 'buyerToProductLock' | 'gatewayToDirect', number | null>,
  failed: boolean,
): void {
  const header = ['variant', 'answered/s', '× main', 'p50 ms', 'p95 ms', 'p99 ms', 'orders', 'sold out', 'errors', 'oversold', 'unsold', 'disagree'];
  const rows = results.map((r) => [
    r.label,
    round(r.throughput, 0),
    round(r.ratioToMain, 2).toFixed(2),
    round(r.latencyMs.p50),
    round(r.latencyMs.p95),
    round(r.latencyMs.p99),
    r.audit.answeredOrders,
    r.audit.soldOutAnswers,
    r.errorCount,
    r.audit.oversold,
    r.audit.unsoldWhileDemand,
    r.audit.disagreements,
  ]);
  const cpuHeader = ['CPU ms per request', ...cpuColumns(results[0].cpuMs, 1, 1).header];
  const cpuRows = results.map((r) => [r.label, ...cpuColumns(r.cpuMs, r.requests, r.durationMs).cells]);
  const ratioLines = [
    ratios.gatewayToFloor !== null ? `gateway ÷ floor throughput: ${round(ratios.gatewayToFloor, 2)} (issue target ≥ 0.5)` : null,
    ratios.buyerToProductLock !== null
      ? `main (lock scope ${stack.config.ORDER_LOCK_SCOPE}) ÷ product lock throughput: ${round(ratios.buyerToProductLock, 2)} (issue target ≥ 5)`
      : null,
    ratios.gatewayToDirect !== null ? `gateway ÷ order subgraph direct throughput: ${round(ratios.gatewayToDirect, 2)} (federation + token verification + rate limit)` : null,
  ].filter((l): l is string => l !== null);
  const errorLines = results.map(
    (r) =>
      `  ${r.label}: ${kinds(r.errors)}${r.errorCount ? ` (${round(r.requestRate, 0)} requests/s with errors)` : ''}` +
      (r.busyRetries.retries ? `; ${r.busyRetries.buyers} buyers told busy sent again after retryAfter (${r.busyRetries.retries} retries)` : ''),
  );
  const auditLines = results.map(
    (r) =>
      `  ${r.label}: stock ${r.audit.stock}, sold ${r.audit.soldUnits} in ${r.audit.ordersInDb} orders, available ${r.audit.available}, ` +
      `bought ${r.audit.boughtUnits}, reservations ${r.audit.reservationRecords}; ${JSON.stringify(r.audit.detail)}`,
  );
  const title =
    `flash sale: ${opts.buyers} buyers, ${opts.stock} units, ${opts.concurrency} in flight, 1 unit each (limit ${opts.maxPerCustomer}), ` +
    `warm-up ${opts.warmup}/variant; ${stack.reused ? 'reused stack' : 'own stack (NODE_ENV=production, LOG_LEVEL=warn)'}`;

  const text = [
    '',
    title,
    `machine: ${machineLine(machine)}`,
    '',
    table(header, rows),
    '',
    table(cpuHeader, cpuRows),
    '',
    ...ratioLines,
    'errors and other refusals by kind (answered/s counts answers only; an error is not an answer):',
    ...errorLines,
    'audit:',
    ...auditLines,
    failed ? 'AUDIT FAILED: oversold, unsold-while-demand and disagreements must all be zero.' : 'audit passed: nothing oversold, nothing unsold while buyers remained, MySQL and Redis agree.',
    '',
  ].join('\n');
  process.stdout.write(text);

  const json = {
    scenario: 'flash-sale',
    at: new Date().toISOString(),
    machine,
    options: opts,
    reusedStack: stack.reused,
    variants: results.map((r) => ({
      name: r.name,
      label: r.label,
      requests: r.requests,
      concurrency: r.concurrency,
      durationMs: round(r.durationMs),
      throughput: round(r.throughput, 1),
      requestRate: round(r.requestRate, 1),
      errors: r.errorCount,
      ratioToMain: round(r.ratioToMain, 3),
      latencyMs: Object.fromEntries(Object.entries(r.latencyMs).map(([k, v]) => [k, round(v, 2)])),
      outcomes: r.outcomes,
      busyRetries: r.busyRetries,
      cpuMsPerRequest: Object.fromEntries(Object.entries(r.cpuMs).map(([k, v]) => [k, round(v / r.requests, 3)])),
      oversold: r.audit.oversold,
      unsoldWhileDemand: r.audit.unsoldWhileDemand,
      disagreements: r.audit.disagreements,
      audit: r.audit,
    })),
    ratios: Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, v === null ? null : round(v, 3)])),
    failed,
  };
  const stamp = json.at.replace(/[:.]/g, '-');
  const md = [`**${title}**`, '', `Machine: ${machineLine(machine)}`, '', markdownTable(header, rows), '', markdownTable(cpuHeader, cpuRows), '', ...ratioLines.map((l) => `- ${l}`), '', 'Errors by kind:', ...errorLines.map((l) => `- ${l.trim()}`), ''].join('\n');
  writeFileSync(resolve(OUT_DIR, `flash-sale-${stamp}.json`), JSON.stringify(json, null, 2));
  writeFileSync(resolve(OUT_DIR, `flash-sale-${stamp}.md`), md);
  process.stdout.write(`${JSON.stringify(json)}\n`);
}
