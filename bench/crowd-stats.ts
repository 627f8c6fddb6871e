/**
 * What a crowd's journeys (crowd.ts) say, reduced for the line scenario's report (line.ts):
 * fairness by arrival, every buyer's time to a final answer, and how fast the buyers still waiting
 * learned that the stock was gone.
 */
import type { Outcome } from './load';
import type { BuyerRecord } from './crowd';
import { LatencySummary, summarize } from './stats';

export interface Fairness {
  stock: number;
  winners: number;
  /** Orders that went to the first `stock` arrivals (by arrival stamp). */
  winnersAmongFirst: number;
  /** 1-based arrival rank of the latest-arriving buyer who got an order. */
  lastWinnerRank: number | null;
  /** Of the first `stock` arrivals, how many got no order. */
  firstWithoutOrder: number;
}

/** Arrival ranks (1-based) by arrival stamp, ties by index; buyers never sent rank last. */
export function arrivalRanks(records: readonly BuyerRecord[], stamp: (r: BuyerRecord) => number = (r) => r.arrivedAt): Int32Array {
  const order = records.map((_, i) => i);
  const key = (i: number) => (Number.isNaN(stamp(records[i])) ? Number.POSITIVE_INFINITY : stamp(records[i]));
  order.sort((a, b) => key(a) - key(b) || a - b);
  const ranks = new Int32Array(records.length);
  order.forEach((i, r) => (ranks[i] = r + 1));
  return ranks;
}

export function fairness(records: readonly BuyerRecord[], stock: number): Fairness {
  const ranks = arrivalRanks(records);
  let winners = 0;
  let winnersAmongFirst = 0;
  let lastWinnerRank: number | null = null;
  let firstWithoutOrder = 0;
  records.forEach((r, i) => {
    const won = r.final === 'ORDER';
    if (won) {
      winners++;
      if (ranks[i] <= stock) winnersAmongFirst++;
      lastWinnerRank = Math.max(lastWinnerRank ?? 0, ranks[i]);
    } else if (ranks[i] <= stock) firstWithoutOrder++;
  });
  return { stock, winners, winnersAmongFirst, lastWinnerRank, firstWithoutOrder };
}

/** How the line's numbers followed arrival (waiting-room runs): where unfairness came from. */
export interface Numbering {
  numbered: number;
  /** Of the first `stock` arrivals, how many were given a number above `stock`. */
  firstArrivalsNumberedAbove: number;
  /** Orders that went to numbers 1..stock (the line's own order, whatever the arrival order). */
  winnersNumberedWithin: number;
  /** |number − arrival rank| over numbered buyers. */
  displacement: LatencySummary | null;
  /**
   * The same against the order the joins were written to connections (joinSentAt): what the
   * gateway could see. Small here and large above: the reordering happened in the generator.
   */
  bySend: { firstSentNumberedAbove: number; displacement: LatencySummary | null } | null;
}

/** Numbered buyers ranked by `stamp`: how many of the first `stock` got a number above `stock`, and |number − rank|. */
function numbersAgainst(records: readonly BuyerRecord[], stock: number, stamp: (r: BuyerRecord) => number) {
  const ranks = arrivalRanks(records, stamp);
  const distance: number[] = [];
  let firstNumberedAbove = 0;
  records.forEach((r, i) => {
    if (r.number === null || Number.isNaN(stamp(r))) return;
    distance.push(Math.abs(r.number - ranks[i]));
    if (ranks[i] <= stock && r.number > stock) firstNumberedAbove++;
  });
  return { numbered: distance.length, firstNumberedAbove, displacement: distance.length ? summarize(distance) : null };
}

export function numbering(records: readonly BuyerRecord[], stock: number): Numbering {
  const byArrival = numbersAgainst(records, stock, (r) => r.arrivedAt);
  const bySend = numbersAgainst(records, stock, (r) => r.joinSentAt);
  return {
    numbered: byArrival.numbered,
    firstArrivalsNumberedAbove: byArrival.firstNumberedAbove,
    winnersNumberedWithin: records.filter((r) => r.final === 'ORDER' && r.number !== null && r.number <= stock).length,
    displacement: byArrival.displacement,
    bySend: bySend.numbered ? { firstSentNumberedAbove: bySend.firstNumberedAbove, displacement: bySend.displacement } : null,
  };
}

export interface FinalTimes {
  /** Buyers with a final answer (an order, SOLD_OUT / CLOSED, or another typed refusal). */
  answered: number;
  /** Buyers whose journey ended in an error (no typed answer) or who gave up. */
  unanswered: number;
  /** Arrival stamp → final answer, over answered buyers, ms. */
  latencyMs: LatencySummary;
  over60s: number;
}

export function finalTimes(records: readonly BuyerRecord[]): FinalTimes {
  const times: number[] = [];
  let unanswered = 0;
  for (const r of records) {
    if (r.error || Number.isNaN(r.finalAt) || Number.isNaN(r.arrivedAt)) unanswered++;
    else times.push(r.finalAt - r.arrivedAt);
  }
  return { answered: times.length, unanswered, latencyMs: summarize(times), over60s: times.filter((t) => t > 60_000).length };
}

export interface SoldOutNews {
  /** Buyers who arrived before the last unit was reserved and were then told SOLD_OUT / CLOSED. */
  waiting: number;
  /** Last unit reserved → their SOLD_OUT answer, ms (0 for one that came no later). */
  delayMs: LatencySummary | null;
  /**
   * The same, split by the request that told them: a held turn request (in line already) or the
   * join's own answer (a join that had not been answered yet, e.g. still in the accept queue).
   */
  byTurn: { waiting: number; delayMs: LatencySummary | null };
  byJoin: { waiting: number; delayMs: LatencySummary | null };
}

/** `lastUnitAt` is on the performance.now() clock (see line.ts for how it is read from Redis). */
export function soldOutNews(records: readonly BuyerRecord[], lastUnitAt: number | null): SoldOutNews {
  const told = lastUnitAt === null ? [] : records.filter((r) => (r.final === 'SOLD_OUT' || r.final === 'CLOSED') && r.arrivedAt < lastUnitAt);
  const news = (of: readonly BuyerRecord[]) => {
    const delays = of.map((r) => Math.max(0, r.finalAt - lastUnitAt!));
    return { waiting: delays.length, delayMs: delays.length ? summarize(delays) : null };
  };
  return { ...news(told), byTurn: news(told.filter((r) => r.via === 'turn')), byJoin: news(told.filter((r) => r.via === 'join')) };
}

/** Each buyer's final answer as the audit reads it (audit.ts). */
export function outcomesOf(records: readonly BuyerRecord[]): Outcome[] {
  return records.map((r) => ({ kind: r.final, orderId: r.orderId, error: r.error }));
}

/** Final answers by kind ("ORDER 1000, SOLD_OUT 19000"). */
export function finalKinds(records: readonly BuyerRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) counts[r.final] = (counts[r.final] ?? 0) + 1;
  return counts;
}

export function requestTotals(records: readonly BuyerRecord[]): { requests: number; busyJoins: number; busyTurns: number; busyOrders: number } {
  const t = { requests: 0, busyJoins: 0, busyTurns: 0, busyOrders: 0 };
  for (const r of records) {
    t.requests += r.requests;
    t.busyJoins += r.busyJoins;
    t.busyTurns += r.busyTurns;
    t.busyOrders += r.busyOrders;
  }
  return t;
}
