/**
 * An order subgraph process is killed (SIGKILL) between reserving and committing: one definition,
 * run at full size by `npm run chaos -- order-kill` and at CI size by
 * test/faults/order-kill.fault.test.ts.
 *
 * Two order processes share the sale: the stack's own (the survivor) and a second one (the
 * replica) whose MySQL connections go through a TCP proxy we control. After a normal start
 * (`placed` orders, `paid` of them paid, the rest left unpaid), the proxy freezes: the next `stuck`
 * buyers' placeOrder, sent to the replica, reserve their units in Redis (a reservation record with
 * a deadline is written in the same Lua script) and then wait on their commit. The replica is
 * killed right there: every one of those requests fails, and no order row exists for any of them.
 *
 * The survivor's sweeper gives nothing back before the reservations are overdue (the commit might
 * still land). Once they are, one sweep expires the unpaid orders and releases exactly the stuck
 * reservations, and the next sweep releases nothing (never given back twice); the audit after each
 * sweep shows no unit available that is not. At the end available = product.stock = S - paid,
 * and the stuck buyers' per-customer counts are back at zero.
 *
 * Method, both sizes: the stack runs in this process (InProcessScenarioStack) and only the replica
 * that dies is a child process (from the sources), and the survivor's sweeper is driven at a moved
 * clock (its deadline plus the orphan grace, 30 s, ahead) instead of waiting: sweeps return what
 * they did, so "exactly these, once" is read from them, and neither size waits half a minute or
 * starts five processes.
 */
import { redisKeys } from '@flashsale/platform';
import { ORPHAN_GRACE_MS } from '../../subgraphs/order/src/services/sweeper';
import { orderKeys } from '../../subgraphs/order/src/services/reservation.service';
import { ManualClock, replica } from '../../test/support/orders';
import { PrivateRedis } from '../lib/servers';
import { TcpProxy } from '../lib/tcp-proxy';
import { InProcessScenarioStack } from '../lib/in-process-stack';
import { callSubgraph, ChildService, childService } from '../lib/child-service';
import { Client, crowd, tally } from '../lib/client';
import { auditProduct, settledAudit } from '../lib/audit';
import { fmtTally, waitUntil } from '../lib/scenario';
import { chaosScenario, ScenarioDefinition } from '../lib/definition';

export interface OrderKillSize {
  stock: number;
  placed: number;
  paid: number;
  /** Buyers whose placeOrder reserves and is killed before its commit. */
  stuck: number;
  stuckQuantity: number;
}

const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } userErrors { code } } }`;

export const orderKillDefinition: ScenarioDefinition<OrderKillSize> = {
  name: 'order-kill',
  summary: 'an order subgraph process is SIGKILLed between reserving and committing',
  sizes: {
    ci: { stock: 10, placed: 2, paid: 2, stuck: 3, stuckQuantity: 2 },
    full: { stock: 100, placed: 40, paid: 30, stuck: 20, stuckQuantity: 1 },
  },
  async run(size, ctx, report) {
    const { stock: STOCK, stuck: STUCK } = size;
    const redis = await PrivateRedis.launch();
    const mysql = new URL(ctx.mysqlUrl);
    const proxy = await TcpProxy.start({ host: mysql.hostname, port: Number(mysql.port || 3306) });
    const proxiedMysql = `mysql://${mysql.username || 'root'}${mysql.password ? `:${mysql.password}` : ''}@127.0.0.1:${proxy.port}`;
    let stack: InProcessScenarioStack | undefined;
    let doomed: ChildService | undefined;
    try {
      stack = await InProcessScenarioStack.start(ctx.mysqlUrl, redis.url);
      const { services } = stack;
      doomed = await childService(services, 'order', { MYSQL_URL: proxiedMysql });
      report.line(`a second order process (port ${doomed.port}) whose MySQL connections go through a TCP proxy on port ${proxy.port}; the stack's own order subgraph survives it`);
      const client = Client.for(stack.gatewayUrl, stack.config, stack.secrets);
      const productId = await client.saleProduct(STOCK);
      const answered = new Set<string>();
      const src = stack.auditSources();
      const redisOf = stack.redis();
      const records = () => redisOf.hlen(orderKeys.reservations(productId));
      const availableNow = async () => Number(await redisOf.hget(redisKeys.productStock(productId), 'available'));

      const early = await client.buyers(size.placed);
      const placed = await crowd(size.placed, 20, (i) => client.placeOrder(early[i], productId));
      placed.forEach((o) => o.orderId && answered.add(o.orderId));
      const paid = await crowd(size.paid, 10, (i) => client.payOrder(early[i], placed[i].orderId!));
      report.line(`${size.placed} placeOrder (${fmtTally(tally(placed))}), ${size.paid} paid (${fmtTally(tally(paid))}), ${size.placed - size.paid} left unpaid`);
      const before = await records();

      // Reserve on the replica, then hang on the commit.
      proxy.freeze();
      const stuck = await client.buyers(STUCK);
      const replicaUrl = doomed.url;
      const inFlight = Promise.allSettled(
        stuck.map((b) =>
          callSubgraph<{ placeOrder: { order: { id: string } | null } }>(replicaUrl, services.order.deps.secrets.identitySecret, b, PLACE, {
            input: { items: [{ productId, quantity: size.stuckQuantity }], idempotencyKey: `stuck-${b.userId}` },
          }),
        ),
      );
      await waitUntil(`${STUCK} reservations waiting on their commit`, async () => (await records()) === before + STUCK, 30_000, 50);
      const availableAtKill = await availableNow();
      report.check(
        `the stuck reservations hold their units: available ${availableAtKill} = ${STOCK} - ${size.placed} - ${STUCK}×${size.stuckQuantity}`,
        availableAtKill === STOCK - size.placed - STUCK * size.stuckQuantity,
      );
      await doomed.kill();
      doomed = undefined;
      const answers = await inFlight;
      report.line(`MySQL frozen for the replica; ${STUCK} placeOrder reserved there (reservation records ${before} -> ${before + STUCK}, available ${availableAtKill}) and it was SIGKILLed before committing`);
      report.check(`every request in flight at the kill failed (${answers.filter((a) => a.status === 'rejected').length} of ${STUCK}); no buyer was told it had an order`, answers.every((a) => a.status === 'rejected'));
      await proxy.cut();
      const stuckOrders = await stack.sql('order', `select id from \`order\` where user_id in (${stuck.map(() => '?').join(', ')})`, stuck.map((b) => b.userId));
      report.check('no order row exists for any killed request', stuckOrders.length === 0);

      // Before the reservations are overdue, nothing is given back (the commit might still land).
      const survivor = services.order.services.sweeper;
      const now = await survivor.sweep();
      const availableNotYet = await availableNow();
      report.line(`a sweep now: ${JSON.stringify(now)}; available ${availableNotYet}`);
      report.check('a sweep before the reservations are overdue releases nothing', now.released === 0 && availableNotYet === availableAtKill);

      // Once they are: the stuck reservations, and only their units, come back, and only once.
      const overdue = new Date(Date.now() + stack.config.RESERVATION_TTL_SECONDS * 1000 + ORPHAN_GRACE_MS + 5000);
      const later = replica(services, { clock: new ManualClock(overdue) });
      const first = await later.sweeper.sweep();
      const afterFirst = await auditProduct(src, { id: productId, initialStock: STOCK }, answered);
      const second = await later.sweeper.sweep();
      const afterSecond = await auditProduct(src, { id: productId, initialStock: STOCK }, answered);
      report.line(`sweeps once the reservations are overdue: ${JSON.stringify(first)}, then ${JSON.stringify(second)}; available ${afterFirst.available}, then ${afterSecond.available}`);
      report.check(
        `the first overdue sweep expires the ${size.placed - size.paid} unpaid orders and releases exactly the ${STUCK} stuck reservations, settling none`,
        first.released === STUCK && first.settled === 0 && first.expired === size.placed - size.paid,
      );
      report.check('the next sweep gives nothing back (never twice)', second.released === 0 && second.settled === 0 && second.expired === 0);
      report.check(`after each sweep: available ${STOCK} - ${size.paid} paid, no unit available that is not`, [afterFirst, afterSecond].every((a) => a.available === STOCK - size.paid && a.phantom === 0));
      const boughtLeft = await Promise.all(stuck.map(async (b) => Number((await redisOf.hget(orderKeys.bought(productId), b.userId)) ?? 0)));
      report.check("the killed buyers' per-customer counts are back at 0", boughtLeft.every((n) => n === 0));

      const audit = await settledAudit(src, { id: productId, initialStock: STOCK }, answered, { timeoutMs: 30_000 });
      report.audit = audit;
      report.check(
        `available = product.stock = ${STOCK} - ${size.paid} paid; sold ${size.paid}, nothing pending or orphaned`,
        audit.available === STOCK - size.paid && audit.productStock === STOCK - size.paid && audit.sold === size.paid && audit.pending === 0 && audit.orphaned === 0,
      );
    } finally {
      await doomed?.stop();
      await proxy.close();
      await stack?.stop();
      await redis.destroy();
    }
  },
};

export const orderKillScenario = chaosScenario(orderKillDefinition);
