/**
 * Measures placeOrder through the gateway of an in-process stack (test/support/stack.ts): N buyers
 * press "buy" at the same moment for one product with U units. Prints throughput and latency
 * percentiles and checks the outcome (exactly U orders while stock lasts). A quick check for the
 * order subgraph's own work; the project's benchmark (npm run bench) is the full measurement.
 *
 *   node -r @swc-node/register test/support/order-throughput.ts [buyer|product] [buyers=1000] [units=100]
 */
import { startStack } from './stack';
import { createSaleProduct } from './catalog';
import { available, buyers, placeOrder, unitsIn } from './orders';

async function main() {
  const scope = (process.argv[2] ?? 'buyer') as 'buyer' | 'product';
  const n = Number(process.argv[3] ?? 1000);
  const units = Number(process.argv[4] ?? 100);
  const stack = await startStack({ ORDER_LOCK_SCOPE: scope, LOG_LEVEL: 'error', RATE_LIMITS: `placeOrder:user:1000/10,placeOrder:ip:${10 * n}/10` });
  try {
    const product = await createSaleProduct(stack, { stock: units });
    const crowd = await buyers(stack, n);
    // Warm-up: connections, query plans, script cache.
    const warm = await createSaleProduct(stack, { stock: 50 });
    await Promise.all(crowd.slice(0, 50).map((b) => placeOrder(stack, b, [{ productId: warm.id, quantity: 1 }])));

    const latencies: number[] = [];
    const started = performance.now();
    const answers = await Promise.all(
      crowd.map(async (b) => {
        const t = performance.now();
        const a = await placeOrder(stack, b, [{ productId: product.id, quantity: 1 }]);
        latencies.push(performance.now() - t);
        return a;
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((x, y) => x - y);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)].toFixed(0);
    const ok = answers.filter((a) => a.payload?.order).length;
    const soldOut = answers.filter((a) => a.payload?.userErrors[0]?.code === 'SOLD_OUT').length;
    const failed = answers.filter((a) => a.errors).length;
    console.log(
      JSON.stringify({
        scope,
        buyers: n,
        units,
        orders: ok,
        soldOut,
        errors: failed,
        availableAfter: await available(stack, product.id),
        pendingUnitsInMySQL: await unitsIn(stack, product.id, ['PENDING_PAYMENT']),
        seconds: Number(seconds.toFixed(2)),
        requestsPerSecond: Math.round(n / seconds),
        latencyMs: { p50: pct(50), p90: pct(90), p99: pct(99), max: pct(100) },
      }),
    );
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
