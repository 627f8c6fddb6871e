/**
 * Group commit of new orders: concurrent placeOrder calls share one MikroORM unit of work and one
 * transaction (multi-row inserts of orders, items and `order.placed` outbox rows; one COMMIT, one
 * log flush) instead of one each.
 *
 * When the system is quiet a new order is committed at once, alone (no added latency). Under load a
 * transaction starts at most every `gapMs` and at most `parallel` run at once; an order arriving
 * meanwhile waits for the next start and goes with everyone who arrived with it (at most
 * `maxBatch`). A transaction costs the order subgraph about 3 ms of CPU whatever it holds and each
 * order in it about 0.2 ms more (measured: docs/BENCHMARKS.md), so at 200 orders/s a 20 ms gap
 * turns ~200 transactions a second into ~50 and a caller waits at most `gapMs` plus one commit.
 *
 * Each caller learns its own outcome:
 *   committed                 its order is in the database;
 *   failed, before COMMIT     nothing of it is in the database (the batch rolled back): safe to give back;
 *   failed at COMMIT          unknown (the connection died as COMMIT was sent): the caller reads back.
 * A batch that fails before COMMIT for a reason one order can cause (a duplicate idempotency key
 * after Redis lost its markers) is retried one order per transaction, so one bad order never fails
 * the others. Deadlocks and lock-wait timeouts roll the whole transaction back and are retried.
 */
import { DeadlockException, LockWaitTimeoutException } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/mysql';
import type { Logger } from '@flashsale/platform';

export type CommitOutcome = { committed: true } | { committed: false; error: unknown; reachedCommit: boolean };

export interface CommitWork<T> {
  /** Adds this caller's entities to the shared unit of work. */
  write(em: EntityManager): T;
  /** False when the caller may no longer commit (its reservation's time ran out while it queued). */
  stillValid(): boolean;
}

/** Tries of one transaction when the database reports a deadlock or lock-wait timeout. */
const COMMIT_ATTEMPTS = 3;

export class PlacementTooSlowError extends Error {
  constructor() {
    super('the order waited too long to commit; its reservation is given back');
  }
}

interface Waiting {
  work: CommitWork<unknown>;
  settle(outcome: CommitOutcome): void;
}

export class OrderCommits {
  private queue: Waiting[] = [];
  private running = 0;
  private lastStart = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly orm: MikroORM,
    private readonly logger: Logger,
    private readonly opts: { parallel: number; maxBatch: number; gapMs: number },
  ) {}

  /** Commits `work` with whoever else is waiting; never rejects. */
  commit(work: CommitWork<unknown>): Promise<CommitOutcome> {
    return new Promise((settle) => {
      this.queue.push({ work, settle });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.opts.parallel && this.queue.length && !this.timer) {
      const wait = this.lastStart + this.opts.gapMs - Date.now();
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, wait);
        return;
      }
      this.lastStart = Date.now();
      const batch = this.queue.splice(0, this.opts.maxBatch);
      this.running++;
      void this.runBatch(batch).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async runBatch(batch: Waiting[]): Promise<void> {
    const late = batch.filter((w) => !w.work.stillValid());
    for (const w of late) w.settle({ committed: false, error: new PlacementTooSlowError(), reachedCommit: false });
    const ready = batch.filter((w) => !late.includes(w));
    if (!ready.length) return;
    const outcome = await this.transaction(ready.map((w) => w.work));
    if (outcome.committed || ready.length === 1 || outcome.reachedCommit) {
      for (const w of ready) w.settle(outcome);
      return;
    }
    this.logger.warn({ err: outcome.error, orders: ready.length }, 'a batch of orders failed before COMMIT; committing them one by one');
    await Promise.all(ready.map(async (w) => w.settle(await this.transaction([w.work]))));
  }

  private async transaction(works: ReadonlyArray<CommitWork<unknown>>): Promise<CommitOutcome> {
    let reachedCommit = false;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.orm.em.fork().transactional(async (em) => {
          for (const work of works) work.write(em);
          await em.flush();
          reachedCommit = true; // all that is left is COMMIT
        });
        return { committed: true };
      } catch (error) {
        const transient = error instanceof DeadlockException || error instanceof LockWaitTimeoutException;
        if (!transient || reachedCommit || attempt >= COMMIT_ATTEMPTS) return { committed: false, error, reachedCommit };
        this.logger.warn({ err: error, attempt, orders: works.length }, 'order commit hit a lock conflict; retrying');
      }
    }
  }
}
