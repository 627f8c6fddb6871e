/**
 * MySQL stops in the middle of a sale: a private MariaDB first hangs (SIGSTOP), then dies
 * (SIGKILL) and restarts on the same datadir (InnoDB crash recovery), while buyers keep buying.
 *
 *   1. The sale runs: 60 buyers order one unit each, 30 pay.
 *   2. A steady stream of buyers (10 in flight) keeps placing orders. MySQL hangs for a few
 *      seconds (requests wait), is killed (the waiting requests fail), stays down (requests fail
 *      fast), and restarts.
 *   3. Right after MySQL is back, before any sweeper could give anything back (reservations are
 *      held 10 minutes), the audit must already be exact: every placeOrder whose commit failed
 *      gave its units back before answering. A COMMIT whose answer was lost is read back: the
 *      order stands if it landed; if MySQL could not even say, the units stay held (reported as
 *      orphaned) until the sweeper can read the order.
 *   4. The rest of the stock sells out; final audit.
 */
import { PrivateMariaDB, PrivateRedis } from '../lib/servers';
import { ChaosStack } from '../lib/stack';
import { Buyer, Client, crowd, latency, Outcome, tally } from '../lib/client';
import { auditProduct, settledAudit } from '../lib/audit';
import { availableOf, fmtTally, Report, Scenario, ScenarioContext, seconds, sellOut, sleep, waitUntil } from '../lib/scenario';

const STOCK = 1000;
const HANG_MS = 3000;
const DOWN_MS = 4000;

interface Timed extends Outcome {
  at: number;
}

export const mysqlScenario: Scenario = {
  name: 'mysql',
  summary: 'MySQL hangs (SIGSTOP), then dies and restarts, mid-sale',
  async run(ctx: ScenarioContext): Promise<Report> {
    const report = new Report('mysql', ctx.log);
    const db = await PrivateMariaDB.launch();
    const redis = await PrivateRedis.launch();
    report.line(`private MariaDB on port ${db.port} (datadir kept across restarts), private Redis on port ${redis.port}`);
    const stack = new ChaosStack({ portBase: ctx.portBase, mysqlUrl: db.url, redisUrl: redis.url, env: { ORDER_SWEEP_INTERVAL_MS: '1000' }, log: ctx.log });
    try {
      await stack.start();
      const client = Client.for(stack.gatewayUrl, stack.config, stack.secrets);
      const productId = await client.saleProduct(STOCK);
      const answered = new Set<string>();
      const remember = (o: Outcome) => o.kind === 'ORDER' && o.orderId && answered.add(o.orderId);

      // 1. The sale runs.
      const early = await client.buyers(60);
      const placed = await crowd(60, 20, (i) => client.placeOrder(early[i], productId));
      placed.forEach(remember);
      const paid = await crowd(30, 10, (i) => client.payOrder(early[i], placed[i].orderId!));
      report.line(`sale of ${STOCK} units: 60 placeOrder (${fmtTally(tally(placed))}), 30 payOrder (${fmtTally(tally(paid))})`);

      // 2. A steady stream of buyers while MySQL hangs, dies and comes back.
      const stream = startStream(client, productId, 10);
      await sleep(1500);
      db.pause();
      const hungAt = Date.now();
      await sleep(HANG_MS);
      await db.kill();
      const killedAt = Date.now();
      await sleep(DOWN_MS);
      const restartMs = await db.start(60_000);
      const backAt = Date.now();
      await sleep(3000);
      const outcomes = await stream.stop();
      outcomes.forEach(remember);
      const phase = (o: Timed) => (o.at < hungAt ? 'before' : o.at < killedAt ? 'hang' : o.at < backAt - restartMs ? 'down' : o.at < backAt ? 'restarting' : 'after');
      for (const p of ['before', 'hang', 'down', 'restarting', 'after']) {
        const os = outcomes.filter((o) => phase(o) === p);
        if (os.length) report.line(`placeOrder sent ${describePhase(p, HANG_MS, DOWN_MS)}: ${os.length} answered ${fmtTally(tally(os))} in ${fmt(latency(os))}`);
      }
      report.line(`MariaDB restarted on the same datadir (crash recovery) in ${restartMs} ms`);
      const firstOrder = Math.min(...outcomes.filter((o) => o.kind === 'ORDER' && o.at >= killedAt).map((o) => o.at + o.ms));
      report.line(`first order answered ${Math.round(firstOrder - (backAt - restartMs))} ms after MariaDB was started again`);
      const failed = outcomes.filter((o) => o.kind !== 'ORDER' && o.kind !== 'SOLD_OUT');
      report.check('every failed placeOrder answered SERVICE_UNAVAILABLE (no stack trace, no SQL)', failed.every((o) => o.kind === 'SERVICE_UNAVAILABLE'));

      // 3. Right after: every failed placeOrder already gave its units back.
      const now = await waitForAudit(stack, productId, answered);
      report.line(`audit right after MySQL came back (no reservation has expired yet): ${now.pending} units in pending orders, ${now.orphaned} units in orphaned reservations, available ${now.available}, lost ${now.lost}, phantom ${now.phantom}`);
      report.check('right after the outage: no unit lost or phantom; units held only by orders in MySQL or reported orphans', now.exact);
      report.check('every placeOrder that failed on a dead connection gave its units back before answering (no orphaned reservation)', now.orphaned === 0);

      // 4. Sell out.
      const rest = await sellOut(client, () => availableOf(stack, productId), productId);
      rest.forEach((r) => remember(r.final));
      report.line(`selling out: ${rest.length} more buyers (10 units, then 1): ${fmtTally(tally(rest.map((r) => r.final)))}`);
      const audit = await settledAudit(stack.auditSources(), { id: productId, initialStock: STOCK }, answered, { timeoutMs: 60_000 });
      report.audit = audit;
      report.check(`sold + held = ${STOCK}: no unit left unsold while buyers were turned away`, audit.sold + audit.pending + audit.orphaned === STOCK);
      return report;
    } finally {
      await stack.stop();
      await db.destroy();
      await redis.destroy();
    }
  },
};

function describePhase(p: string, hangMs: number, downMs: number): string {
  return {
    before: 'before the outage',
    hang: `while MySQL hung (${seconds(hangMs)})`,
    down: `while MySQL was down (${seconds(downMs)})`,
    restarting: 'while MySQL was restarting',
    after: 'after MySQL was back',
  }[p]!;
}

function fmt(l: { min: number; p50: number; max: number }): string {
  return `${l.min}-${l.max} ms (median ${l.p50})`;
}

/** `concurrency` buyers in a loop, each placing one order with a fresh key, until stop(). */
function startStream(client: Client, productId: string, concurrency: number): { stop(): Promise<Timed[]> } {
  let stopped = false;
  const outcomes: Timed[] = [];
  const worker = async () => {
    while (!stopped) {
      const buyer: Buyer = await client.identity();
      const at = Date.now();
      outcomes.push({ ...(await client.placeOrder(buyer, productId)), at });
      await sleep(200); // a steady trickle, so the stock outlasts the outage
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  return {
    async stop() {
      stopped = true;
      await Promise.all(workers);
      return outcomes;
    },
  };
}

/** The audit once the consumers have caught up with the outage (stock events retried). */
async function waitForAudit(stack: ChaosStack, productId: string, answered: Set<string>) {
  let last = await auditProduct(stack.auditSources(), { id: productId, initialStock: STOCK }, answered).catch(() => undefined);
  await waitUntil(
    'the audit to settle after the outage',
    async () => {
      last = await auditProduct(stack.auditSources(), { id: productId, initialStock: STOCK }, answered);
      return last.exact;
    },
    60_000,
    250,
  ).catch(() => undefined);
  if (!last) throw new Error('could not audit after the outage');
  return last;
}
