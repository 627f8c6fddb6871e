/**
 * A Redis Cluster primary dies in the middle of a sale and its replica is promoted.
 *
 *   1. A private Redis Cluster (3 primaries + 1 replica each, cluster-node-timeout 1 s) and the
 *      compiled stack on it (REDIS_CLUSTER_NODES); the sale product lives on one shard.
 *   2. 1,000 buyers race for 400 units, 50 at a time, each retrying with the same idempotency key
 *      while the answer is SERVICE_UNAVAILABLE.
 *   3. Once 250 buyers have their answer, the product's primary is SIGKILLed; the cluster promotes
 *      its replica (whatever the primary acknowledged but had not replicated is gone with it).
 *   4. The order subgraph's failover guard finds the shard's new history, quarantines the shard's
 *      stock hashes for ORDER_LOCK_TTL_MS + 1 s, then rebuilds them from the databases' truth.
 *   5. Exact audit: no unit oversold, none lost (sold + held = stock, with more buyers than units),
 *      every answered order in MySQL, per-buyer counts and reservation parts agree.
 */
import { readFileSync } from 'node:fs';
import { createRedis, keySlot, redisKeys } from '@flashsale/platform';
import { startRedisCluster } from '../../scripts/launcher/redis-cluster';
import { ChaosStack } from '../lib/stack';
import { Client, crowd, tally } from '../lib/client';
import { settledAudit } from '../lib/audit';
import { countInLog, fmtTally, placeUntilAnswered, Report, Scenario, ScenarioContext, seconds } from '../lib/scenario';

const STOCK = 400;
const BUYERS = 1000;
const KILL_AFTER = 250;

export const redisClusterScenario: Scenario = {
  name: 'redis-cluster',
  summary: 'a Redis Cluster primary is SIGKILLed mid-sale and its replica promoted',
  async run(ctx: ScenarioContext): Promise<Report> {
    const report = new Report('redis-cluster', ctx.log);
    const cluster = await startRedisCluster({ primaries: 3, replicasPerPrimary: 1 });
    report.line(`private Redis Cluster: 3 primaries + 1 replica each on ${cluster.seeds} (cluster-node-timeout 1000 ms, no persistence)`);
    const stack = new ChaosStack({
      portBase: ctx.portBase,
      mysqlUrl: ctx.mysqlUrl,
      redisUrl: 'redis://127.0.0.1:6379',
      env: { REDIS_CLUSTER_NODES: cluster.seeds, ORDER_SWEEP_INTERVAL_MS: '1000', REDIS_CLUSTER_CHECK_MS: '500' },
      log: ctx.log,
    });
    const redis = createRedis(stack.config);
    redis.on('error', () => undefined);
    try {
      await stack.start();
      const client = Client.for(stack.gatewayUrl, stack.config, stack.secrets);
      const productId = await client.saleProduct(STOCK);
      const stockKey = `${stack.config.REDIS_PREFIX}${redisKeys.productStock(productId)}`;
      const primary = await cluster.masterFor(stockKey);
      report.line(`sale of ${STOCK} units; the product's slot ${keySlot(stockKey)} is served by ${primary.address}`);

      const answered = new Set<string>();
      let done = 0;
      let killedAt = 0;
      let promotedAt = 0;
      const killing = (async () => {
        while (done < KILL_AFTER) await new Promise((r) => setTimeout(r, 5));
        const { killed, replicas } = await cluster.killPrimary(stockKey);
        killedAt = Date.now();
        const promoted = await cluster.waitForFailover(stockKey, killed.id, 30_000);
        promotedAt = Date.now();
        report.line(`after ${done} answers: primary ${killed.address} SIGKILLed; replica ${promoted.address} (of ${replicas.map((r) => r.address).join(', ')}) promoted ${seconds(promotedAt - killedAt)} later`);
      })();
      const buyers = await client.buyers(BUYERS);
      const started = Date.now();
      const results = await crowd(BUYERS, 50, async (i) => {
        const r = await placeUntilAnswered(client, buyers[i], productId, `cluster-${i}`, { delayMs: 500, maxAttempts: 240 });
        done++;
        if (r.final.kind === 'ORDER' && r.final.orderId) answered.add(r.final.orderId);
        return { ...r, at: Date.now() };
      });
      await killing;
      const finals = results.map((r) => r.final);
      report.line(`${BUYERS} buyers in ${seconds(Date.now() - started)}: ${fmtTally(tally(finals))} (first attempts: ${fmtTally(tally(results.map((r) => r.first)))}; ${results.filter((r) => r.attempts > 1).length} buyers retried)`);
      report.line(`failover guard: ${countInLog(stack.logFile('order'), 'Redis shard history changed')} shard history change(s) reconciled (one per shard at start-up, then the promoted one); stale hashes refused by the script: ${countInLog(stack.logFile('order'), 'earlier Redis history')}`);
      // The product's hash was rebuilt from the truth only after the quarantine (guard G2, reconciler R4).
      const entries = readFileSync(stack.logFile('order'), 'utf8').split('\n').flatMap((l) => {
        try {
          return [JSON.parse(l) as { time: string; msg: string; shard?: string; productId?: string }];
        } catch {
          return [];
        }
      });
      const detected = entries.find((e) => e.msg.startsWith('Redis shard history changed') && Date.parse(e.time) >= killedAt);
      const rebuilt = entries.find((e) => e.msg.startsWith('rebuilt a lost stock hash') && e.productId === productId && Date.parse(e.time) >= killedAt);
      const quarantineMs = stack.config.ORDER_LOCK_TTL_MS;
      if (detected && rebuilt) report.line(`change of ${detected.shard} found ${seconds(Date.parse(detected.time) - promotedAt)} after the promotion; the product's hash rebuilt from the truth ${seconds(Date.parse(rebuilt.time) - Date.parse(detected.time))} after that`);
      report.check(`the shard's stock was rebuilt only after its quarantine (>= ORDER_LOCK_TTL_MS ${quarantineMs} ms after the change was found)`, !!detected && (!rebuilt || Date.parse(rebuilt.time) - Date.parse(detected.time) >= quarantineMs));

      const audit = await settledAudit({ orders: (q, p) => stack.sql('order', q, p), products: (q, p) => stack.sql('product', q, p), redis }, { id: productId, initialStock: STOCK }, answered, { timeoutMs: 90_000 });
      report.audit = audit;
      report.check(`nothing oversold: orders hold ${audit.sold + audit.pending} of ${STOCK} units`, audit.sold + audit.pending <= STOCK);
      report.check(`no unit lost: sold + held = ${STOCK} with ${BUYERS} buyers for ${STOCK} units`, audit.sold + audit.pending + audit.orphaned === STOCK);
      report.check('every buyer got a final answer (ORDER or SOLD_OUT)', finals.every((o) => o.kind === 'ORDER' || o.kind === 'SOLD_OUT'));
      return report;
    } finally {
      redis.disconnect();
      await stack.stop();
      await cluster.stop();
    }
  },
};
