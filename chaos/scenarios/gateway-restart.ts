/**
 * The gateway is killed (SIGKILL) in the middle of a sale and started again: one definition, run
 * at full size by `npm run chaos -- gateway-restart` and at CI size by
 * test/faults/gateway-restart.fault.test.ts.
 *
 * `buyers` race for `stock` units, `inFlight` requests at a time. When `killAfter` of them have an
 * answer the gateway dies: requests in flight get a network error, new ones are refused until it
 * is back. Every buyer keeps pressing "buy" with the same idempotency key until it gets a definite
 * answer, as a client should. Whatever the gateway was doing when it died, a request is never
 * half-done: the order subgraph either committed the order (the replay returns that same order) or
 * gave the units back. Afterwards every buyer who got an order replays once more: the same order.
 *
 * Method, both sizes: the subgraphs run in this process (InProcessScenarioStack) and the gateway
 * as a child process in front of them (from the sources), so it dies by a real SIGKILL and comes
 * back through the launcher on the same port, without starting four more processes. The per-buyer
 * placeOrder limit is raised so that retries while the gateway is down are never RATE_LIMITED.
 */
import { LOAD_RATE_LIMITS } from '../../scripts/launcher';
import { PrivateRedis } from '../lib/servers';
import { InProcessScenarioStack } from '../lib/in-process-stack';
import { ChildService, childService } from '../lib/child-service';
import { Client, crowd, tally } from '../lib/client';
import { settledAudit } from '../lib/audit';
import { fmtTally, placeUntilAnswered, Persistent, RETRYABLE, sleep } from '../lib/scenario';
import { chaosScenario, ScenarioDefinition } from '../lib/definition';

export interface GatewayRestartSize {
  stock: number;
  buyers: number;
  inFlight: number;
  /** Kill the gateway once this many buyers have their definite answer. */
  killAfter: number;
  /** How long the gateway stays dead before it is started again. */
  downMs: number;
  retryDelayMs: number;
  maxAttempts: number;
}

export const gatewayRestartDefinition: ScenarioDefinition<GatewayRestartSize> = {
  name: 'gateway-restart',
  summary: 'the gateway is SIGKILLed mid-sale and restarted',
  sizes: {
    ci: { stock: 15, buyers: 45, inFlight: 45, killAfter: 5, downMs: 0, retryDelayMs: 100, maxAttempts: 400 },
    full: { stock: 200, buyers: 600, inFlight: 60, killAfter: 150, downMs: 1000, retryDelayMs: 200, maxAttempts: 300 },
  },
  async run(size, ctx, report) {
    const redis = await PrivateRedis.launch();
    let stack: InProcessScenarioStack | undefined;
    let gateway: ChildService | undefined;
    try {
      stack = await InProcessScenarioStack.start(ctx.mysqlUrl, redis.url);
      const child = (gateway = await childService(stack.services, 'gateway', { RATE_LIMITS: LOAD_RATE_LIMITS.replace('placeOrder:user:20/10', 'placeOrder:user:1000/10') }));
      const client = Client.for(child.url, stack.config, stack.secrets);
      const productId = await client.saleProduct(size.stock);
      const buyers = await client.buyers(size.buyers);

      let answeredCount = 0;
      let killedAt = 0;
      let backAt = 0;
      let restartMs = 0;
      const restart = (async () => {
        while (answeredCount < size.killAfter) await sleep(2);
        await child.kill();
        killedAt = Date.now();
        await sleep(size.downMs);
        await child.restart();
        backAt = Date.now();
        restartMs = backAt - killedAt - size.downMs;
      })();
      const results: Persistent[] = await crowd(size.buyers, size.inFlight, async (i) => {
        const r = await placeUntilAnswered(client, buyers[i], productId, `buy-${i}`, { delayMs: size.retryDelayMs, maxAttempts: size.maxAttempts });
        answeredCount++;
        return r;
      });
      await restart;
      report.line(`${size.buyers} buyers for ${size.stock} units, ${size.inFlight} in flight; gateway SIGKILLed after ${size.killAfter} answers, back ${restartMs} ms after relaunch (${((backAt - killedAt) / 1000).toFixed(1)} s without a gateway)`);
      const interrupted = results.filter((r) => RETRYABLE(r.first.kind));
      report.line(`first attempts: ${fmtTally(tally(results.map((r) => r.first)))}`);
      report.line(`final answers after retrying with the same key: ${fmtTally(tally(results.map((r) => r.final)))}`);

      // Of the interrupted requests, which had committed before the gateway died?
      const ids = interrupted.filter((r) => r.final.kind === 'ORDER').map((r) => r.final.orderId!);
      const committedEarly = ids.length ? Number((await stack.sql<{ n: number }>('order', `select count(*) as n from \`order\` where id in (${ids.map(() => '?').join(', ')}) and created_at < ?`, [...ids, new Date(killedAt)]))[0].n) : 0;
      report.line(
        `${interrupted.length} buyers saw an error first (in flight at the kill, or refused while it was down); ${committedEarly} of their orders had been committed before the gateway died and their replay returned that same order`,
      );
      report.check('someone was caught by the kill (a retryable first answer)', interrupted.length > 0);
      report.check('every buyer got a definite answer (an order or SOLD_OUT)', results.every((r) => r.final.kind === 'ORDER' || r.final.kind === 'SOLD_OUT'));

      const winners = results.filter((r) => r.final.kind === 'ORDER');
      report.check(`exactly ${size.stock} buyers got an order`, winners.length === size.stock);
      const replays = await crowd(winners.length, 25, (i) => client.placeOrder(buyers[results.indexOf(winners[i])], productId, 1, winners[i].key));
      report.check(`all ${winners.length} replays after the restart returned the same order`, replays.every((o, i) => o.kind === 'ORDER' && o.orderId === winners[i].final.orderId));

      const rows = await stack.sql<{ id: string; user_id: string }>('order', 'select o.id, o.user_id from `order` o join order_item i on i.order_id = o.id where i.product_id = ?', [productId]);
      const sameIds = (a: string[], b: string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
      report.check("the product's orders in MySQL are exactly the answered ones", sameIds(rows.map((r) => r.id), winners.map((w) => w.final.orderId!)));
      report.check(`those orders belong to ${size.stock} different buyers`, new Set(rows.map((r) => r.user_id)).size === size.stock);
      const [dupes] = await stack.sql<{ n: number }>('order', 'select count(*) as n from (select user_id from `order` group by user_id having count(*) > 1) d');
      report.check('no buyer has two orders', Number(dupes.n) === 0);
      const [total] = await stack.sql<{ n: number }>('order', 'select count(*) as n from `order`');
      report.check('every order in MySQL was answered to its buyer', Number(total.n) === winners.length);

      const audit = await settledAudit(stack.auditSources(), { id: productId, initialStock: size.stock }, winners.map((w) => w.final.orderId!), { timeoutMs: 30_000 });
      report.audit = audit;
      report.check(`audit: ${size.stock} units pending, available 0, nothing oversold or lost`, audit.pending === size.stock && audit.available === 0 && audit.oversold === 0 && audit.lost === 0);
    } finally {
      await gateway?.stop();
      await stack?.stop();
      await redis.destroy();
    }
  },
};

export const gatewayRestartScenario = chaosScenario(gatewayRestartDefinition);
