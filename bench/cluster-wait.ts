/**
 * What a reservation costs on a Redis Cluster, and what `WAIT 1 <REDIS_CLUSTER_WAIT_MS>` adds
 * (redis-cluster-guard.ts G4), beside the same script on the single Redis at REDIS_URL. Only the
 * reservation script (StockLedger.reserve, one product, one unit, give-back after), no HTTP and
 * no MySQL: the Redis part of a placeOrder. Prints numbers; it passes or fails nothing.
 *
 *   node -r @swc-node/register bench/cluster-wait.ts [reservations=4000] [concurrency=1,32]
 */
import { randomUUID } from 'node:crypto';
import { ClusterShardGuard, StockLedger, createLogger, createRedis, deletePrefixedKeys, loadConfig } from '@flashsale/platform';
import { startRedisCluster } from '../scripts/launcher/redis-cluster';
import { summarize } from './stats';

const total = Number(process.argv[2] ?? 4000);
const concurrencies = (process.argv[3] ?? '1,32').split(',').map(Number);
const listing = { price: 1000, currency: 'USD', opensAt: 0, closesAt: 0, maxPerCustomer: 0, active: 1 as const, waitingRoom: 0 as const };

interface Variant {
  name: string;
  ledger: StockLedger;
}

async function measure(variant: Variant, concurrency: number): Promise<string> {
  const productId = randomUUID();
  await variant.ledger.sync(productId, 'set', total * 2, listing);
  const latencies: number[] = [];
  let next = 0;
  const before = variant.ledger.unreplicated;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const t = process.hrtime.bigint();
        const outcome = await variant.ledger.reserve({ reservationId: randomUUID(), buyer: randomUUID(), lines: [{ productId, quantity: 1 }], holdMs: 60_000 });
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
        if (outcome.status !== 'reserved') throw new Error(`reserve answered ${outcome.status}`);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const s = summarize(latencies);
  const left = await variant.ledger.availableOf([productId]);
  return `${variant.name.padEnd(34)} c=${String(concurrency).padStart(3)}  ${(total / seconds).toFixed(0).padStart(6)} reserves/s  mean ${s.mean.toFixed(3)} ms  p50 ${s.p50.toFixed(3)}  p99 ${s.p99.toFixed(3)}  unreplicated ${variant.ledger.unreplicated - before}  audit ${left[0] === total ? 'exact' : `WRONG (${left[0]})`}`;
}

async function main(): Promise<void> {
  const prefix = `bench:wait:${Date.now().toString(36)}:`;
  const single = loadConfig({ ...process.env, REDIS_PREFIX: prefix, REDIS_CLUSTER_NODES: '' });
  const cluster = await startRedisCluster({ primaries: 3, replicasPerPrimary: 1 });
  const clients = [createRedis(single)];
  try {
    const variants: Variant[] = [{ name: 'single Redis (REDIS_URL)', ledger: new StockLedger(clients[0]) }];
    for (const waitMs of [0, 20]) {
      const config = loadConfig({ ...process.env, REDIS_PREFIX: prefix, REDIS_CLUSTER_NODES: cluster.seeds });
      const redis = createRedis(config);
      clients.push(redis);
      const ledger = new StockLedger(redis);
      const guard = new ClusterShardGuard(redis, { logger: createLogger(config, 'bench'), quarantineMs: 1, onHistoryChanged: async () => undefined, markLost: async () => undefined });
      await guard.check();
      ledger.guardWith(guard, waitMs);
      variants.push({ name: `cluster 3+3, WAIT ${waitMs ? `1 ${waitMs} ms` : 'off'}`, ledger });
    }
    process.stdout.write(`${total} reservations per run (one product, one unit each)\n`);
    for (const concurrency of concurrencies) for (const v of variants) process.stdout.write(`${await measure(v, concurrency)}\n`);
  } finally {
    await deletePrefixedKeys(clients[0], prefix).catch(() => undefined);
    for (const c of clients) c.disconnect();
    await cluster.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
