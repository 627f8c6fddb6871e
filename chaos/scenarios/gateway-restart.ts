/**
 * The gateway is killed (SIGKILL) in the middle of a sale and started again.
 *
 * 600 buyers race for 200 units, 60 requests in flight. When a quarter of them have an answer the
 * gateway dies: requests in flight get a network error, new ones are refused until it is back.
 * Every buyer keeps pressing "buy" with the same idempotency key until it gets a definite answer,
 * as a client should. Whatever the gateway was doing when it died, a request is never half-done:
 * the order subgraph either committed the order (the replay returns that same order) or gave the
 * units back. Afterwards 50 buyers who got an order replay once more: the same order each time.
 */
import { PrivateRedis } from '../lib/servers';
import { ChaosStack } from '../lib/stack';
import { Client, crowd, tally } from '../lib/client';
import { settledAudit } from '../lib/audit';
import { fmtTally, placeUntilAnswered, Persistent, Report, RETRYABLE, Scenario, ScenarioContext, sleep } from '../lib/scenario';

const STOCK = 200;
const BUYERS = 600;

export const gatewayRestartScenario: Scenario = {
  name: 'gateway-restart',
  summary: 'the gateway is SIGKILLed mid-sale and restarted',
  async run(ctx: ScenarioContext): Promise<Report> {
    const report = new Report('gateway-restart', ctx.log);
    const redis = await PrivateRedis.launch();
    const stack = new ChaosStack({ portBase: ctx.portBase, mysqlUrl: ctx.mysqlUrl, redisUrl: redis.url, log: ctx.log });
    try {
      await stack.start();
      const client = Client.for(stack.gatewayUrl, stack.config, stack.secrets);
      const productId = await client.saleProduct(STOCK);
      const buyers = await client.buyers(BUYERS);

      let answeredCount = 0;
      let killedAt = 0;
      let backAt = 0;
      let restartMs = 0;
      const restart = (async () => {
        while (answeredCount < BUYERS / 4) await sleep(5);
        await stack.kill('gateway');
        killedAt = Date.now();
        await sleep(1000);
        restartMs = await stack.launch('gateway');
        backAt = Date.now();
      })();
      const results: Persistent[] = await crowd(BUYERS, 60, async (i) => {
        const r = await placeUntilAnswered(client, buyers[i], productId, `buy-${i}`, { delayMs: 200, maxAttempts: 300 });
        answeredCount++;
        return r;
      });
      await restart;
      report.line(`${BUYERS} buyers for ${STOCK} units, 60 in flight; gateway SIGKILLed after ${BUYERS / 4} answers, back ${restartMs} ms after relaunch (${((backAt - killedAt) / 1000).toFixed(1)} s without a gateway)`);
      const interrupted = results.filter((r) => RETRYABLE(r.first.kind));
      report.line(`first attempts: ${fmtTally(tally(results.map((r) => r.first)))}`);
      report.line(`final answers after retrying with the same key: ${fmtTally(tally(results.map((r) => r.final)))}`);

      // Of the interrupted requests, which had committed before the gateway died?
      const ids = interrupted.filter((r) => r.final.kind === 'ORDER').map((r) => r.final.orderId!);
      const committedEarly = ids.length
        ? Number((await stack.sql<{ n: number }>('order', `select count(*) as n from \`order\` where id in (${ids.map(() => '?').join(',')}) and created_at < ?`, [...ids, new Date(killedAt)]))[0].n)
        : 0;
      report.line(
        `${interrupted.length} buyers saw an error first (in flight at the kill, or refused while it was down); ${committedEarly} of their orders had been committed before the gateway died and their replay returned that same order`,
      );
      report.check('every buyer got a definite answer (an order or SOLD_OUT)', results.every((r) => r.final.kind === 'ORDER' || r.final.kind === 'SOLD_OUT'));

      const winners = results.filter((r) => r.final.kind === 'ORDER');
      const sample = winners.slice(0, 50);
      const replays = await crowd(sample.length, 25, (i) => client.placeOrder(buyers[results.indexOf(sample[i])], productId, 1, sample[i].key));
      report.check(`50 replays after the restart returned the same order`, replays.every((o, i) => o.kind === 'ORDER' && o.orderId === sample[i].final.orderId));

      const [dupes] = await stack.sql<{ n: number }>('order', 'select count(*) as n from (select user_id from `order` group by user_id having count(*) > 1) d');
      report.check('no buyer has two orders', Number(dupes.n) === 0);
      const [total] = await stack.sql<{ n: number }>('order', 'select count(*) as n from `order`');
      report.check('every order in MySQL was answered to its buyer', Number(total.n) === winners.length);

      const audit = await settledAudit(stack.auditSources(), { id: productId, initialStock: STOCK }, winners.map((w) => w.final.orderId!), { timeoutMs: 30_000 });
      report.audit = audit;
      report.check(`exactly ${STOCK} orders, available 0`, winners.length === STOCK && audit.available === 0);
      return report;
    } finally {
      await stack.stop();
      await redis.destroy();
    }
  },
};
