/**
 * The JSON documents of the waiting room's edge routes (docs/WAITING-ROOM.md "Contract"), as the
 * storefront reads them. Types only, so the end-to-end tests check the gateway's answers against
 * the same shapes (test/support/waiting-room.ts).
 */
import type { LineState } from './line-phase';

/** GET /waiting-room/{id}: the line as everyone sees it. */
export interface LineStatus {
  productId: string;
  state: LineState;
  nowServing: number;
  admitPerSecond: number;
  waiting: number;
  available: number;
  /** Served buyers who may still buy: the units left minus this is what the rest of the line can buy. */
  holding: number;
  opensAt: string | null;
  closesAt: string | null;
  updatedAt: string;
}

/** POST /waiting-room/{id}: the caller's ticket and number (both null when the line gives none). */
export interface JoinAnswer extends LineStatus {
  ticket: string | null;
  number: number | null;
  preQueue: boolean;
  served: boolean;
  estimatedWaitSeconds: number | null;
  /** More people ahead than units not held by served buyers: the turn comes only if units come back. */
  waitsForReturns: boolean;
  orderWindowSeconds: number;
}

/** GET /waiting-room/{id}/turn: the status when `number` was served, the sale ended, or the hold ran out. */
export interface TurnAnswer extends LineStatus {
  number: number | null;
  served: boolean;
  estimatedWaitSeconds: number | null;
  waitsForReturns: boolean;
}
