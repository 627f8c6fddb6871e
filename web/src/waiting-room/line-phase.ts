/**
 * Where the buyer stands in a sale's line, derived (never stored) from two facts: the place this
 * browser keeps (ticket-store.ts) and the line's latest status. One pure function, so the page,
 * the panel and Buy now can never disagree about it.
 *
 *   out ──join──▶ preQueue ──opening──▶ waiting ──number <= nowServing──▶ served ──order──▶ ordered
 *                                                                          └──window passed──▶ expired
 *   any phase but ordered ──▶ soldOut (no unit left: nobody is served) / closed (the sale ended)
 *
 * Pure and free of the DOM: test/storefront/line-phase.test.ts is its spec.
 */

/** Where a sale's line stands (the edge's `state`). */
export type LineState = 'NOT_OPEN' | 'OPEN' | 'SOLD_OUT' | 'CLOSED';

/** The buyer's place as this browser keeps it (ticket-store.ts). */
export interface StoredPlace {
  /** The signed ticket placeOrder needs (opaque here). */
  ticket: string;
  /** The number in line; null while in the pre-queue (drawn at the opening). */
  number: number | null;
  /** nowServing when this browser learned its number: the progress bar's start. */
  startedAt: number | null;
  /** Epoch ms when this browser first learned the number was served (the order window counts from it). */
  servedAt: number | null;
  /** How long a served number may order, seconds (from the join answer). */
  orderWindowSeconds: number;
  /** The order this ticket bought, once it did. */
  orderId: string | null;
}

/** The figures the page has about the line: from GraphQL at first, then from the edge. */
export interface LineFigures {
  state: LineState;
  nowServing: number;
  waiting: number;
  admitPerSecond: number;
  /** Units for sale (the edge's documents carry it; GraphQL's first render does not). */
  available?: number;
  /** Served buyers who may still buy (the edge's documents carry it). */
  holding?: number;
}

export type LinePhase =
  | { kind: 'out' }
  | { kind: 'preQueue' }
  /**
   * `unitsForLine`: the units left that no served buyer holds, when known. When the place is beyond
   * them, the turn comes only if units come back (a no-show, an expired payment, a cancel).
   */
  | { kind: 'waiting'; number: number; place: number; progress: { now: number; max: number }; unitsForLine: number | null; waitsForReturns: boolean }
  | { kind: 'served'; ticket: string; msLeft: number }
  | { kind: 'expired' }
  | { kind: 'ordered'; orderId: string }
  | { kind: 'soldOut' }
  | { kind: 'closed' };

export function linePhase(place: StoredPlace | null, figures: LineFigures | null, nowMs: number): LinePhase {
  if (place?.orderId) return { kind: 'ordered', orderId: place.orderId };
  if (figures?.state === 'CLOSED') return { kind: 'closed' };
  if (figures?.state === 'SOLD_OUT') return { kind: 'soldOut' };
  if (!place) return { kind: 'out' };
  if (place.number === null) return { kind: 'preQueue' };
  const nowServing = figures?.nowServing ?? 0;
  if (place.number <= nowServing && figures) {
    const window = place.orderWindowSeconds * 1000;
    const msLeft = Math.min(window, (place.servedAt ?? nowMs) + window - nowMs);
    return msLeft > 0 ? { kind: 'served', ticket: place.ticket, msLeft } : { kind: 'expired' };
  }
  // The bar runs from where the line stood when this browser learned its number to the number.
  const start = Math.min(place.startedAt ?? nowServing, place.number - 1);
  const max = place.number - start;
  const unitsForLine = figures?.available !== undefined && figures.holding !== undefined ? Math.max(0, figures.available - figures.holding) : null;
  const placeInLine = place.number - nowServing;
  return {
    kind: 'waiting',
    number: place.number,
    place: placeInLine,
    progress: { now: Math.max(0, Math.min(max, nowServing - start)), max },
    unitsForLine,
    waitsForReturns: unitsForLine !== null && placeInLine > unitsForLine,
  };
}
