/**
 * Redis stops in the middle of a sale: first it hangs (SIGSTOP), then it dies (SIGKILL) and comes
 * back EMPTY (no persistence), while buyers keep buying. One definition, run at full size by
 * `npm run chaos -- redis` and at CI size by test/faults/redis.fault.test.ts.
 *
 *   1. The sale runs: `early` buyers order one unit each, `paidFirst` of them pay (stock.sold
 *      events applied to product.stock).
 *   2. The product subgraph's consumer stalls (its processed_event table is renamed away, so no
 *      event can be applied), so the next `paidStalled` payments publish stock.sold events to
 *      Redis that stay unconsumed: exactly what Redis will lose.
 *   3. Redis hangs: buyers' placeOrder and payOrder must fail with SERVICE_UNAVAILABLE in a bounded
 *      time (at most three Redis calls at REDIS_COMMAND_TIMEOUT_MS each) instead of hanging.
 *   4. Redis is killed; requests while it is down fail with SERVICE_UNAVAILABLE; it is restarted
 *      empty and the product subgraph's table is given back.
 *   5. Recovery: the outbox relay finds its epoch key gone and re-publishes recent events; the
 *      consumers recreate their groups (NOGROUP) and apply each event once; reconcile rebuilds
 *      the stock hash (with per-buyer counts and reservation records) from the database truth once
 *      product.stock has every event. One buyer retries with one key until the first order goes
 *      through. A product nobody ordered gets its listing back (carts know it) but no guessed
 *      `available`: its first order rebuilds that from the truth.
 *   6. `late` more buyers race for what is left, retrying with the same key while unavailable.
 *   7. Exact audit: no unit oversold, none lost, product.stock = S - paid, sold + pending = S.
 *
 * Method, both sizes: a private redis-server (paused, killed, restarted empty) under the stack
 * running in this process (InProcessScenarioStack): no process of the stack is broken, the
 * consumer is stalled through its table instead of a SIGSTOP of a product process, and the
 * in-process stack starts in seconds where five child processes take tens (the CI size's cost).
 */
import { fieldRecord, redisKeys } from '@flashsale/platform';
import { PrivateRedis } from '../lib/servers';
import { InProcessScenarioStack } from '../lib/in-process-stack';
import { Client, crowd, latency, Outcome, tally } from '../lib/client';
import { settledAudit } from '../lib/audit';
import { fmtTally, placeUntilAnswered, seconds, sleep, waitUntil } from '../lib/scenario';
import { chaosScenario, ScenarioDefinition } from '../lib/definition';

export interface RedisSize {
  stock: number;
  early: number;
  paidFirst: number;
  paidStalled: number;
  /** placeOrder and payOrder calls sent while Redis hangs. */
  hangOrders: number;
  hangPayments: number;
  /** placeOrder calls sent while Redis is dead. */
  downOrders: number;
  late: number;
  commandTimeoutMs: number;
  /** Allowed on top of three command timeouts for an answer during the hang. */
  hangSlackMs: number;
  /** How long Redis stays hung, and dead, at least. */
  pauseMs: number;
  downMs: number;
  /** Within how long after the restart placeOrder and carts must work again. */
  recoveryMs: number;
  listingMs: number;
}

const QUIET_STOCK = 5;
const QUIET_PRICE = 700;

export const redisDefinition: ScenarioDefinition<RedisSize> = {
  name: 'redis',
  summary: 'Redis hangs (SIGSTOP), then dies and restarts empty, mid-sale',
  sizes: {
    ci: { stock: 30, early: 10, paidFirst: 4, paidStalled: 3, hangOrders: 4, hangPayments: 2, downOrders: 3, late: 30, commandTimeoutMs: 500, hangSlackMs: 3000, pauseMs: 0, downMs: 0, recoveryMs: 30_000, listingMs: 10_000 },
    full: { stock: 300, early: 80, paidFirst: 40, paidStalled: 20, hangOrders: 20, hangPayments: 5, downOrders: 10, late: 400, commandTimeoutMs: 1000, hangSlackMs: 2000, pauseMs: 6000, downMs: 3000, recoveryMs: 60_000, listingMs: 30_000 },
  },
  async run(size, ctx, report) {
    const STOCK = size.stock;
    const paidTotal = size.paidFirst + size.paidStalled;
    const redis = await PrivateRedis.launch();
    report.line(`private redis-server on port ${redis.port} (no persistence); REDIS_COMMAND_TIMEOUT_MS=${size.commandTimeoutMs}`);
    const stack = await InProcessScenarioStack.start(ctx.mysqlUrl, redis.url, { REDIS_COMMAND_TIMEOUT_MS: String(size.commandTimeoutMs), ORDER_SWEEP_INTERVAL_MS: '1000' }).catch(async (err) => {
      await redis.destroy();
      throw err;
    });
    try {
      const client = Client.for(stack.gatewayUrl, stack.config, stack.secrets);
      const productId = await client.saleProduct(STOCK);
      // Nobody orders this one around the outage: only its listing matters (carts read it).
      const quietId = await client.saleProduct(QUIET_STOCK, { price: QUIET_PRICE });
      const answered = new Set<string>();
      const remember = (o: Outcome) => o.kind === 'ORDER' && o.orderId && answered.add(o.orderId);
      const productStock = async () => Number((await stack.sql<{ stock: number }>('product', 'select stock from product where id = ?', [productId]))[0].stock);

      // 1. The sale runs.
      const early = await client.buyers(size.early);
      const placed = await crowd(size.early, 20, (i) => client.placeOrder(early[i], productId));
      placed.forEach(remember);
      const paidA = await crowd(size.paidFirst, 10, (i) => client.payOrder(early[i], placed[i].orderId!));
      await waitUntil(`${size.paidFirst} stock.sold events applied`, async () => (await productStock()) === STOCK - size.paidFirst);
      report.line(`sale of ${STOCK} units: ${size.early} placeOrder (${fmtTally(tally(placed))}), ${size.paidFirst} payOrder (${fmtTally(tally(paidA))}); product.stock ${STOCK - size.paidFirst}`);

      // 2. The product subgraph's consumer stalls: stock events reach Redis and stay there unconsumed.
      await stack.sql('product', 'rename table processed_event to processed_event_stalled');
      const paidB = await crowd(size.paidStalled, 10, (i) => client.payOrder(early[size.paidFirst + i], placed[size.paidFirst + i].orderId!));
      await waitUntil('the relay published every stock event', async () => {
        const [row] = await stack.sql<{ n: number }>('order', 'select count(*) as n from outbox where published_at is null');
        return Number(row.n) === 0;
      });
      const unconsumed = await unconsumedEvents(stack);
      report.line(`product subgraph's consumer stalled (processed_event renamed away); ${size.paidStalled} more payOrder (${fmtTally(tally(paidB))}): ${unconsumed} stock events now in Redis, published but not consumed`);

      // 3. Redis hangs.
      const hangBuyers = await client.buyers(size.hangOrders);
      redis.pause();
      const pausedAt = Date.now();
      const duringHang = await Promise.all([
        ...hangBuyers.map((b) => client.placeOrder(b, productId)),
        ...Array.from({ length: size.hangPayments }, (_, k) => paidTotal + k).map((i) => client.payOrder(early[i], placed[i].orderId!)),
      ]);
      const hangPlace = duringHang.slice(0, size.hangOrders);
      const hangPay = duringHang.slice(size.hangOrders);
      await sleep(Math.max(0, size.pauseMs - (Date.now() - pausedAt)));
      report.line(
        `Redis paused (SIGSTOP) for ${seconds(Date.now() - pausedAt)}: ${size.hangOrders} placeOrder answered ${fmtTally(tally(hangPlace))} in ${fmt(latency(hangPlace))}; ` +
          `${size.hangPayments} payOrder answered ${fmtTally(tally(hangPay))} in ${fmt(latency(hangPay))}`,
      );
      const bound = 3 * size.commandTimeoutMs + size.hangSlackMs;
      report.check(
        `every request during the hang answered SERVICE_UNAVAILABLE within ${bound} ms (placeOrder makes at most 3 Redis calls before giving up: two rate-limit counters, one replay check; at ${size.commandTimeoutMs} ms + ${size.hangSlackMs} ms)`,
        duringHang.every((o) => o.kind === 'SERVICE_UNAVAILABLE' && o.ms < bound),
      );

      // 4. Redis dies and comes back empty.
      await redis.kill();
      const killedAt = new Date();
      const downBuyers = await client.buyers(size.downOrders);
      const whileDown = await Promise.all(downBuyers.map((b) => client.placeOrder(b, productId)));
      await sleep(Math.max(0, size.downMs - (Date.now() - killedAt.getTime())));
      const restartMs = await redis.start();
      const restartedAt = new Date();
      await stack.sql('product', 'rename table processed_event_stalled to processed_event');
      report.line(`Redis killed (SIGKILL) while paused; during ${seconds(restartedAt.getTime() - killedAt.getTime())} down, ${size.downOrders} placeOrder answered ${fmtTally(tally(whileDown))} in ${fmt(latency(whileDown))}`);
      report.check('every request while Redis was down answered SERVICE_UNAVAILABLE', whileDown.every((o) => o.kind === 'SERVICE_UNAVAILABLE'));
      report.line(`Redis restarted EMPTY in ${restartMs} ms (keys: ${await stack.redis().dbsize()}); the product subgraph's consumer can apply events again`);

      // 5. Recovery: one buyer presses buy (same key) until it works.
      const [probe] = await client.buyers(1);
      const first = await placeUntilAnswered(client, probe, productId, 'probe', { delayMs: 100, maxAttempts: size.recoveryMs / 100 });
      const recoveredMs = Date.now() - restartedAt.getTime();
      remember(first.final);
      report.line(`first order after the restart: ${first.final.kind} ${seconds(recoveredMs)} after Redis came back (attempt ${first.attempts}; any before it answered SERVICE_UNAVAILABLE)`);
      report.check(`placeOrder works again within ${seconds(size.recoveryMs)} after Redis came back (the same buyer, the same key)`, first.final.kind === 'ORDER' && recoveredMs < size.recoveryMs);

      const [replayed] = await stack.sql<{ n: number }>('order', 'select count(*) as n from outbox where created_at < ? and published_at >= ?', [killedAt, restartedAt]);
      report.line(`recovery: outbox relay re-published ${replayed.n} events written before the loss`);

      // The product nobody touched: its listing is written back, its `available` waits for reconcile.
      const [shopper] = await client.buyers(1);
      const addQuiet = async () => {
        const { data, outcome } = await client.call<{ addToCart: { userErrors: Array<{ code: string }> } }>(
          'mutation($p: ID!) { addToCart(productId: $p, quantity: 1) { cart { totalQuantity } userErrors { code } } }',
          { p: quietId },
          shopper.token,
        );
        return outcome.kind === 'OK' && data?.addToCart.userErrors.length === 0;
      };
      const listingMs = await waitUntil('a product nobody ordered to be known to carts again', addQuiet, size.listingMs, 250).catch(() => -1);
      report.line(`a product nobody ordered around the outage could be added to a cart again ${listingMs >= 0 ? `after ${seconds(Date.now() - restartedAt.getTime())}` : 'NEVER'} (its listing is written back; its stock hash waits for reconcile)`);
      report.check(`carts know untouched products again within ${seconds(size.listingMs)} (listing restored)`, listingMs >= 0);
      const quietHash = await stack.redis().hmget(redisKeys.productStock(quietId), 'price', 'available');
      report.check(`the untouched product's hash holds its listing only (price ${QUIET_PRICE}, no guessed available): ${JSON.stringify(quietHash)}`, quietHash[0] === String(QUIET_PRICE) && quietHash[1] === null);
      const quietOrder = await client.placeOrder(shopper, quietId, 2);
      const quietAvailable = await stack.redis().hget(redisKeys.productStock(quietId), 'available');
      report.check(`its first order (2 units) goes through and rebuilds available from the truth (${quietOrder.kind}, available ${quietAvailable})`, quietOrder.kind === 'ORDER' && quietAvailable === String(QUIET_STOCK - 2));

      // 6. The rest of the sale.
      const late = await client.buyers(size.late);
      const rest = await crowd(size.late, 40, (i) => placeUntilAnswered(client, late[i], productId, `late-${i}`));
      rest.forEach((r) => remember(r.final));
      report.line(`${size.late} more buyers: ${fmtTally(tally(rest.map((r) => r.final)))} (first attempts: ${fmtTally(tally(rest.map((r) => r.first)))})`);
      report.check('every later buyer got ORDER or SOLD_OUT', rest.every((r) => r.final.kind === 'ORDER' || r.final.kind === 'SOLD_OUT'));

      // 7. The audit, once every event has been applied.
      const audit = await settledAudit(stack.auditSources(), { id: productId, initialStock: STOCK }, answered, { timeoutMs: 60_000 });
      report.audit = audit;
      report.check(`sold + pending = ${STOCK}: no unit left unsold or orphaned while buyers were turned away`, audit.sold + audit.pending === STOCK && audit.orphaned === 0);
      report.check(`the ${size.paidStalled} stock events Redis lost were applied once (sold ${paidTotal}, product.stock = ${STOCK} - ${paidTotal}, no drift)`, audit.stockDrift === 0 && audit.sold === paidTotal && audit.productStock === STOCK - paidTotal);
      report.check('nothing oversold, lost or phantom; available 0', audit.oversold === 0 && audit.lost === 0 && audit.phantom === 0 && audit.available === 0);
      const available = await stack.redis().hget(redisKeys.productStock(productId), 'available');
      report.line(`Redis stock hash after the sale: available ${available}`);
      report.check("the Redis stock hash's available is 0", available === '0');
    } finally {
      await stack.stop();
      await redis.destroy();
    }
  },
};

export const redisScenario = chaosScenario(redisDefinition);

function fmt(l: { min: number; p50: number; max: number }): string {
  return `${l.min}-${l.max} ms (median ${l.p50})`;
}

/** Stock events in Redis that the product subgraph's group has not acknowledged (lag + pending). */
async function unconsumedEvents(stack: InProcessScenarioStack): Promise<number> {
  const redis = stack.redis();
  const groups = (await redis.xinfo('GROUPS', `${stack.config.REDIS_PREFIX}${redisKeys.stockEvents}`)) as Array<Array<string | number | null>>;
  let n = 0;
  for (const g of groups) {
    const info = fieldRecord(g);
    n += Number(info.pending ?? 0) + Number(info.lag ?? 0);
  }
  return n;
}
