/**
 * The line scenario's report (line.ts): the waiting-room crowd beside the plain one, the costs that
 * make its CPU figures ratios to the floor of the same run, and the bursts. Text on stdout, the
 * JSON as the last line, bench/out/line-<time>.json and .md, and with `--write-docs` the Markdown
 * between the markers of docs/BENCHMARKS.md's "Waiting room" section.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { auditFailed } from './audit';
import type { CpuSample } from './cpu';
import type { CrowdConnections } from './crowd';
import type { BurstRun, Costs, CrowdRun, LineOptions } from './line-types';
import { Machine, machineLine } from './machine';
import { BenchStack, OUT_DIR, ROOT } from './stack';
import { kinds, LatencySummary, markdownTable, round, table } from './stats';

export const DOCS_BEGIN = '<!-- bench line: begin (npm run bench -- line --write-docs rewrites this block) -->';
export const DOCS_END = '<!-- bench line: end -->';

/** CPU ms of a sample, every process but the load generator (or with it: the floor runs in the bench). */
export const cpuMs = (sample: CpuSample, withBench = false) =>
  Object.entries(sample).reduce((sum, [k, v]) => (k === 'elsewhere' || (k === 'bench' && !withBench) ? sum : sum + v), 0);

interface ReportInput {
  machine: Machine;
  stack: BenchStack;
  opts: LineOptions;
  crowds: CrowdRun[];
  bursts: BurstRun[];
  costs: Costs | null;
  connections: CrowdConnections;
  fdLimit: number;
}

const s = (ms: number | undefined) => (ms === undefined ? '–' : round(ms / 1000, 2).toFixed(2));
const ms = (v: number | undefined) => (v === undefined ? '–' : String(round(v, 1)));
const lat = (l: LatencySummary | null) => (l ? `${ms(l.p50)} / ${ms(l.p99)} / ${ms(l.max)}` : '–');
const news = (n: { waiting: number; delayMs: LatencySummary | null }) => (n.delayMs ? `${int(n.waiting)}, ${s(n.delayMs.p99)} / ${s(n.delayMs.max)}` : '–');
const int = (n: number) => n.toLocaleString('en-US');

export function lineReport(x: ReportInput): { failed: boolean } {
  const { machine, opts, crowds, bursts, costs } = x;
  const floor = costs?.floorMsPerOrder ?? null;
  const xFloor = (v: number) => (floor ? ` (${round(v / floor, 2).toFixed(2)}× floor)` : '');
  const perBuyer = (c: CrowdRun) => cpuMs(c.cpu.total) / c.buyers;
  const perOrder = (c: CrowdRun) => (c.audit?.ordersInDb ? cpuMs(c.cpu.total) / c.audit.ordersInDb : Number.NaN);

  // Join and status per buyer (join-only phase), and a committed order (reference phase).
  const joinStatus = costs?.joinOnly ? perBuyer(costs.joinOnly) : null;
  const orderRef = costs?.reference ? perOrder(costs.reference) : null;
  const line = crowds.find((c) => c.waitingRoom);
  const orderInLine = line && joinStatus !== null && line.audit?.ordersInDb ? (cpuMs(line.cpu.total) - joinStatus * line.buyers) / line.audit.ordersInDb : null;
  const joinBySubtraction = line && orderRef !== null && line.audit ? (cpuMs(line.cpu.total) - orderRef * line.audit.ordersInDb) / line.buyers : null;

  const rows: Array<[string, (c: CrowdRun) => string]> = [
    ['buyers, arrivals per second, units', (c) => `${int(c.buyers)}, ${c.rate}/s, ${int(c.stock)}`],
    ['final answers', (c) => kinds(c.finals)],
    ['orders committed (MySQL)', (c) => (c.audit ? int(c.audit.ordersInDb) : '–')],
    [`orders that went to the first S arrivals`, (c) => `${int(c.fairness.winnersAmongFirst)} of ${int(c.fairness.winners)}`],
    ['arrival rank of the last winner', (c) => (c.fairness.lastWinnerRank === null ? '–' : int(c.fairness.lastWinnerRank))],
    ['first S arrivals who got nothing', (c) => int(c.fairness.firstWithoutOrder)],
    ['line: first S arrivals numbered above S; orders to numbers 1..S', (c) => (c.waitingRoom ? `${int(c.numbering.firstArrivalsNumberedAbove)}; ${int(c.numbering.winnersNumberedWithin)}` : '–')],
    ['line: distance of number from arrival rank, p50 / p99 / max', (c) => (c.numbering.displacement ? `${round(c.numbering.displacement.p50, 0)} / ${round(c.numbering.displacement.p99, 0)} / ${round(c.numbering.displacement.max, 0)}` : '–')],
    [
      'line, by the order joins were written to connections: first S numbered above S; distance p50 / p99 / max',
      (c) => {
        const b = c.numbering.bySend;
        return b?.displacement ? `${int(b.firstSentNumberedAbove)}; ${round(b.displacement.p50, 0)} / ${round(b.displacement.p99, 0)} / ${round(b.displacement.max, 0)}` : '–';
      },
    ],
    ['arrival → final answer p50 / p99 / max, s', (c) => `${s(c.times.latencyMs.p50)} / ${s(c.times.latencyMs.p99)} / ${s(c.times.latencyMs.max)}`],
    ['buyers answered after more than 60 s', (c) => int(c.times.over60s)],
    ['buyers without a final answer', (c) => int(c.times.unanswered)],
    ['untyped error answers', (c) => int(c.stats.untypedErrors)],
    ['busy answers: joins / turns / orders', (c) => `${int(c.requests.busyJoins)} / ${int(c.requests.busyTurns)} / ${int(c.requests.busyOrders)}`],
    ['join p50 / p99 / max, ms (at the generator)', (c) => lat(c.joinLatencyMs)],
    ['join p50 / p99, ms, at the gateway (arrival → answer, its histogram)', (c) => (c.gatewayJoinMs ? `${round(c.gatewayJoinMs.p50, 1)} / ${round(c.gatewayJoinMs.p99, 1)}` : '–')],
    ['placeOrder p50 / p99 / max, ms', (c) => lat(c.orderLatencyMs)],
    ['last unit reserved, s after the first arrival', (c) => s(c.lastUnitAfterMs ?? undefined)],
    ['still waiting then, told SOLD_OUT: buyers, p99 / max delay s', (c) => news(c.soldOut)],
    ['  of them in line (told by a held turn request)', (c) => (c.waitingRoom ? news(c.soldOut.byTurn) : '–')],
    ['  of them whose join was not yet answered (told by its answer)', (c) => (c.waitingRoom ? news(c.soldOut.byJoin) : '–')],
    ['requests per buyer', (c) => round(c.requests.requests / c.buyers, 2).toFixed(2)],
    ['held turn requests at the peak', (c) => (c.waitingRoom ? int(c.stats.heldPeak) : '–')],
    ['buyers\' own connections open at the peak', (c) => (c.ownConnectionsPeak === null ? 'shared pools' : int(c.ownConnectionsPeak))],
    ['CPU ms per buyer (all processes but the bench)', (c) => `${perBuyer(c).toFixed(2)}${xFloor(perBuyer(c))}`],
    ['CPU ms per committed order', (c) => `${perOrder(c).toFixed(2)}${xFloor(perOrder(c))}`],
    ['cores busy / elsewhere, window s', (c) => `${round(cpuMs(c.cpu.total) / c.cpu.windowMs, 2)} / ${round((c.cpu.total.elsewhere ?? 0) / c.cpu.windowMs, 2)}, ${round(c.cpu.windowMs / 1000, 1)}${c.cpu.settle.settled ? '' : ' (not idle at the bound)'}`],
    ['audit: oversold / unsold (refused) / disagreements', (c) => (c.audit ? `${c.audit.oversold} / ${c.audit.unsoldWhileDemand} / ${c.audit.disagreements}` : '–')],
    ['connections dropped for a full accept queue (kernel, machine-wide)', (c) => (c.cpu.listenOverflows === null ? '?' : int(c.cpu.listenOverflows))],
    ['generator send lag p99, ms', (c) => ms(c.sendLagMs.p99)],
  ];
  const crowdHeader = ['', ...crowds.map((c) => c.name)];
  const crowdRows = rows.map(([label, cell]) => [label, ...crowds.map(cell)]);

  const processNames = crowds.length ? Object.keys(crowds[0].cpu.total).filter((k) => k !== 'elsewhere') : [];
  const processHeader = ['CPU ms per buyer', ...processNames, 'total (no bench)'];
  const metered = [...(costs?.reference ? [costs.reference] : []), ...(costs?.joinOnly ? [costs.joinOnly] : []), ...crowds];
  const processRows = metered.map((c) => [c.name, ...processNames.map((n) => (c.cpu.total[n] / c.buyers).toFixed(3)), perBuyer(c).toFixed(3)]);

  const costLines = costs
    ? [
        `floor (in-process Lua reservation + SQL commit, ${int(costs.floor.orders)} orders, every process including the bench): ${costs.floorMsPerOrder.toFixed(2)} ms per order ` +
          `(${Object.entries(costs.floor.total)
            .filter(([k, v]) => k !== 'elsewhere' && v > 0)
            .map(([k, v]) => `${k} ${(v / costs.floor.orders).toFixed(2)}`)
            .join(', ')}; ${round(costs.floor.windowMs / 1000, 1)} s)`,
        ...(orderRef !== null && costs.reference
          ? [`a committed order, every buyer ordering at ${costs.reference.rate}/s (${int(costs.reference.audit?.ordersInDb ?? 0)} orders): ${orderRef.toFixed(2)} ms${xFloor(orderRef)}`]
          : []),
        ...(joinStatus !== null && costs.joinOnly
          ? [
              `joining and waiting (join + held turn requests, nobody orders; ${int(costs.joinOnly.buyers)} buyers at ${costs.joinOnly.rate}/s, ${round(costs.joinOnly.requests.requests / costs.joinOnly.buyers, 2)} requests each): ` +
                `${joinStatus.toFixed(3)} ms per buyer${xFloor(joinStatus)}` +
                (orderRef ? ` = ${round(joinStatus / orderRef, 3)} of a committed order` : '') +
                (orderInLine ? `, ${round(joinStatus / orderInLine, 3)} of the waiting-room run's order (${orderInLine.toFixed(2)} ms: its CPU less the buyers' joining and waiting, per order)` : ''),
            ]
          : []),
        ...(joinBySubtraction !== null && orderRef ? [`by subtraction instead (the waiting-room run's CPU less its orders at the reference cost, per buyer): ${joinBySubtraction.toFixed(3)} ms = ${round(joinBySubtraction / orderRef, 3)} of a committed order`] : []),
      ]
    : [];

  const burstHeader = ['burst', 'orders', 'sold out', 'busy', 'other', 'p50 ms', 'p99 ms', 'max ms', 'accept-queue drops', 'audit'];
  const burstRows = bursts.map((b) => [
    `${b.run}`,
    b.orders,
    b.soldOut,
    b.busy,
    Object.keys(b.other).length ? kinds(b.other) : '0',
    ms(b.latencyMs.p50),
    ms(b.latencyMs.p99),
    ms(b.latencyMs.max),
    b.listenOverflows ?? '?',
    auditFailed(b.audit) ? `FAILED ${JSON.stringify(b.audit.detail)}` : 'exact',
  ]);
  const burstSummary = bursts.length
    ? `bursts: ${bursts.filter((b) => b.orders === opts.burstStock && b.soldOut === opts.burstBuyers - opts.burstStock && b.busy === 0).length} of ${bursts.length} runs ` +
      `${opts.burstStock} orders / ${opts.burstBuyers - opts.burstStock} sold out / 0 busy; busy answers in all: ${bursts.reduce((n, b) => n + b.busy, 0)}`
    : '';

  const failed = crowds.some((c) => c.audit !== null && auditFailed(c.audit)) || bursts.some((b) => auditFailed(b.audit));
  const title =
    `line: ${opts.parts.includes('crowd') ? `${int(opts.crowd)} buyers at ${opts.rate}/s for ${int(opts.stock)} units, ${opts.lineOnly ? 'with a waiting room' : 'with and without a waiting room'}` : ''}` +
    `${opts.parts.includes('crowd') && opts.parts.includes('burst') ? '; ' : ''}` +
    `${opts.parts.includes('burst') ? `${opts.bursts} bursts of ${opts.burstBuyers} buyers at one instant for ${opts.burstStock} units` : ''}` +
    `; ${x.stack.reused ? 'reused stack' : 'own stack (NODE_ENV=production, LOG_LEVEL=warn)'}`;
  const notes = [
    `S = the units on sale; arrival = the moment the bench handed a buyer's first request (the join, or the first placeOrder) to the HTTP client; ranks by that stamp`,
    `waiting-room buyers: join, hold GET …/turn?wait=25 until served or SOLD_OUT / CLOSED, then placeOrder with the ticket; plain buyers: placeOrder until an order or SOLD_OUT; busy answers retried after retryAfter, same idempotency key; a buyer gives up after ${opts.giveUpMs / 1000} s`,
    `CPU: /proc, every process of the stack plus MariaDB and Redis, from the first arrival until the system was idle again; the load generator (bench) is not counted except in the floor, which runs in it`,
    x.connections.perBuyer
      ? `connections: each buyer on a connection of its own, opened at its first request and closed after its final answer, as browsers reach the gateway directly (open-file limit ${int(x.fdLimit)})`
      : `connections: shared pools, at most ${int(x.connections.line)} for joins and held turn requests and ${int(x.connections.orders)} for orders with a waiting room, ${int(x.connections.line + x.connections.orders)} for orders without (open-file limit ${int(x.fdLimit)}); ` +
        (opts.warmConnections ? `${int(opts.warmConnections)} per pool opened before each opening (as a balancer would hold them)` : 'each opened when first needed (none before the opening), then carrying later buyers\' requests'),
  ];

  const text = [
    '',
    title,
    `command: ${opts.command}`,
    `machine: ${machineLine(machine)}`,
    '',
    ...(crowds.length ? [table(crowdHeader, crowdRows), '', table(processHeader, processRows), '', ...costLines, ''] : []),
    ...(bursts.length ? [table(burstHeader, burstRows), burstSummary, ''] : []),
    ...notes,
    ...crowds.map((c) => `requests of ${c.name}: ${kinds(c.stats.kinds)}${c.stats.notAdmittedWaiting ? `; NOT_ADMITTED WAITING ${c.stats.notAdmittedWaiting}` : ''}`),
    failed ? 'AUDIT FAILED: oversold, unsold while buyers were told SOLD_OUT, and disagreements must all be zero.' : 'audits exact: nothing oversold, nothing unsold while a buyer was told SOLD_OUT, no double purchase, MySQL and Redis agree.',
    '',
  ].join('\n');
  process.stdout.write(text);

  const md = [
    `**${title}**`,
    '',
    '```sh',
    opts.command,
    '```',
    '',
    `Machine: ${machineLine(machine)}`,
    '',
    ...(crowds.length ? [markdownTable(crowdHeader, crowdRows), '', markdownTable(processHeader, processRows), '', ...costLines.map((l) => `- ${l}`), ''] : []),
    ...(bursts.length ? [markdownTable(burstHeader, burstRows), '', `- ${burstSummary}`, ''] : []),
    ...notes.map((l) => `- ${l}`),
    ...crowds.map((c) => `- requests of ${c.name}: ${kinds(c.stats.kinds)}`),
    `- ${failed ? '**AUDIT FAILED**' : 'audits exact (stock in MySQL and Redis, no double purchase)'}`,
    '',
  ].join('\n');

  const at = new Date().toISOString();
  const stamp = at.replace(/[:.]/g, '-');
  const json = {
    scenario: 'line',
    at,
    machine,
    options: opts,
    connections: x.connections,
    fdLimit: x.fdLimit,
    costs: costs && {
      floorMsPerOrder: round(costs.floorMsPerOrder, 3),
      floorOrders: costs.floor.orders,
      floorMsTotal: Object.fromEntries(Object.entries(costs.floor.total).map(([k, v]) => [k, round(v)])),
      floorWindowMs: round(costs.floor.windowMs),
      committedOrderMs: orderRef === null ? null : round(orderRef, 3),
      joinStatusPerBuyerMs: joinStatus === null ? null : round(joinStatus, 4),
      joinStatusOfCommittedOrder: joinStatus !== null && orderRef ? round(joinStatus / orderRef, 4) : null,
      orderInLineMs: orderInLine === null ? null : round(orderInLine, 3),
      joinBySubtractionMs: joinBySubtraction === null ? null : round(joinBySubtraction, 4),
    },
    crowds: [...(costs?.reference ? [costs.reference] : []), ...(costs?.joinOnly ? [costs.joinOnly] : []), ...crowds].map((c) => ({
      name: c.name,
      waitingRoom: c.waitingRoom,
      buyers: c.buyers,
      rate: c.rate,
      stock: c.stock,
      finals: c.finals,
      fairness: c.fairness,
      numbering: c.numbering,
      times: c.times,
      soldOut: c.soldOut,
      lastUnitAfterMs: c.lastUnitAfterMs,
      joinLatencyMs: c.joinLatencyMs,
      gatewayJoinMs: c.gatewayJoinMs,
      orderLatencyMs: c.orderLatencyMs,
      sendLagMs: c.sendLagMs,
      requests: c.requests,
      untypedErrors: c.stats.untypedErrors,
      notAdmittedWaiting: c.stats.notAdmittedWaiting,
      heldPeak: c.stats.heldPeak,
      ownConnectionsPeak: c.ownConnectionsPeak,
      kinds: c.stats.kinds,
      cpu: {
        msTotal: Object.fromEntries(Object.entries(c.cpu.total).map(([k, v]) => [k, round(v)])),
        msDuring: Object.fromEntries(Object.entries(c.cpu.during).map(([k, v]) => [k, round(v)])),
        perBuyerMs: round(perBuyer(c), 4),
        perCommittedOrderMs: Number.isNaN(perOrder(c)) ? null : round(perOrder(c), 3),
        windowMs: round(c.cpu.windowMs),
        idleCores: round(c.cpu.idleCores, 3),
        settled: c.cpu.settle.settled,
        listenOverflows: c.cpu.listenOverflows,
      },
      audit: c.audit,
    })),
    bursts,
    failed,
  };
  writeFileSync(resolve(OUT_DIR, `line-${stamp}.json`), JSON.stringify(json, null, 2));
  writeFileSync(resolve(OUT_DIR, `line-${stamp}.md`), md);
  if (opts.writeDocs) writeDocs(md, at);
  process.stdout.write(`${JSON.stringify(json)}\n`);
  return { failed };
}

/** Rewrites the block between the markers in docs/BENCHMARKS.md (appends a section when absent). */
function writeDocs(md: string, at: string): void {
  const file = resolve(ROOT, 'docs/BENCHMARKS.md');
  const doc = readFileSync(file, 'utf8');
  const block = `${DOCS_BEGIN}\n_Written by the bench at ${at.slice(0, 16).replace('T', ' ')} UTC._\n\n${md}\n${DOCS_END}`;
  const begin = doc.indexOf(DOCS_BEGIN);
  const end = doc.indexOf(DOCS_END);
  const next = begin >= 0 && end > begin ? `${doc.slice(0, begin)}${block}${doc.slice(end + DOCS_END.length)}` : `${doc.trimEnd()}\n\n## Waiting room\n\n${block}\n`;
  writeFileSync(file, next);
  process.stderr.write(`[bench] results written into docs/BENCHMARKS.md\n`);
}
