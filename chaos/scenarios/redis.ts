/**
 * Redis stops in the middle of a sale: first it hangs (SIGSTOP), then it dies (SIGKILL) and comes
 * back EMPTY (no persistence), while buyers keep buying.
 *
 *   1. The sale runs: 80 buyers order one unit each, 40 of them pay (stock.sold events applied).
 *   2. The product subgraph stalls (SIGSTOP), so the next 20 payments publish stock.sold events to
 *      Redis that nobody consumes: exactly what Redis will lose.
 *   3. Redis hangs: buyers' placeOrder and payOrder must fail with SERVICE_UNAVAILABLE in a bounded
 *      time (REDIS_COMMAND_TIMEOUT_MS per Redis call) instead of hanging.
 *   4. Redis is killed and restarted empty; the product subgraph resumes.
 *   5. Recovery: the outbox relay finds its epoch key gone and re-publishes recent events; the
 *      consumers recreate their groups (NOGROUP) and apply each event once; reconcile rebuilds
 *      the stock hash (with per-buyer counts and reservation records) from the database truth once
 *      product.stock has every event. One buyer retries until the first order goes through.
 *   6. 400 more buyers race for what is left, retrying with the same key while unavailable.
 *   7. Exact audit: no unit oversold, none lost, product.stock = S - paid.
 */
import { PrivateRedis } from '../lib/servers';
import { ChaosStack } from '../lib/stack';
import { Client, crowd, latency, Outcome, tally } from '../lib/client';
import { settledAudit } from '../lib/audit';
import { countInLog, fmtTally, placeUntilAnswered, Report, Scenario, ScenarioContext, seconds, sleep, waitUntil } from '../lib/scenario';
import { redisKeys } from '@flashsale/platform';

const STOCK = 300;
const COMMAND_TIMEOUT_MS = 1000;
const PAUSE_MS = 6000;
const DOWN_MS = 3000;

export const redisScenario: Scenario = {
  name: 'redis',
  summary: 'Redis hangs (SIGSTOP), then dies and restarts empty, mid-sale',
  async run(ctx: ScenarioContext): Promise<Report> {
    const report = new Report('redis', ctx.log);
    const redis = await PrivateRedis.launch();
    report.line(`private redis-server on port ${redis.port} (no persistence); REDIS_COMMAND_TIMEOUT_MS=${COMMAND_TIMEOUT_MS}`);
    const stack = new ChaosStack({
      portBase: ctx.portBase,
      mysqlUrl: ctx.mysqlUrl,
      redisUrl: redis.url,
      env: { REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS), ORDER_SWEEP_INTERVAL_MS: '1000' },
      log: ctx.log,
    });
    try {
      await stack.start();
      const client = Client.for(stack.gatewayUrl, stack.config, stack.secrets);
      const productId = await client.saleProduct(STOCK);
      // Nobody orders this one around the outage: only its listing matters (carts read it).
      const quietId = await client.saleProduct(5);
      const answered = new Set<string>();
      const remember = (o: Outcome) => o.kind === 'ORDER' && o.orderId && answered.add(o.orderId);
      const productStock = async () => Number((await stack.sql<{ stock: number }>('product', 'select stock from product where id = ?', [productId]))[0].stock);

      // 1. The sale runs.
      const early = await client.buyers(80);
      const placed = await crowd(80, 20, (i) => client.placeOrder(early[i], productId));
      placed.forEach(remember);
      const paidA = await crowd(40, 10, (i) => client.payOrder(early[i], placed[i].orderId!));
      await waitUntil('40 stock.sold events applied', async () => (await productStock()) === STOCK - 40);
      report.line(`sale of ${STOCK} units: 80 placeOrder (${fmtTally(tally(placed))}), 40 payOrder (${fmtTally(tally(paidA))}); product.stock ${STOCK - 40}`);

      // 2. The product subgraph stalls: stock events reach Redis and stay there unconsumed.
      stack.pause('product');
      const paidB = await crowd(20, 10, (i) => client.payOrder(early[40 + i], placed[40 + i].orderId!));
      await waitUntil('the relay published every stock event', async () => {
        const [row] = await stack.sql<{ n: number }>('order', 'select count(*) as n from outbox where published_at is null');
        return Number(row.n) === 0;
      });
      const unconsumed = await unconsumedEvents(stack);
      report.line(`product subgraph paused (SIGSTOP); 20 more payOrder (${fmtTally(tally(paidB))}): ${unconsumed} stock events now in Redis, published but not consumed`);

      // 3. Redis hangs.
      const hangBuyers = await client.buyers(20);
      redis.pause();
      const pausedAt = Date.now();
      const duringHang = await Promise.all([
        ...hangBuyers.map((b) => client.placeOrder(b, productId)),
        ...[60, 61, 62, 63, 64].map((i) => client.payOrder(early[i], placed[i].orderId!)),
      ]);
      const hangPlace = duringHang.slice(0, 20);
      const hangPay = duringHang.slice(20);
      await sleep(Math.max(0, PAUSE_MS - (Date.now() - pausedAt)));
      report.line(
        `Redis paused (SIGSTOP) for ${seconds(Date.now() - pausedAt)}: 20 placeOrder answered ${fmtTally(tally(hangPlace))} in ${fmt(latency(hangPlace))}; ` +
          `5 payOrder answered ${fmtTally(tally(hangPay))} in ${fmt(latency(hangPay))}`,
      );
      const bound = 3 * COMMAND_TIMEOUT_MS + 2000;
      report.check(`every request during the hang answered SERVICE_UNAVAILABLE within ${bound} ms (3 Redis calls at ${COMMAND_TIMEOUT_MS} ms + 2 s)`, duringHang.every((o) => o.kind === 'SERVICE_UNAVAILABLE' && o.ms < bound));

      // 4. Redis dies and comes back empty.
      await redis.kill();
      const killedAt = new Date();
      const downBuyers = await client.buyers(10);
      const whileDown = await Promise.all(downBuyers.map((b) => client.placeOrder(b, productId)));
      await sleep(Math.max(0, DOWN_MS - (Date.now() - killedAt.getTime())));
      const restartMs = await redis.start();
      const restartedAt = new Date();
      stack.resume('product');
      report.line(`Redis killed (SIGKILL) while paused; during ${seconds(restartedAt.getTime() - killedAt.getTime())} down, 10 placeOrder answered ${fmtTally(tally(whileDown))} in ${fmt(latency(whileDown))}`);
      report.check('every request while Redis was down answered SERVICE_UNAVAILABLE', whileDown.every((o) => o.kind === 'SERVICE_UNAVAILABLE'));
      report.line(`Redis restarted EMPTY in ${restartMs} ms (keys: ${await stack.redis().dbsize()}); product subgraph resumed`);

      // 5. Recovery: one buyer presses buy until it works.
      const [probe] = await client.buyers(1);
      const first = await placeUntilAnswered(client, probe, productId, 'probe', { delayMs: 100, maxAttempts: 600 });
      remember(first.final);
      const recoveredMs = Date.now() - restartedAt.getTime();
      report.line(`first order after the restart: ${first.final.kind} ${seconds(recoveredMs)} after Redis came back (attempt ${first.attempts}; any before it answered SERVICE_UNAVAILABLE)`);
      report.check('placeOrder works again after Redis came back', first.final.kind === 'ORDER');

      const [replayed] = await stack.sql<{ n: number }>('order', 'select count(*) as n from outbox where created_at < ? and published_at >= ?', [killedAt, restartedAt]);
      report.line(
        `recovery: outbox relay re-published ${replayed.n} events written before the loss; consumer groups recreated: ` +
          `product ${countInLog(stack.logFile('product'), 'recreating it')}, cart ${countInLog(stack.logFile('cart'), 'recreating it')}; ` +
          `stock hashes rebuilt from the database truth: ${countInLog(stack.logFile('order'), 'rebuilt a lost stock hash')}`,
      );

      const [shopper] = await client.buyers(1);
      const addQuiet = async () => {
        const { data, outcome } = await client.call<{ addToCart: { userErrors: Array<{ code: string }> } }>(
          'mutation($p: ID!) { addToCart(productId: $p, quantity: 1) { cart { totalQuantity } userErrors { code } } }',
          { p: quietId },
          shopper.token,
        );
        return outcome.kind === 'OK' && data?.addToCart.userErrors.length === 0;
      };
      const listingMs = await waitUntil('a product nobody ordered to be known to carts again', addQuiet, 30_000, 250).catch(() => -1);
      report.line(`a product nobody ordered around the outage could be added to a cart again ${listingMs >= 0 ? `after ${seconds(Date.now() - restartedAt.getTime())}` : 'NEVER'} (its listing is written back; its stock hash waits for reconcile)`);
      report.check('carts know untouched products again (listing restored)', listingMs >= 0);

      // 6. The rest of the sale.
      const late = await client.buyers(400);
      const rest = await crowd(400, 40, (i) => placeUntilAnswered(client, late[i], productId, `late-${i}`));
      rest.forEach((r) => remember(r.final));
      report.line(`400 more buyers: ${fmtTally(tally(rest.map((r) => r.final)))} (first attempts: ${fmtTally(tally(rest.map((r) => r.first)))})`);

      // 7. The audit, once every event has been applied.
      const audit = await settledAudit(stack.auditSources(), { id: productId, initialStock: STOCK }, answered, { timeoutMs: 60_000 });
      report.audit = audit;
      report.check(`sold + held = ${STOCK}: no unit left unsold while buyers were turned away`, audit.sold + audit.pending + audit.orphaned === STOCK);
      report.check('the 20 stock events Redis lost were applied once (product.stock = stock - paid)', audit.stockDrift === 0 && audit.sold === 60);
      const [hash] = [await stack.redis().hgetall(redisKeys.productStock(productId))];
      report.line(`Redis stock hash after the sale: available ${hash.available}`);
      return report;
    } finally {
      await stack.stop();
      await redis.destroy();
    }
  },
};

function fmt(l: { min: number; p50: number; max: number }): string {
  return `${l.min}-${l.max} ms (median ${l.p50})`;
}

/** Stock events in Redis that the product subgraph's group has not acknowledged (lag + pending). */
async function unconsumedEvents(stack: ChaosStack): Promise<number> {
  const redis = stack.redis();
  const groups = (await redis.xinfo('GROUPS', `${stack.config.REDIS_PREFIX}${redisKeys.stockEvents}`)) as Array<Array<string | number | null>>;
  let n = 0;
  for (const g of groups) {
    const info: Record<string, unknown> = {};
    for (let i = 0; i + 1 < g.length; i += 2) info[String(g[i])] = g[i + 1];
    n += Number(info.pending ?? 0) + Number(info.lag ?? 0);
  }
  return n;
}
