/**
 * MySQL stops in the middle of a sale: a private MariaDB first hangs (SIGSTOP), then dies
 * (SIGKILL) and restarts on the same datadir (InnoDB crash recovery), while buyers keep buying.
 * One definition, run at full size by `npm run chaos -- mysql` and at CI size by
 * test/faults/mysql.fault.test.ts. Two products: one for a steady stream, one for exact counts.
 *
 *   1. The sale runs: `early` buyers order one unit each of the counted product, `paid` pay.
 *   2. A steady stream of buyers (`streamers` in flight) keeps placing orders for the stream
 *      product throughout. None at CI size: a stream request caught at its COMMIT by the death is
 *      ambiguous, so its units stay held as an orphan (rightly) and the stream's "no orphan" check
 *      then fails; over the few seconds of the CI outage that happened once in a few runs under
 *      load. The counted product's caught buyers wait before their COMMIT, so their checks are
 *      exact at both sizes.
 *   3. MySQL hangs: `caught` buyers reserve two units each of the counted product in Redis and
 *      wait on their commit (the reservation records and `available` show it).
 *   4. MySQL dies: the waiting commits fail, and `down` more buyers fail at once; every failed
 *      placeOrder answers SERVICE_UNAVAILABLE without SQL or a stack trace, and before MySQL is back
 *      Redis already holds only what committed orders hold (each failed placeOrder gave its units
 *      back before answering). MySQL restarts.
 *   5. One buyer retries with one key until the counted product sells again; right after, before
 *      any sweeper could give anything back (reservations are held 10 minutes), both products'
 *      audits are exact with no orphaned reservation.
 *   6. The stream product sells out; final audit: sold + held = S.
 *
 * Method, both sizes: a private MariaDB, so the hang, the death and the crash recovery are the
 * server's own, under the stack running in this process (InProcessScenarioStack): no process of
 * the stack is broken here, and the in-process stack starts in seconds where five child processes
 * take tens (the CI size's cost). The case of a COMMIT whose answer is lost needs a proxy that reads
 * the protocol: it is tested on its own in test/faults/mysql-commit.fault.test.ts.
 */
import { PrivateMariaDB, PrivateRedis } from '../lib/servers';
import { InProcessScenarioStack } from '../lib/in-process-stack';
import { Buyer, Client, crowd, latency, Outcome, tally } from '../lib/client';
import { auditProduct, settledAudit } from '../lib/audit';
import { availableOf, fmtTally, placeUntilAnswered, seconds, sellOut, sleep, waitUntil } from '../lib/scenario';
import { chaosScenario, ScenarioDefinition } from '../lib/definition';
import { orderKeys } from '../../subgraphs/order/src/services/reservation.service';

export interface MysqlSize {
  /** The product of exact counts. */
  stock: number;
  early: number;
  paid: number;
  /** Buyers whose placeOrder (2 units) is caught waiting on its commit by the hang. */
  caught: number;
  /** Buyers who place an order while MySQL is dead. */
  down: number;
  /** The stream product and its buyers in flight. */
  streamStock: number;
  streamers: number;
  /** Stream time before the hang, the hang, the death, and after the restart, at least. */
  leadMs: number;
  hangMs: number;
  downMs: number;
  afterMs: number;
}

const CAUGHT_QUANTITY = 2;
/** What a failed answer must never show a buyer. */
const LEAK = /sql|select|insert|knex|stack/i;

interface Timed extends Outcome {
  at: number;
}

export const mysqlDefinition: ScenarioDefinition<MysqlSize> = {
  name: 'mysql',
  summary: 'MySQL hangs (SIGSTOP), then dies and restarts, mid-sale',
  sizes: {
    ci: { stock: 20, early: 5, paid: 0, caught: 6, down: 3, streamStock: 30, streamers: 0, leadMs: 0, hangMs: 0, downMs: 500, afterMs: 0 },
    full: { stock: 100, early: 60, paid: 30, caught: 20, down: 10, streamStock: 1000, streamers: 10, leadMs: 1500, hangMs: 3000, downMs: 4000, afterMs: 3000 },
  },
  async run(size, ctx, report) {
    const STOCK = size.stock;
    const db = await PrivateMariaDB.launch();
    const redis = await PrivateRedis.launch();
    report.line(`private MariaDB on port ${db.port} (datadir kept across restarts), private Redis on port ${redis.port}`);
    const stack = await InProcessScenarioStack.start(db.url, redis.url, { ORDER_SWEEP_INTERVAL_MS: '1000' }).catch(async (err) => {
      await Promise.all([db.destroy(), redis.destroy()]);
      throw err;
    });
    try {
      const client = Client.for(stack.gatewayUrl, stack.config, stack.secrets);
      const productId = await client.saleProduct(STOCK);
      const streamProductId = await client.saleProduct(size.streamStock);
      // Orders answered to buyers, per product (each audit checks its own product's are all there).
      const answered = new Set<string>();
      const answeredStream = new Set<string>();
      const remember = (o: Outcome) => o.kind === 'ORDER' && o.orderId && answered.add(o.orderId);
      const rememberStream = (o: Outcome) => o.kind === 'ORDER' && o.orderId && answeredStream.add(o.orderId);
      const records = () => stack.redis().hlen(orderKeys.reservations(productId));

      // 1. The sale runs.
      const early = await client.buyers(size.early);
      const placed = await crowd(size.early, 20, (i) => client.placeOrder(early[i], productId));
      placed.forEach(remember);
      const paid = await crowd(size.paid, 10, (i) => client.payOrder(early[i], placed[i].orderId!));
      report.line(`sale of ${STOCK} units: ${size.early} placeOrder (${fmtTally(tally(placed))}), ${size.paid} payOrder (${fmtTally(tally(paid))}); a stream product of ${size.streamStock} units`);

      // 2. A steady stream of buyers while MySQL hangs, dies and comes back.
      const stream = startStream(client, streamProductId, size.streamers);
      await sleep(size.leadMs);
      const recordsBefore = await records();

      // 3. MySQL hangs: the caught buyers reserve and wait on their commit.
      db.pause();
      const hungAt = Date.now();
      const caught = await client.buyers(size.caught);
      const inFlight = Promise.all(caught.map((b) => client.placeOrder(b, productId, CAUGHT_QUANTITY)));
      await waitUntil(`${size.caught} reservations waiting on their commit`, async () => (await records()) === recordsBefore + size.caught, 30_000, 50);
      const availableHung = await availableOf(stack, productId);
      report.check(
        `while MySQL hangs, the ${size.caught} caught buyers hold their units in Redis (available ${availableHung} = ${STOCK} - ${size.early} - ${size.caught}×${CAUGHT_QUANTITY})`,
        availableHung === STOCK - size.early - size.caught * CAUGHT_QUANTITY,
      );
      await sleep(Math.max(0, size.hangMs - (Date.now() - hungAt)));

      // 4. MySQL dies.
      await db.kill();
      const killedAt = Date.now();
      const failed = await inFlight;
      const whileDown = await Promise.all((await client.buyers(size.down)).map((b) => client.placeOrder(b, productId)));
      const refused = [...failed, ...whileDown];
      report.line(`MySQL hung for ${seconds(killedAt - hungAt)}: ${size.caught} caught placeOrder answered ${fmtTally(tally(failed))} in ${fmt(latency(failed))} once it died; ${size.down} while it was down: ${fmtTally(tally(whileDown))} in ${fmt(latency(whileDown))}`);
      report.check(`every caught and every while-down placeOrder answered SERVICE_UNAVAILABLE (${refused.length})`, refused.every((o) => o.kind === 'SERVICE_UNAVAILABLE'));
      report.check('no failed answer shows SQL, knex or a stack trace (anywhere in the answer)', refused.every((o) => !LEAK.test(o.errorBody ?? o.message ?? '')));
      const recordsDown = await records();
      const availableDown = await availableOf(stack, productId);
      report.check(
        `before MySQL is back, Redis holds only what committed orders hold (reservation records ${recordsDown} = ${recordsBefore}, available ${availableDown} = ${STOCK - size.early})`,
        recordsDown === recordsBefore && availableDown === STOCK - size.early,
      );
      await sleep(Math.max(0, size.downMs - (Date.now() - killedAt)));
      const restartMs = await db.start(60_000);
      const backAt = Date.now();
      await sleep(size.afterMs);
      const outcomes = await stream.stop();
      outcomes.forEach(rememberStream);
      const phase = (o: Timed) => (o.at < hungAt ? 'before' : o.at < killedAt ? 'hang' : o.at < backAt - restartMs ? 'down' : o.at < backAt ? 'restarting' : 'after');
      for (const p of ['before', 'hang', 'down', 'restarting', 'after']) {
        const os = outcomes.filter((o) => phase(o) === p);
        if (os.length) report.line(`stream placeOrder sent ${describePhase(p, killedAt - hungAt, backAt - restartMs - killedAt)}: ${os.length} answered ${fmtTally(tally(os))} in ${fmt(latency(os))}`);
      }
      report.line(`MariaDB restarted on the same datadir (crash recovery) in ${restartMs} ms`);
      const streamFailed = outcomes.filter((o) => o.kind !== 'ORDER' && o.kind !== 'SOLD_OUT');
      report.check('every failed stream placeOrder answered SERVICE_UNAVAILABLE (no stack trace, no SQL)', streamFailed.every((o) => o.kind === 'SERVICE_UNAVAILABLE' && !LEAK.test(o.errorBody ?? o.message ?? '')));

      // 5. Selling again, and right after: every failed placeOrder already gave its units back.
      const [late] = await client.buyers(1);
      const again = await placeUntilAnswered(client, late, productId, 'after-outage', { delayMs: 100, maxAttempts: 150 });
      remember(again.final);
      report.line(`first order of the counted product after the restart: ${again.final.kind} ${seconds(Date.now() - backAt)} after MariaDB was back (attempt ${again.attempts})`);
      report.check('a buyer retrying with one key gets an order once MySQL is back', again.final.kind === 'ORDER');
      const counted = await settledAudit(stack.auditSources(), { id: productId, initialStock: STOCK }, answered, { timeoutMs: 20_000 });
      const heldUnits = size.early - size.paid + 1;
      report.line(`audit of the counted product right after: ${counted.pending} units in pending orders, ${counted.orphaned} orphaned, available ${counted.available}, exact ${counted.exact}`);
      report.check(
        `counted product exact right after: ${heldUnits} units pending, none orphaned, available ${STOCK - size.early - 1}`,
        counted.exact && counted.pending === heldUnits && counted.orphaned === 0 && counted.available === STOCK - size.early - 1,
      );
      const now = await waitForAudit(stack, streamProductId, size.streamStock, answeredStream);
      report.line(`audit of the stream product right after MySQL came back (no reservation has expired yet): ${now.pending} units in pending orders, ${now.orphaned} units in orphaned reservations, available ${now.available}, lost ${now.lost}, phantom ${now.phantom}`);
      report.check('right after the outage: no unit lost or phantom; units held only by orders in MySQL or reported orphans', now.exact);
      report.check('every placeOrder that failed on a dead connection gave its units back before answering (no orphaned reservation)', now.orphaned === 0);

      // 6. Sell out.
      const rest = await sellOut(client, () => availableOf(stack, streamProductId), streamProductId);
      rest.forEach((r) => rememberStream(r.final));
      report.line(`selling out the stream product: ${rest.length} more buyers (10 units, then 1): ${fmtTally(tally(rest.map((r) => r.final)))}`);
      const audit = await settledAudit(stack.auditSources(), { id: streamProductId, initialStock: size.streamStock }, answeredStream, { timeoutMs: 60_000 });
      report.audit = audit;
      report.check(`sold + held = ${size.streamStock}: no unit left unsold while buyers were turned away`, audit.sold + audit.pending + audit.orphaned === size.streamStock);
    } finally {
      await stack.stop();
      await db.destroy();
      await redis.destroy();
    }
  },
};

export const mysqlScenario = chaosScenario(mysqlDefinition);

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
async function waitForAudit(stack: InProcessScenarioStack, productId: string, initialStock: number, answered: Set<string>) {
  let last = await auditProduct(stack.auditSources(), { id: productId, initialStock }, answered).catch(() => undefined);
  await waitUntil(
    'the audit to settle after the outage',
    async () => {
      last = await auditProduct(stack.auditSources(), { id: productId, initialStock }, answered);
      return last.exact;
    },
    60_000,
    250,
  ).catch(() => undefined);
  if (!last) throw new Error('could not audit after the outage');
  return last;
}
