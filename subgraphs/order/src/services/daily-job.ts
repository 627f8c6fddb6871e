/**
 * The daily job, run for each midnight in DAILY_JOB_TIMEZONE:
 *   RETURN_REQUESTED for at least a day -> RETURNED (units back: Redis now, product.stock by event)
 *   SHIPPING  (since before that midnight) -> DELIVERED (deliveredAt = that midnight)
 *   PREPARING (since before that midnight) -> SHIPPING
 * in that order, so an order moves one step per midnight even when the run is repeated.
 *
 * Invariants
 *   D1 Exactly one runner: a Redlock lock (a replica that cannot get it within a second skips),
 *      the last-run row read under it, and every order change still fenced by the order's version.
 *   D2 Nothing is missed: the `scheduled_job` row keeps the last midnight done; a run processes
 *      every midnight after it up to the latest one, oldest first, and records each when done.
 *   D3 Repeatable: a midnight interrupted half-way is simply run again; orders already moved no
 *      longer match its filters (their statusChangedAt is that midnight).
 *   D4 Time comes from the injected clock, so tests move time instead of waiting for midnight.
 */
import { DateTime } from 'luxon';
import type { FilterQuery } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/mysql';
import type { Logger } from '@flashsale/platform';
import { Order, OrderStatus } from '../entities/order.entity';
import { ScheduledJob } from '../entities/scheduled-job.entity';
import type { Clock } from './clock';
import { HeldLock, LockBusyError, Locks } from './locks';
import { OrderAction, RETURN_WINDOW_MS } from '../lifecycle';
import type { OrderService } from './order.service';

export const DAILY_JOB = 'daily-order-job';
/** A fresh installation starts with today's midnight; a gap longer than this is capped. */
const MAX_CATCH_UP_DAYS = 31;
const BATCH = 500;

export interface DailyRun {
  /** The midnights processed by this call (ISO dates in the job's time zone). */
  dates: string[];
  moved: Record<OrderAction, number>;
}

export class DailyJob {
  constructor(
    private readonly deps: { orm: MikroORM; logger: Logger; clock: Clock; locks: Locks; orders: OrderService; timeZone: string },
  ) {}

  /** Runs every midnight not yet processed (none when another replica is running it). */
  async runDue(): Promise<DailyRun> {
    const run: DailyRun = { dates: [], moved: { completeReturn: 0, deliver: 0, ship: 0 } as DailyRun['moved'] };
    try {
      // A short wait lets a replica that arrives just after another's run see that run's row
      // (and find nothing due) instead of skipping; a long run is still skipped, never doubled.
      await this.deps.locks.using([`lock:job:${DAILY_JOB}`], { ttlMs: 60_000, waitMs: 1000 }, async (lock) => {
        for (const midnight of await this.dueMidnights()) {
          await this.runFor(midnight, run, lock);
          await this.markDone(midnight);
          run.dates.push(midnight.toISODate()!);
        }
      });
    } catch (e) {
      if (!(e instanceof LockBusyError)) throw e;
    }
    if (run.dates.length) this.deps.logger.info(run, 'daily order job ran');
    return run;
  }

  private async dueMidnights(): Promise<DateTime[]> {
    const today = DateTime.fromJSDate(this.deps.clock.now(), { zone: this.deps.timeZone }).startOf('day');
    const row = await this.deps.orm.em.fork().findOne(ScheduledJob, { name: DAILY_JOB });
    if (!row) return [today];
    const last = DateTime.fromISO(row.lastRunDate, { zone: this.deps.timeZone }).startOf('day');
    const out: DateTime[] = [];
    for (let day = DateTime.max(last.plus({ days: 1 }), today.minus({ days: MAX_CATCH_UP_DAYS - 1 })); day <= today; day = day.plus({ days: 1 })) out.push(day);
    return out;
  }

  private async runFor(midnight: DateTime, run: DailyRun, lock: HeldLock): Promise<void> {
    const at = midnight.toJSDate();
    await this.move({ status: OrderStatus.RETURN_REQUESTED, statusChangedAt: { $lte: new Date(at.getTime() - RETURN_WINDOW_MS) } }, 'completeReturn', at, run, lock);
    await this.move({ status: OrderStatus.SHIPPING, statusChangedAt: { $lt: at } }, 'deliver', at, run, lock);
    await this.move({ status: OrderStatus.PREPARING, statusChangedAt: { $lt: at } }, 'ship', at, run, lock);
  }

  /** Applies `action` to every order matching `where`, in id-ordered batches. */
  private async move(where: FilterQuery<Order>, action: OrderAction, at: Date, run: DailyRun, lock: HeldLock): Promise<void> {
    let after = '';
    for (;;) {
      const rows = await this.deps.orm.em.fork().find(Order, { $and: [where, { id: { $gt: after } }] }, { fields: ['id'], orderBy: { id: 'asc' }, limit: BATCH });
      for (const { id } of rows) if (await this.deps.orders.transitionIfStillDue(id, action, at)) run.moved[action]++;
      if (rows.length < BATCH) return;
      await lock.extend();
      after = rows[rows.length - 1].id;
    }
  }

  private async markDone(midnight: DateTime): Promise<void> {
    const em = this.deps.orm.em.fork();
    await em.upsert(ScheduledJob, { name: DAILY_JOB, lastRunDate: midnight.toISODate()!, lastRunAt: this.deps.clock.now() });
  }
}
