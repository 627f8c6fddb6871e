/**
 * WaitingLine: the one typed way to move and read a sale's waiting room in Redis (the rules are in
 * line-scripts.lua.ts, the keys in line-keys.ts). The gateway joins buyers and keeps the status in
 * memory; the product subgraph reads the status for `Product.waitingRoom`; the order subgraph checks
 * tickets inside its reservation script (stock-ledger.ts), not through here.
 */
import { randomInt } from 'node:crypto';
import type Redis from 'ioredis';
import type { Config } from '../config';
import { stockKey } from '../stock/stock-hash';
import { lineKeys } from './line-keys';
import { LINE_LUA } from './line-scripts.lua';

export type LineState = 'NOT_OPEN' | 'OPEN' | 'SOLD_OUT' | 'CLOSED';

/** One sale's line as every buyer sees it (the public status document and more). */
export interface LineStatus {
  productId: string;
  state: LineState;
  /** Numbers up to this one are served (may order). */
  nowServing: number;
  /** Numbers given so far (the last one). */
  issued: number;
  /** People in line who are not served yet (the pre-queue before the opening). */
  waiting: number;
  /** Units for sale right now. */
  available: number;
  /** Numbers served per second, about the pace orders are completed (at least the opening rate). */
  admitPerSecond: number;
  /** Orders completed per second, measured (0 until the first). */
  pace: number;
  /** Tickets that have placed their order. */
  used: number;
  /** Served numbers whose order window passed without an order. */
  noShows: number;
  /** Served numbers still inside their order window that have not ordered: units they may take. */
  holding: number;
  opensAt: Date | null;
  closesAt: Date | null;
  /** Redis's clock when this was read (epoch ms). */
  at: number;
}

/** A buyer's number: a number, 'pre-queue' (drawn at the opening), or none (closed, sold out, too early). */
export type LineNumber = number | 'pre-queue' | null;

export type LineRead = { kind: 'line'; status: LineStatus } | { kind: 'none' } | { kind: 'unknown' } | { kind: 'missing' };

export interface LineSettings {
  orderWindowMs: number;
  prequeueMs: number;
  aheadMs: number;
  minServing: number;
  noShowMargin: number;
  noShowAfterMs: number;
}

export const lineSettingsOf = (config: Config): LineSettings => ({
  orderWindowMs: config.WAITING_ROOM_ORDER_WINDOW_SECONDS * 1000,
  prequeueMs: config.WAITING_ROOM_PREQUEUE_SECONDS * 1000,
  aheadMs: Math.round(config.WAITING_ROOM_SERVE_AHEAD_SECONDS * 1000),
  minServing: config.WAITING_ROOM_MIN_SERVING,
  noShowMargin: config.WAITING_ROOM_NO_SHOW_MARGIN,
  noShowAfterMs: config.WAITING_ROOM_NO_SHOW_AFTER_SECONDS * 1000,
});

interface LineReply {
  status: 'ok' | 'none' | 'unknown' | 'missing';
  state: LineState;
  nowServing: number;
  issued: number;
  waiting: number;
  available: number;
  pace: number;
  admitPerSecond: number;
  opensAt: number;
  closesAt: number;
  used: number;
  noShows: number;
  holding: number;
  now: number;
  numbers: Array<number | 'p'> | Record<string, never>;
}

type LineScript = (...args: Array<string | number>) => Promise<string>;

export class WaitingLine {
  constructor(
    private readonly redis: Redis,
    readonly settings: LineSettings,
  ) {
    redis.defineCommand('waitingLine', { lua: LINE_LUA });
  }

  /** The line's status, after moving it as far as it may move now. */
  async status(productId: string): Promise<LineRead> {
    return (await this.call(productId, [])).read;
  }

  /**
   * Gives numbers to `buyers`, in this order (the caller sorts them by arrival), and answers the
   * status after moving the line. A buyer who has a number keeps it.
   */
  async join(productId: string, buyers: readonly string[]): Promise<{ read: LineRead; numbers: LineNumber[] }> {
    return this.call(productId, buyers);
  }

  private async call(productId: string, buyers: readonly string[]): Promise<{ read: LineRead; numbers: LineNumber[] }> {
    const { orderWindowMs, aheadMs, minServing, noShowMargin, prequeueMs, noShowAfterMs } = this.settings;
    const keys = [lineKeys.line(productId), lineKeys.numbers(productId), lineKeys.prequeue(productId), lineKeys.used(productId), lineKeys.served(productId), lineKeys.servedAt(productId), stockKey(productId)];
    const script = (this.redis as unknown as Record<'waitingLine', LineScript>).waitingLine;
    const args = [orderWindowMs, aheadMs, minServing, Math.round(noShowMargin * 1000), prequeueMs, randomInt(1, 2 ** 31 - 1), noShowAfterMs, ...buyers];
    const reply = JSON.parse(await script.call(this.redis, keys.length, ...keys, ...args)) as LineReply;
    if (reply.status !== 'ok') return { read: { kind: reply.status }, numbers: buyers.map(() => null) };
    // cjson encodes an empty array as an object.
    const numbers = (Array.isArray(reply.numbers) ? reply.numbers : []).map((n): LineNumber => (n === 'p' ? 'pre-queue' : n > 0 ? n : null));
    return {
      numbers,
      read: {
        kind: 'line',
        status: {
          productId,
          state: reply.state,
          nowServing: reply.nowServing,
          issued: reply.issued,
          waiting: reply.waiting,
          available: reply.available,
          admitPerSecond: Math.max(1, Math.round(reply.admitPerSecond)),
          pace: Math.round(reply.pace * 10) / 10,
          used: reply.used,
          noShows: Math.max(0, reply.noShows),
          holding: reply.holding,
          opensAt: reply.opensAt > 0 ? new Date(reply.opensAt) : null,
          closesAt: reply.closesAt > 0 ? new Date(reply.closesAt) : null,
          at: reply.now,
        },
      },
    };
  }
}

/** Sold out or closed: nobody more is served (until units come back to a sold-out line). */
export const isFinal = (status: LineStatus): boolean => status.state === 'SOLD_OUT' || status.state === 'CLOSED';

/** Whether `number` may order now: reached by the watermark, and the line neither sold out nor closed. */
export const isServed = (status: LineStatus, number: LineNumber): boolean => typeof number === 'number' && number <= status.nowServing && !isFinal(status);

/** Units left that no served buyer may still take: what the numbers not served yet can buy. */
export const unitsForWaiting = (status: LineStatus): number => Math.max(0, status.available - status.holding);

/**
 * Whether `number` (not served yet) is beyond the units left: more people ahead of it than units
 * not held by served buyers, so its turn comes only if some of them do not buy in their window or
 * units come back (an expired payment, a cancel), not after a time the pace could tell.
 */
export function waitsForReturns(status: LineStatus, number: LineNumber): boolean {
  if (typeof number !== 'number' || number <= status.nowServing) return false;
  if (status.state === 'CLOSED') return false;
  return number - status.nowServing > unitsForWaiting(status);
}

/**
 * Seconds until `number` is served at the line's pace (0 once served); null without a number,
 * when nobody is being served (sold out or closed), or when the number is beyond the units left
 * (waitsForReturns): then it depends on units coming back, not on time.
 */
export function estimatedWaitSeconds(status: LineStatus, number: LineNumber): number | null {
  if (isFinal(status)) return typeof number === 'number' && number <= status.nowServing ? 0 : null;
  if (typeof number !== 'number') {
    if (number === 'pre-queue' && status.opensAt) return Math.max(0, Math.ceil((status.opensAt.getTime() - status.at) / 1000));
    return null;
  }
  const ahead = number - status.nowServing;
  if (ahead <= 0) return 0;
  if (waitsForReturns(status, number)) return null;
  const untilOpen = status.state === 'NOT_OPEN' && status.opensAt ? Math.max(0, (status.opensAt.getTime() - status.at) / 1000) : 0;
  return Math.ceil(untilOpen + ahead / Math.max(1, status.admitPerSecond));
}
