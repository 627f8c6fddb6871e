/**
 * Two replicas of the gateway, product, cart and order behind HAProxy (user stays single): the
 * checks of issue 15 on one launch. One definition, run at full size by
 * `npm run chaos -- replicas` and at CI size by test/replicas/replicas.test.ts.
 *
 *   balancer   HAProxy counts every replica up.
 *   stampede   buyers race for a product through the balancer: exactly the stock is sold, every
 *              replica of the gateway and of the order subgraph served part of it, and the audit
 *              (MySQL orders, product.stock, the Redis hash and reservation records) is exact.
 *   order-kill one order replica is SIGKILLed in the middle of a sale; buyers retry with their
 *              idempotency key as the API tells them; every buyer ends with a definite answer, no
 *              answered order is missing, nothing is oversold, and (full size) once the sweeper
 *              has given back what the killed replica held, the rest sells to exactly zero.
 *   midnight   paid orders two midnights behind, and both order replicas restarted together so
 *              both run the daily job at once: every order moves PREPARING -> SHIPPING ->
 *              DELIVERED exactly once (its version fence rises by exactly 2). While no order
 *              replica is up, a gateway's /health says 503 but /health/ready stays 200, so
 *              HAProxy never takes the gateways out of the pool for a subgraph's outage.
 *   rate limit one buyer's placeOrder calls alternate between the two gateway replicas: the
 *              per-user limit is counted once for both (exactly `limit` calls pass).
 *   addresses  per-address limits count the address HAProxy saw: the gateway trusts its
 *              X-Forwarded-For, and HAProxy overwrites a forged one.
 *   no replica with the only user replica SIGKILLed, HAProxy answers the API's typed, retryable
 *              SERVICE_UNAVAILABLE (503, Retry-After 1), not its HTML page.
 *
 * Method, both sizes: real processes (ChaosStack; the sources under jest) behind a real HAProxy
 * rendered from deploy/haproxy/haproxy.cfg.template, on a private redis-server.
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { LOAD_RATE_LIMITS, Topology } from '../../scripts/launcher';
import { ORPHAN_GRACE_MS } from '../../subgraphs/order/src/services/sweeper';
import { DAILY_JOB } from '../../subgraphs/order/src/services/daily-job';
import { settledAudit } from '../lib/audit';
import { Client, crowd, tally } from '../lib/client';
import { availableOf, fmtTally, placeUntilAnswered, Report, sellOut, sleep, waitUntil } from '../lib/scenario';
import { chaosScenario, ScenarioDefinition, stackOptions } from '../lib/definition';
import { PrivateRedis } from '../lib/servers';
import { ChaosStack, ChaosStackOptions } from '../lib/stack';

export const REPLICA_TOPOLOGY: Topology = { replicas: { gateway: 2, product: 2, cart: 2, order: 2 }, redis: 'single', balancer: true };

export interface ReplicaSizes {
  stampedeStock: number;
  stampedeBuyers: number;
  killStock: number;
  killBuyers: number;
  /** Kill the order replica once this many buyers of the kill phase have their answer. */
  killAfter: number;
  midnightOrders: number;
  concurrency: number;
  /** Wait for the sweeper to give back the killed replica's reservations, then sell out. */
  sellOutAfterKill: boolean;
}

export const CI_SIZES: ReplicaSizes = { stampedeStock: 25, stampedeBuyers: 100, killStock: 30, killBuyers: 90, killAfter: 20, midnightOrders: 6, concurrency: 20, sellOutAfterKill: false };
export const FULL_SIZES: ReplicaSizes = { stampedeStock: 300, stampedeBuyers: 1500, killStock: 300, killBuyers: 900, killAfter: 150, midnightOrders: 100, concurrency: 100, sellOutAfterKill: true };

/** Per-user placeOrder limit with a window long enough that the limit check never straddles two. */
export const PLACE_ORDER_USER_LIMIT = 20;
/**
 * Reservations are held long enough that no order of a phase expires while the phase runs (an
 * expired order gives its unit back, which is sold again: more ORDER answers than units, rightly),
 * and short enough that the sweeper gives back what the killed replica held within the full run.
 */
const HOLD_SECONDS = 60;

export function replicaStackOptions(opts: Pick<ChaosStackOptions, 'portBase' | 'mysqlUrl' | 'redisUrl' | 'log'> & Partial<ChaosStackOptions>): ChaosStackOptions {
  return {
    topology: REPLICA_TOPOLOGY,
    ...opts,
    env: {
      RATE_LIMITS: LOAD_RATE_LIMITS.replace('placeOrder:user:20/10', `placeOrder:user:${PLACE_ORDER_USER_LIMIT}/600`),
      RESERVATION_TTL_SECONDS: String(HOLD_SECONDS),
      ORDER_SWEEP_INTERVAL_MS: '1000',
      ...opts.env,
    },
  };
}

const requestsTo = async (stack: ChaosStack, server: string) => (await stack.stack.balancer!.replicaStats())[server]?.requests ?? 0;
const requestsToAll = async (stack: ChaosStack, servers: string[]) => Promise.all(servers.map((s) => requestsTo(stack, s)));

export async function stampede(stack: ChaosStack, client: Client, sizes: ReplicaSizes, report: Report): Promise<{ productId: string; orderIds: Map<string, string> }> {
  const servers = ['gateway1', 'gateway2', 'order1', 'order2'];
  const before = await requestsToAll(stack, servers);
  const productId = await client.saleProduct(sizes.stampedeStock);
  const buyers = await client.buyers(sizes.stampedeBuyers);
  const answers = await crowd(buyers.length, sizes.concurrency, (i) => placeUntilAnswered(client, buyers[i], productId, randomUUID()));
  const finals = tally(answers.map((a) => a.final));
  const served = (await requestsToAll(stack, servers)).map((n, i) => n - before[i]);
  report.line(`stampede: ${buyers.length} buyers for ${sizes.stampedeStock} units through HAProxy: ${fmtTally(finals)}; requests per replica ${servers.map((s, i) => `${s} ${served[i]}`).join(', ')}`);
  report.check(`stampede: exactly ${sizes.stampedeStock} orders`, finals.ORDER === sizes.stampedeStock);
  report.check('stampede: every other buyer told SOLD_OUT', (finals.SOLD_OUT ?? 0) === buyers.length - sizes.stampedeStock);
  report.check('stampede: both gateway replicas and both order replicas served requests', served.every((n) => n > 0));
  const orderIds = new Map<string, string>();
  answers.forEach((a, i) => a.final.orderId && orderIds.set(buyers[i].token, a.final.orderId));
  const audit = await settledAudit(stack.auditSources(), { id: productId, initialStock: sizes.stampedeStock }, orderIds.values());
  report.check(`stampede audit exact (MySQL ${audit.pending} pending orders, Redis available ${audit.available}, product.stock ${audit.productStock})`, audit.exact && audit.pending === sizes.stampedeStock && audit.available === 0);
  return { productId, orderIds };
}

export async function orderReplicaKill(stack: ChaosStack, client: Client, sizes: ReplicaSizes, report: Report): Promise<void> {
  const productId = await client.saleProduct(sizes.killStock);
  const buyers = await client.buyers(sizes.killBuyers);
  let answered = 0;
  let killedAt = -1;
  const killing = (async () => {
    await waitUntil('the kill point', async () => answered >= sizes.killAfter, 120_000, 20);
    killedAt = answered;
    await stack.kill('order', 0);
  })();
  const answers = await crowd(buyers.length, sizes.concurrency, async (i) => {
    const a = await placeUntilAnswered(client, buyers[i], productId, randomUUID());
    answered++;
    return a;
  });
  await killing;
  const finals = tally(answers.map((a) => a.final));
  const retried = answers.filter((a) => a.attempts > 1).length;
  report.line(`order replica 1 SIGKILLed after ${killedAt} of ${buyers.length} answers: ${fmtTally(finals)}; ${retried} buyers retried (first answers: ${fmtTally(tally(answers.map((a) => a.first)))})`);
  report.check('order-kill: every buyer got a definite answer (ORDER or SOLD_OUT)', (finals.ORDER ?? 0) + (finals.SOLD_OUT ?? 0) === buyers.length);
  report.check('order-kill: nothing oversold', (finals.ORDER ?? 0) <= sizes.killStock);
  const ids = answers.flatMap((a) => (a.final.orderId ? [a.final.orderId] : []));
  let audit = await settledAudit(stack.auditSources(), { id: productId, initialStock: sizes.killStock }, ids);
  report.check(`order-kill audit exact right after (orphaned reservations of the killed replica: ${audit.orphaned} units, counted as held)`, audit.exact);
  await stack.launch('order', undefined, 90_000, 0);
  if (sizes.sellOutAfterKill) {
    await waitUntil('the orphans given back', async () => (await settledAudit(stack.auditSources(), { id: productId, initialStock: sizes.killStock }, ids, { timeoutMs: 1 })).orphaned === 0, HOLD_SECONDS * 1000 + ORPHAN_GRACE_MS + 30_000, 500);
    const more = await sellOut(client, () => availableOf(stack, productId), productId);
    more.forEach((a) => a.final.orderId && ids.push(a.final.orderId));
    audit = await settledAudit(stack.auditSources(), { id: productId, initialStock: sizes.killStock }, ids);
    report.check(`order-kill: after the sweeper gave back the killed replica's holds, the rest sold to exactly zero (${audit.pending} orders for ${sizes.killStock} units)`, audit.exact && audit.pending === sizes.killStock && audit.available === 0);
  }
  report.audit = audit;
}

export async function midnightOnBothReplicas(stack: ChaosStack, client: Client, sizes: ReplicaSizes, report: Report): Promise<void> {
  const productId = await client.saleProduct(sizes.midnightOrders);
  const buyers = await client.buyers(sizes.midnightOrders);
  const placed = await crowd(buyers.length, sizes.concurrency, (i) => placeUntilAnswered(client, buyers[i], productId, randomUUID()));
  const paid = await crowd(buyers.length, sizes.concurrency, (i) => client.payOrder(buyers[i], placed[i].final.orderId!));
  report.check(`midnight: ${sizes.midnightOrders} orders placed and paid`, paid.every((p) => p.kind === 'ORDER' && p.status === 'PREPARING'));
  const ids = placed.map((p) => p.final.orderId!);
  const zone = stack.config.DAILY_JOB_TIMEZONE;
  const today = DateTime.now().setZone(zone).startOf('day');
  // Both replicas stop; the orders are two midnights behind; both start together and run the job.
  const gatewayDowns = async () => Object.entries(await stack.stack.balancer!.replicaStats()).filter(([name]) => name.startsWith('gateway')).reduce((n, [, s]) => n + s.downs, 0);
  const downsBefore = await gatewayDowns();
  await Promise.all([stack.halt('order', 0), stack.halt('order', 1)]);
  // With no order replica up, a gateway's /health says so, but it stays ready (and alive): it still
  // answers every other subgraph's fields, so HAProxy keeps it in the pool.
  const gateway = stack.stack.replica('gateway', 0).url.replace(/\/graphql$/, '');
  const probes = await Promise.all(['/health', '/health/ready', '/health/live'].map(async (path) => `${path} ${(await fetch(gateway + path)).status}`));
  report.line(`midnight: no order replica up; gateway1 answers ${probes.join(', ')}`);
  report.check('midnight: with no order replica up, a gateway answers /health 503 and /health/ready, /health/live 200', probes.join() === '/health 503,/health/ready 200,/health/live 200');
  await stack.sql('order', 'update `order` set status_changed_at = ? where id in (?)', [today.minus({ days: 3 }).toJSDate(), ids]);
  await stack.sql('order', 'insert into scheduled_job (name, last_run_date, last_run_at) values (?, ?, now(3)) on duplicate key update last_run_date = values(last_run_date)', [DAILY_JOB, today.minus({ days: 2 }).toISODate()]);
  const versions = new Map((await stack.sql<{ id: string; version: number }>('order', 'select id, version from `order` where id in (?)', [ids])).map((r) => [r.id, r.version]));
  await Promise.all([stack.launch('order', undefined, 90_000, 0), stack.launch('order', undefined, 90_000, 1)]);
  await waitUntil('the daily job on the replicas', async () => (await stack.sql<{ d: string }>('order', 'select last_run_date d from scheduled_job where name = ?', [DAILY_JOB]))[0]?.d === today.toISODate(), 60_000, 250);
  await sleep(1500); // a second runner, had there been one, would have moved something by now
  const after = await stack.sql<{ id: string; status: string; version: number; delivered_at: Date | null }>('order', 'select id, status, version, delivered_at from `order` where id in (?)', [ids]);
  const byStatus = tally(after.map((o) => ({ kind: o.status })));
  const steps = tally(after.map((o) => ({ kind: `+${o.version - versions.get(o.id)!}` })));
  report.line(`midnight: both order replicas started together, two midnights due: ${fmtTally(byStatus)}; version steps ${fmtTally(steps)}`);
  report.check('midnight: every order DELIVERED at today’s midnight', after.every((o) => o.status === 'DELIVERED' && o.delivered_at?.getTime() === today.toJSDate().getTime()));
  report.check('midnight: each order moved exactly twice (ship once, deliver once)', after.every((o) => o.version - versions.get(o.id)! === 2));
  const downs = (await gatewayDowns()) - downsBefore;
  report.check(`midnight: HAProxy kept both gateway replicas in the pool while no order replica was up (marked down ${downs} times)`, downs === 0);
}

export async function sharedRateLimit(stack: ChaosStack, client: Client, productId: string, report: Report): Promise<void> {
  const [buyer] = await client.buyers(1);
  const before = await requestsToAll(stack, ['gateway1', 'gateway2']);
  const calls = PLACE_ORDER_USER_LIMIT + 10;
  const answers: string[] = [];
  for (let i = 0; i < calls; i++) answers.push((await client.placeOrder(buyer, productId, 1, randomUUID())).kind);
  const served = (await requestsToAll(stack, ['gateway1', 'gateway2'])).map((n, i) => n - before[i]);
  const limited = answers.filter((k) => k === 'RATE_LIMITED').length;
  report.line(`rate limit: ${calls} placeOrder calls of one buyer (gateway1 ${served[0]}, gateway2 ${served[1]} requests): ${fmtTally(tally(answers.map((kind) => ({ kind }))))}`);
  report.check('rate limit: both gateway replicas took part', served.every((n) => n >= calls / 4));
  report.check(`rate limit: shared, exactly ${PLACE_ORDER_USER_LIMIT} calls passed and the rest were RATE_LIMITED`, limited === calls - PLACE_ORDER_USER_LIMIT);
}

/** HAProxy's stats count every replica up. */
export async function everyReplicaUp(stack: ChaosStack, report: Report): Promise<void> {
  const stats = await stack.stack.balancer!.replicaStats();
  const up = Object.entries(stats).filter(([, s]) => s.up).map(([name]) => name).sort();
  report.check(`balancer: HAProxy counts every replica up (${up.join(' ')})`, up.join() === EXPECTED_REPLICAS.join());
}
const EXPECTED_REPLICAS = ['cart1', 'cart2', 'gateway1', 'gateway2', 'order1', 'order2', 'product1', 'product2', 'user1'];

/** Per-address limits count the address HAProxy saw, never one a client forged. */
export async function forwardedAddresses(stack: ChaosStack, report: Report): Promise<void> {
  const logIn = (url: string, forwardedFor: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ query: 'mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken } }', variables: { e: 'nobody@example.com', p: 'wrong password' } }),
    });
  const redis = stack.redis();
  const gateway = stack.stack.replica('gateway', 0);
  const viaHaproxy = await logIn(stack.gatewayUrl, '10.9.9.9'); // through HAProxy: the header is replaced by 127.0.0.1
  const direct = await logIn(gateway.url, '198.51.100.4'); // straight from the trusted peer (as HAProxy would send it)
  const forged = await redis.exists('rl:logIn:ip:10.9.9.9');
  const seen = Number(await redis.get('rl:logIn:ip:127.0.0.1'));
  const trusted = Number(await redis.get('rl:logIn:ip:198.51.100.4'));
  report.line(`addresses: logIn answered HTTP ${viaHaproxy.status} through HAProxy, ${direct.status} direct; counters forged 10.9.9.9 ${forged ? 'exists' : 'absent'}, HAProxy's 127.0.0.1 ${seen}, trusted peer's 198.51.100.4 ${trusted}`);
  report.check('addresses: HAProxy overwrites a forged X-Forwarded-For (no counter for it; its own address counted)', forged === 0 && seen >= 1);
  report.check("addresses: the gateway counts the trusted peer's X-Forwarded-For (exactly one call)", trusted === 1);
}

/** With the only user replica dead, HAProxy answers the API's typed, retryable error. */
export async function noReplicaLeft(stack: ChaosStack, report: Report): Promise<void> {
  await stack.kill('user', 0);
  try {
    const res = await fetch(stack.stack.urls.user, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    const retryAfter = res.headers.get('retry-after');
    const body = (await res.json().catch(() => undefined)) as { errors?: Array<{ message?: unknown; extensions?: unknown }> } | undefined;
    const [error, ...more] = body?.errors ?? [];
    report.line(`no replica left: HAProxy answered ${res.status}, Retry-After ${retryAfter}, ${JSON.stringify(body)}`);
    report.check(
      'no replica left: HAProxy answers 503, Retry-After 1, and exactly one error { message, extensions: { code: SERVICE_UNAVAILABLE, retryAfter: 1 } }',
      res.status === 503 &&
        retryAfter === '1' &&
        !!error &&
        more.length === 0 &&
        Object.keys(body!).join() === 'errors' &&
        Object.keys(error).sort().join() === 'extensions,message' &&
        typeof error.message === 'string' &&
        sameFields(error.extensions, { code: 'SERVICE_UNAVAILABLE', retryAfter: 1 }),
    );
  } finally {
    await stack.launch('user');
  }
}

/** `actual` is an object with exactly `expected`'s fields and values (in any order). */
function sameFields(actual: unknown, expected: Record<string, unknown>): boolean {
  if (!actual || typeof actual !== 'object') return false;
  const fields = actual as Record<string, unknown>;
  return Object.keys(fields).length === Object.keys(expected).length && Object.entries(expected).every(([k, v]) => fields[k] === v);
}

export const replicasDefinition: ScenarioDefinition<ReplicaSizes> = {
  name: 'replicas',
  summary: 'two replicas of gateway, product, cart and order behind HAProxy: stampede, an order replica SIGKILLed mid-sale, the midnight job on both, shared rate limits',
  sizes: { ci: CI_SIZES, full: FULL_SIZES },
  async run(sizes, ctx, report) {
    const redis = await PrivateRedis.launch();
    const stack = new ChaosStack(replicaStackOptions(stackOptions(ctx, redis.url, ctx.size === 'ci' ? { env: { LOG_LEVEL: 'error' } } : {})));
    try {
      await stack.start();
      report.line(`HAProxy ${stack.stack.balancer!.configFile}; replicas: ${stack.stack.processes().map((p) => `${p.name}#${p.replica + 1}:${p.port}`).join(' ')}`);
      const client = Client.for(stack.gatewayUrl, stack.config, stack.secrets);
      await everyReplicaUp(stack, report);
      const { productId } = await stampede(stack, client, sizes, report);
      await sharedRateLimit(stack, client, productId, report);
      await orderReplicaKill(stack, client, sizes, report);
      await midnightOnBothReplicas(stack, client, sizes, report);
      await forwardedAddresses(stack, report);
      await noReplicaLeft(stack, report);
    } finally {
      await stack.stop();
      await redis.destroy();
    }
  },
};

export const replicasScenario = chaosScenario(replicasDefinition);
