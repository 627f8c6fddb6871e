/**
 * The order subgraph is killed (SIGKILL) between reserving and committing: one definition, run at
 * full size by `npm run chaos -- order-kill` and at CI size by test/faults/order-kill.fault.test.ts.
 *
 * Its MySQL connections go through a TCP proxy we control. After a normal start (`placed` orders,
 * `paid` of them paid, the rest left unpaid), the proxy freezes: the next `stuck` buyers' placeOrder
 * reserve their units in Redis (a reservation record with a deadline is written in the same Lua
 * script) and then wait on their commit. The process is killed right there: reservations that
 * will never become orders, and no order row for any of those buyers.
 *
 * The order process starts again. Nothing comes back before the reservations are overdue (the
 * commit might still have landed). Its sweeper then releases each record once its deadline plus
 * the orphan grace has passed and no order exists for it, exactly once (a few more sweeps release
 * nothing); unpaid orders expire on their own deadline. Audits every second in between must never
 * show a unit available that is not, and at the end available = product.stock = S - paid, and the
 * stuck buyers' per-customer counts are back at zero.
 *
 * Method, both sizes: every service is its own process (ChaosStack; the sources under jest) and
 * the sweeper of the restarted process is watched in real time (its log and the audit), so the
 * CI run waits the orphan grace (30 s) instead of moving a clock: a moved clock can only drive a
 * sweeper inside the test's own process, which the full size does not have.
 */
import { redisKeys } from '@flashsale/platform';
import { PrivateRedis } from '../lib/servers';
import { TcpProxy } from '../lib/tcp-proxy';
import { ChaosStack } from '../lib/stack';
import { Client, crowd, tally } from '../lib/client';
import { auditProduct, settledAudit } from '../lib/audit';
import { countInLog, fmtTally, seconds, sleep, waitUntil } from '../lib/scenario';
import { chaosScenario, ScenarioDefinition, stackOptions } from '../lib/definition';
import { orderKeys } from '../../subgraphs/order/src/services/reservation.service';
import { ORPHAN_GRACE_MS } from '../../subgraphs/order/src/services/sweeper';

export interface OrderKillSize {
  stock: number;
  placed: number;
  paid: number;
  /** Buyers whose placeOrder reserves and is killed before its commit. */
  stuck: number;
  stuckQuantity: number;
  holdSeconds: number;
}

export const orderKillDefinition: ScenarioDefinition<OrderKillSize> = {
  name: 'order-kill',
  summary: 'the order subgraph is SIGKILLed between reserving and committing',
  sizes: {
    ci: { stock: 10, placed: 2, paid: 2, stuck: 3, stuckQuantity: 2, holdSeconds: 2 },
    full: { stock: 100, placed: 40, paid: 30, stuck: 20, stuckQuantity: 1, holdSeconds: 8 },
  },
  async run(size, ctx, report) {
    const { stock: STOCK, stuck: STUCK } = size;
    const redis = await PrivateRedis.launch();
    const mysql = new URL(ctx.mysqlUrl);
    const proxy = await TcpProxy.start({ host: mysql.hostname, port: Number(mysql.port || 3306) });
    const orderMysql = `mysql://${mysql.username || 'root'}${mysql.password ? `:${mysql.password}` : ''}@127.0.0.1:${proxy.port}`;
    const stack = new ChaosStack(
      stackOptions(ctx, redis.url, {
        env: { ORDER_SWEEP_INTERVAL_MS: '1000', RESERVATION_TTL_SECONDS: String(size.holdSeconds) },
        envFor: { order: { MYSQL_URL: orderMysql } },
      }),
    );
    try {
      await stack.start();
      report.line(`order subgraph's MySQL connections go through a TCP proxy on port ${proxy.port}; reservations are held ${size.holdSeconds} s, orphans released ${ORPHAN_GRACE_MS / 1000} s after that`);
      const client = Client.for(stack.gatewayUrl, stack.config, stack.secrets);
      const productId = await client.saleProduct(STOCK);
      const answered = new Set<string>();
      const src = stack.auditSources();
      const records = () => stack.redis().hlen(orderKeys.reservations(productId));
      const availableNow = async () => Number(await stack.redis().hget(redisKeys.productStock(productId), 'available'));

      const early = await client.buyers(size.placed);
      const placed = await crowd(size.placed, 20, (i) => client.placeOrder(early[i], productId));
      placed.forEach((o) => o.orderId && answered.add(o.orderId));
      const paid = await crowd(size.paid, 10, (i) => client.payOrder(early[i], placed[i].orderId!));
      report.line(`${size.placed} placeOrder (${fmtTally(tally(placed))}), ${size.paid} paid (${fmtTally(tally(paid))}), ${size.placed - size.paid} left unpaid`);
      const before = await records();

      // Reserve, then hang on the commit.
      proxy.freeze();
      const stuck = await client.buyers(STUCK);
      const inFlight = Promise.all(stuck.map((b) => client.placeOrder(b, productId, size.stuckQuantity)));
      await waitUntil(`${STUCK} reservations waiting on their commit`, async () => (await records()) === before + STUCK, 30_000);
      const availableAtKill = await availableNow();
      const heldAtKill = STOCK - size.placed - STUCK * size.stuckQuantity;
      report.check(`the stuck reservations hold their units: available ${availableAtKill} = ${STOCK} - ${size.placed} - ${STUCK}×${size.stuckQuantity}`, availableAtKill === heldAtKill);
      await stack.kill('order');
      const killedAt = Date.now();
      const answers = await inFlight;
      report.line(`MySQL frozen for the order subgraph; ${STUCK} placeOrder reserved (reservation records ${before} -> ${before + STUCK}, available ${availableAtKill}) and the process was SIGKILLed before committing`);
      report.line(`the ${STUCK} buyers saw: ${fmtTally(tally(answers))}`);
      report.check('no buyer of a killed request was told it had an order', answers.every((o) => o.kind !== 'ORDER' && !o.orderId));

      // The dead process's connections die with it (nothing it sent is committed).
      await proxy.cut();
      await proxy.restore();
      const stuckOrders = await stack.sql('order', 'select id from `order` where user_id in (?)', [stuck.map((b) => b.userId)]);
      report.check('no order row exists for any killed request', stuckOrders.length === 0);
      const restartMs = await stack.launch('order');
      report.line(`order subgraph restarted in ${restartMs} ms`);

      // Before the reservations are overdue, nothing is given back (the commit might still land).
      const releasedLog = () => countInLog(stack.logFile('order'), 'released an orphaned reservation');
      const justRestarted = await auditProduct(src, { id: productId, initialStock: STOCK }, answered);
      const notYet = Date.now() - killedAt < (size.holdSeconds * 1000 + ORPHAN_GRACE_MS) / 2;
      report.check(
        `right after the restart, ${seconds(Date.now() - killedAt)} after the kill (before the holds are overdue): nothing given back (orphaned units ${justRestarted.orphaned}, released ${releasedLog()})`,
        notYet && justRestarted.orphaned === STUCK * size.stuckQuantity && releasedLog() === 0,
      );

      // Watch the sweeper give the units back, never more than once.
      let worstPhantom = 0;
      let lastReleased = -1;
      const doneMs = await waitUntil(
        'the orphaned reservations to be released',
        async () => {
          const a = await auditProduct(src, { id: productId, initialStock: STOCK }, answered);
          worstPhantom = Math.max(worstPhantom, a.phantom);
          const released = releasedLog();
          if (released !== lastReleased) {
            lastReleased = released;
            ctx.log(`+${seconds(Date.now() - killedAt)}: available ${a.available}, orphaned units ${a.orphaned}, released so far ${released}`);
          }
          return a.orphaned === 0 && a.pending === 0;
        },
        (size.holdSeconds * 1000 + ORPHAN_GRACE_MS) * 2 + 30_000,
        1000,
      );
      await sleep(3000); // a few more sweeps: nothing more may come back
      report.line(`the restarted process's sweeper released the orphaned reservations ${seconds(doneMs)} after the restart; the ${size.placed - size.paid} unpaid orders expired`);
      report.check(`released exactly the ${STUCK} orphaned reservations, once each (sweeper log, after a few more sweeps)`, releasedLog() === STUCK);
      report.check('no audit while waiting showed a unit available that is not (nothing given back twice)', worstPhantom === 0);
      const boughtLeft = await Promise.all(stuck.map(async (b) => Number((await stack.redis().hget(orderKeys.bought(productId), b.userId)) ?? 0)));
      report.check("the killed buyers' per-customer counts are back at 0", boughtLeft.every((n) => n === 0));

      const audit = await settledAudit(src, { id: productId, initialStock: STOCK }, answered, { timeoutMs: 30_000 });
      report.audit = audit;
      report.check(
        `available = product.stock = ${STOCK} - ${size.paid} paid; sold ${size.paid}, nothing pending or orphaned`,
        audit.available === STOCK - size.paid && audit.productStock === STOCK - size.paid && audit.sold === size.paid && audit.pending === 0 && audit.orphaned === 0,
      );
    } finally {
      await stack.stop();
      await proxy.close();
      await redis.destroy();
    }
  },
};

export const orderKillScenario = chaosScenario(orderKillDefinition);
