/**
 * A Redis Cluster primary dies in the middle of a sale and its replica is promoted: one
 * definition, run at full size by `npm run chaos -- redis-cluster` and at CI size by
 * test/faults/redis-cluster.fault.test.ts.
 *
 *   1. A private Redis Cluster (3 primaries + 1 replica each, cluster-node-timeout 1 s) and the
 *      stack on it (REDIS_CLUSTER_NODES); the sale product lives on one shard.
 *   2. `buyers` race for `stock` units, `inFlight` at a time, each retrying with the same
 *      idempotency key while the answer is SERVICE_UNAVAILABLE.
 *   3. Once `killAfter` buyers have their answer, the product's primary is SIGKILLed; the cluster
 *      promotes its replica (whatever the primary acknowledged but had not replicated is gone).
 *   4. The order subgraph's failover guard finds the shard's new history, quarantines the shard
 *      for ORDER_LOCK_TTL_MS + 1 s and marks its stock hashes lost (a hash the promoted replica
 *      never received is lost outright); they are rebuilt from the databases' truth only after
 *      the quarantine, by the next order for the product or else by the sweeper (watched here on
 *      the hash itself: missing, with `recoverAfter` when marked, then the Redis time at which
 *      `available` is back, against the moment the guard recorded the change).
 *   5. Exact audit: nothing oversold, no unit lost (sold + held = stock, more buyers than units),
 *      every answered order in MySQL, per-buyer counts and reservation parts agree, every buyer
 *      answered ORDER or SOLD_OUT. Then every hold expires (a sweeper at a moved clock): all
 *      `stock` units are back, once, and nothing is left in the per-buyer counts or the parts.
 *
 * Method, both sizes: the stack runs in this process (no process of it is killed, only a Redis
 * node), so it starts in seconds and the sweeper can run at a moved clock instead of waiting out
 * the reservations.
 */
import { keySlot, RECOVER_AFTER_FIELD, redisKeys } from '@flashsale/platform';
import { orderKeys } from '@flashsale/order-subgraph';
import { startRedisCluster } from '../../scripts/launcher/redis-cluster';
import { ManualClock, replica } from '../../test/support/orders';
import { InProcessScenarioStack } from '../lib/in-process-stack';
import { Client, crowd, tally } from '../lib/client';
import { settledAudit } from '../lib/audit';
import { fmtTally, placeUntilAnswered, seconds, sleep } from '../lib/scenario';
import { chaosScenario, ScenarioDefinition } from '../lib/definition';

export interface RedisClusterSize {
  stock: number;
  buyers: number;
  inFlight: number;
  /** Kill the product's primary once this many buyers have their definite answer. */
  killAfter: number;
}

export const redisClusterDefinition: ScenarioDefinition<RedisClusterSize> = {
  name: 'redis-cluster',
  summary: 'a Redis Cluster primary is SIGKILLed mid-sale and its replica promoted',
  sizes: {
    ci: { stock: 60, buyers: 150, inFlight: 150, killAfter: 40 },
    full: { stock: 400, buyers: 1000, inFlight: 50, killAfter: 250 },
  },
  async run(size, ctx, report) {
    const cluster = await startRedisCluster({ primaries: 3, replicasPerPrimary: 1 });
    let stack: InProcessScenarioStack | undefined;
    try {
      report.line(`private Redis Cluster: 3 primaries + 1 replica each on ${cluster.seeds} (cluster-node-timeout 1000 ms, no persistence)`);
      stack = await InProcessScenarioStack.start(ctx.mysqlUrl, 'redis://127.0.0.1:6379', { REDIS_CLUSTER_NODES: cluster.seeds, REDIS_CLUSTER_CHECK_MS: '250', RESERVATION_TTL_SECONDS: '600' });
      const services = stack.services;
      const redis = stack.redis();
      const client = Client.for(stack.gatewayUrl, stack.config, stack.secrets);
      const productId = await client.saleProduct(size.stock);
      const stockKey = redisKeys.productStock(productId);
      const prefixedStockKey = `${stack.config.REDIS_PREFIX}${stockKey}`;
      const primary = await cluster.masterFor(prefixedStockKey);
      report.line(`sale of ${size.stock} units; the product's slot ${keySlot(prefixedStockKey)} is served by ${primary.address}`);

      // The hash while the failover plays out: whether it went missing (marked lost, with the end
      // of its quarantine in `recoverAfter`, or lost outright with whatever the promoted replica
      // had not received), and the Redis time at which `available` was back.
      let watching = true;
      let lostSeen = false;
      let recoverAfter = 0;
      let rebuiltAt = 0;
      const watch = (async () => {
        while (watching && !rebuiltAt) {
          const [available, until] = await redis.hmget(stockKey, 'available', RECOVER_AFTER_FIELD).catch(() => ['unknown', null]);
          if (available === null) {
            lostSeen = true;
            if (until !== null) recoverAfter = Number(until);
          } else if (available !== 'unknown' && lostSeen) {
            const [s, us] = await redis.time();
            rebuiltAt = Number(s) * 1000 + Math.floor(Number(us) / 1000);
          }
          await sleep(20);
        }
      })();

      let done = 0;
      let killedAt = 0;
      const killing = (async () => {
        while (done < size.killAfter) await sleep(5);
        const { killed, replicas } = await cluster.killPrimary(prefixedStockKey);
        killedAt = Date.now();
        const promoted = await cluster.waitForFailover(prefixedStockKey, killed.id, 30_000);
        report.line(`after ${done} answers: primary ${killed.address} SIGKILLed; replica ${promoted.address} (of ${replicas.map((r) => r.address).join(', ')}) promoted ${seconds(Date.now() - killedAt)} later`);
      })();
      const buyers = await client.buyers(size.buyers);
      const started = Date.now();
      const results = await crowd(size.buyers, size.inFlight, async (i) => {
        const r = await placeUntilAnswered(client, buyers[i], productId, `cluster-${i}`, { delayMs: 500, maxAttempts: 240 });
        done++;
        return r;
      });
      await killing;
      const finals = results.map((r) => r.final);
      const answered = finals.flatMap((o) => (o.kind === 'ORDER' && o.orderId ? [o.orderId] : []));
      report.line(`${size.buyers} buyers in ${seconds(Date.now() - started)}: ${fmtTally(tally(finals))} (first attempts: ${fmtTally(tally(results.map((r) => r.first)))}; ${results.filter((r) => r.attempts > 1).length} buyers retried)`);
      report.check('every buyer got a final answer (ORDER or SOLD_OUT)', finals.every((o) => o.kind === 'ORDER' || o.kind === 'SOLD_OUT'));

      const found = services.order.services.shardGuard?.reconciled.find((r) => r.at.getTime() >= killedAt);
      report.check('the order subgraph found the promoted shard\'s new history', !!found);
      // When the sale ended before the quarantine did, no buyer's order rebuilds the hash: the
      // order subgraph's sweeper does, for the unpaid orders' sake (within a sweep interval after).
      const quarantineMs = stack.config.ORDER_LOCK_TTL_MS;
      const rebuildBy = Date.now() + quarantineMs + 1000 + stack.config.ORDER_SWEEP_INTERVAL_MS + 20_000;
      while (!rebuiltAt && Date.now() < rebuildBy) await sleep(100);
      watching = false;
      await watch;
      const foundAt = found?.at.getTime() ?? Infinity;
      if (rebuiltAt) report.line(`the product's hash went missing (${recoverAfter ? `marked lost until ${new Date(recoverAfter).toISOString()}` : 'lost outright with the old primary'}) and was rebuilt from the truth ${seconds(rebuiltAt - foundAt)} after the change was found`);
      else report.line(`the product's hash was ${lostSeen ? 'missing and never rebuilt' : 'never seen missing'}`);
      // The quarantine (ORDER_LOCK_TTL_MS + 1 s) starts just before the change is recorded as found.
      report.check(
        `the product's stock was rebuilt only after the shard's quarantine (>= ORDER_LOCK_TTL_MS ${quarantineMs} ms after the change was found${recoverAfter ? ', and not before its recoverAfter' : ''})`,
        rebuiltAt >= foundAt + quarantineMs && rebuiltAt >= recoverAfter,
      );

      const audit = await settledAudit(stack.auditSources(), { id: productId, initialStock: size.stock }, answered, { timeoutMs: 90_000 });
      report.audit = audit;
      report.check(`nothing oversold: orders hold ${audit.sold + audit.pending} of ${size.stock} units`, audit.sold + audit.pending <= size.stock);
      report.check(`no unit lost: sold + held = ${size.stock} with ${size.buyers} buyers for ${size.stock} units`, audit.sold + audit.pending + audit.orphaned === size.stock);
      report.check(`every buyer told ORDER has an order holding its unit: ${answered.length} answered, ${audit.pending} units in unpaid orders`, answered.length === audit.pending);

      // Every hold expires (a sweeper whose clock is past every deadline): all units back, once.
      const sweeper = replica(services, { clock: new ManualClock(new Date(Date.now() + 3_600_000)) }).sweeper;
      await sweeper.sweep();
      await sweeper.sweep();
      const after = await settledAudit(stack.auditSources(), { id: productId, initialStock: size.stock }, [], { timeoutMs: 30_000 });
      const [bought, parts] = await Promise.all([redis.hlen(orderKeys.bought(productId)), redis.hlen(orderKeys.reservations(productId))]);
      report.line(`every hold expired: available ${after.available}, pending ${after.pending}, per-buyer counts ${bought}, reservation parts ${parts}`);
      report.check(`once every hold expired, all ${size.stock} units are back, once, and nothing is left held`, after.exact && after.pending === 0 && after.available === size.stock && bought === 0 && parts === 0);
    } finally {
      await stack?.stop();
      await cluster.stop();
    }
  },
};

export const redisClusterScenario = chaosScenario(redisClusterDefinition);
