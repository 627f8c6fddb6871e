/**
 * The order subgraph is killed (SIGKILL) between reserving and committing.
 *
 * Its MySQL connections go through a TCP proxy we control. After a normal start (30 orders paid,
 * 10 left unpaid), the proxy freezes: the next 20 buyers' placeOrder reserve their units in Redis
 * (a reservation record with a deadline is written in the same Lua script) and then wait on their
 * commit. The process is killed right there: 20 reservations that will never become orders.
 *
 * A new order process starts. Its sweeper releases each record once its deadline plus the orphan
 * grace has passed and no order exists for it; the 10 unpaid orders expire on their own deadline.
 * Audits every second in between must never show a unit available that is not (nothing given back
 * twice), and at the end available = product.stock = S - paid.
 */
import { PrivateRedis } from '../lib/servers';
import { TcpProxy } from '../lib/tcp-proxy';
import { ChaosStack } from '../lib/stack';
import { Client, crowd, tally } from '../lib/client';
import { auditProduct, settledAudit } from '../lib/audit';
import { countInLog, fmtTally, Report, Scenario, ScenarioContext, seconds, sleep, waitUntil } from '../lib/scenario';
import { redisKeys } from '@flashsale/platform';
import { orderKeys } from '../../subgraphs/order/src/services/reservation.service';
import { ORPHAN_GRACE_MS } from '../../subgraphs/order/src/services/sweeper';

const STOCK = 100;
const HOLD_SECONDS = 8;

export const orderKillScenario: Scenario = {
  name: 'order-kill',
  summary: 'the order subgraph is SIGKILLed between reserving and committing',
  async run(ctx: ScenarioContext): Promise<Report> {
    const report = new Report('order-kill', ctx.log);
    const redis = await PrivateRedis.launch();
    const mysql = new URL(ctx.mysqlUrl);
    const proxy = await TcpProxy.start({ host: mysql.hostname, port: Number(mysql.port || 3306) });
    const orderMysql = `mysql://${mysql.username || 'root'}${mysql.password ? `:${mysql.password}` : ''}@127.0.0.1:${proxy.port}`;
    const stack = new ChaosStack({
      portBase: ctx.portBase,
      mysqlUrl: ctx.mysqlUrl,
      redisUrl: redis.url,
      env: { ORDER_SWEEP_INTERVAL_MS: '1000', RESERVATION_TTL_SECONDS: String(HOLD_SECONDS) },
      envFor: { order: { MYSQL_URL: orderMysql } },
      log: ctx.log,
    });
    try {
      await stack.start();
      report.line(`order subgraph's MySQL connections go through a TCP proxy on port ${proxy.port}; reservations are held ${HOLD_SECONDS} s, orphans released ${ORPHAN_GRACE_MS / 1000} s after that`);
      const client = Client.for(stack.gatewayUrl, stack.config, stack.secrets);
      const productId = await client.saleProduct(STOCK);
      const answered = new Set<string>();
      const src = stack.auditSources();
      const records = () => stack.redis().hlen(orderKeys.reservations(productId));

      const early = await client.buyers(40);
      const placed = await crowd(40, 20, (i) => client.placeOrder(early[i], productId));
      placed.forEach((o) => o.orderId && answered.add(o.orderId));
      const paid = await crowd(30, 10, (i) => client.payOrder(early[i], placed[i].orderId!));
      report.line(`40 placeOrder (${fmtTally(tally(placed))}), 30 paid (${fmtTally(tally(paid))}), 10 left unpaid`);
      const before = await records();

      // Reserve, then hang on the commit.
      proxy.freeze();
      const stuck = await client.buyers(20);
      const inFlight = Promise.all(stuck.map((b) => client.placeOrder(b, productId)));
      await waitUntil('20 reservations waiting on their commit', async () => (await records()) === before + 20, 30_000);
      const availableAtKill = Number(await stack.redis().hget(redisKeys.productStock(productId), 'available'));
      await stack.kill('order');
      const killedAt = Date.now();
      const answers = await inFlight;
      report.line(`MySQL frozen for the order subgraph; 20 placeOrder reserved (reservation records ${before} -> ${before + 20}, available ${availableAtKill}) and the process was SIGKILLed before committing`);
      report.line(`the 20 buyers saw: ${fmtTally(tally(answers))}`);
      report.check('no buyer of a killed request was told it had an order', answers.every((o) => o.kind !== 'ORDER'));

      // The dead process's connections die with it (nothing it sent is committed).
      await proxy.cut();
      await proxy.restore();
      const restartMs = await stack.launch('order');
      report.line(`order subgraph restarted in ${restartMs} ms`);

      // Watch the sweeper give the units back, never more than once.
      let worstPhantom = 0;
      let lastReleased = -1;
      const releasedLog = () => countInLog(stack.logFile('order'), 'released an orphaned reservation');
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
        (HOLD_SECONDS * 1000 + ORPHAN_GRACE_MS) * 2 + 30_000,
        1000,
      );
      await sleep(3000); // a few more sweeps: nothing more may come back
      report.line(`the restarted process's sweeper released the orphaned reservations ${seconds(doneMs)} after the restart; the 10 unpaid orders expired`);
      report.check('released exactly the 20 orphaned reservations, once each (sweeper log)', releasedLog() === 20);
      report.check('no audit while waiting showed a unit available that is not (nothing given back twice)', worstPhantom === 0);

      const audit = await settledAudit(src, { id: productId, initialStock: STOCK }, answered, { timeoutMs: 30_000 });
      report.audit = audit;
      report.check(`available = product.stock = ${STOCK} - 30 paid`, audit.available === STOCK - 30 && audit.productStock === STOCK - 30);
      return report;
    } finally {
      await stack.stop();
      await proxy.close();
      await redis.destroy();
    }
  },
};
