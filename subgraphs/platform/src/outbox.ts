/**
 * The writing half of cross-subgraph events: the writer stores an outbox row in the same unit of
 * work as its change (enqueueEvent), and the relay publishes unpublished rows to their Redis
 * Stream (startOutboxRelay). The reading half, which applies each event once, is
 * stream-consumer.ts.
 *
 * Redis may lose everything (a restart without persistence): the streams, the consumer groups and
 * every event published but not yet consumed. The relay notices (its epoch key is gone) and
 * publishes the rows of the last OUTBOX_REPLAY_WINDOW_SECONDS again; consumers recreate their
 * groups, and the processed-event ids make the replayed events that were applied already no-ops.
 */
import {
  Entity,
  Index,
  IsolationLevel,
  LockMode,
  PrimaryKey,
  Property,
} from '@mikro-orm/core';
import type { MikroORM, EntityManager } from '@mikro-orm/mysql';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { Logger } from './logger';
import { startPeriodic } from './periodic';
import { EventContract } from './event-contracts';
import { metricsOf, secondsSince } from './telemetry/metrics';
import { currentTraceparent, withSpan } from './telemetry/tracing';
import type { Worker } from './worker';

@Entity({ tableName: 'outbox' })
@Index({ properties: ['publishedAt', 'id'] })
export class OutboxMessage {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @Property({ length: 36, unique: true })
  eventId: string = randomUUID();

  @Property({ length: 64 })
  stream!: string;

  @Property({ length: 64 })
  type!: string;

  @Property({ type: 'json' })
  payload!: Record<string, unknown>;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', length: 3, nullable: true })
  publishedAt?: Date | null = null;
}

/**
 * Adds an outbox row to the unit of work; it commits (or not) with the caller's change. The event
 * is typed by its stream's contract (event-contracts.ts) and checked against it here, so a
 * producer bug fails the producer's transaction instead of reaching a consumer.
 */
export function enqueueEvent<T extends { type: string }>(em: EntityManager, contract: EventContract<T>, event: T): OutboxMessage {
  const checked = contract.schema.parse(event);
  const msg = new OutboxMessage();
  msg.stream = contract.stream;
  msg.type = checked.type;
  // The placing trace rides along (stripped by the contract on consumption, read by the consumer's span link).
  const traceparent = currentTraceparent();
  msg.payload = (traceparent ? { ...checked, traceparent } : checked) as unknown as Record<string, unknown>;
  em.persist(msg);
  return msg;
}

/**
 * The key whose presence tells a relay that Redis still holds what it published (one per outbox,
 * i.e. per database). It vanishes only when Redis loses its data.
 */
export function outboxEpochKey(orm: MikroORM): string {
  return `outbox:epoch:${orm.config.get('dbName')}`;
}

/**
 * The least time between the end of one outbox relay round and a kicked next one: a commit long
 * after the last round is published at once; under load, commits arriving within this gap are
 * published together by one round (each at most this much later).
 */
export const DEFAULT_RELAY_KICK_GAP_MS = 50;

/** How far back a relay re-publishes after Redis lost its data, unless told otherwise. */
export const DEFAULT_REPLAY_WINDOW_MS = 15 * 60_000;

/**
 * Publishes unpublished outbox rows; several replicas share the work with SKIP LOCKED.
 *
 * Before each run it checks the epoch key. When the key is missing, Redis has lost its data (or
 * is new): rows published within `replayWindowMs` are marked unpublished again, THEN the key is
 * written, so whoever sees the key (the order subgraph's stock reconciler waits for it) also sees
 * those rows as unpublished until they are in the stream again. The window must be longer than
 * consumers ever lag behind; an event older than that which was never consumed is not replayed.
 */
export function startOutboxRelay(opts: {
  orm: MikroORM;
  redis: Redis;
  logger: Logger;
  intervalMs?: number;
  batch?: number;
  replayWindowMs?: number;
  /** Least time from a round's end to a kicked next round (default DEFAULT_RELAY_KICK_GAP_MS). */
  kickGapMs?: number;
}): Worker {
  const { orm, redis, logger } = opts;
  const interval = opts.intervalMs ?? 500;
  const batch = opts.batch ?? 200;
  const replayWindowMs = opts.replayWindowMs ?? DEFAULT_REPLAY_WINDOW_MS;
  const epochKey = outboxEpochKey(orm);
  const checkEpoch = async (): Promise<void> => {
    if ((await redis.exists(epochKey)) === 1) return;
    const since = new Date(Date.now() - replayWindowMs);
    const replayed = await orm.em.fork().nativeUpdate(OutboxMessage, { publishedAt: { $gte: since } }, { publishedAt: null });
    await redis.set(epochKey, `${Date.now()}:${randomUUID()}`, 'NX');
    if (replayed > 0) logger.warn({ replayed, windowSeconds: replayWindowMs / 1000 }, 'Redis lost its data: re-publishing recent outbox events');
  };

  const metrics = metricsOf(logger);
  const mysqlDuration = metrics.mysqlDuration;
  // The backlog, read when Prometheus scrapes (the (published_at, id) index answers it).
  metrics.onScrape('outbox', async () => {
    const [row] = await orm.em.getConnection().execute<Array<{ n: number; oldest: Date | string | null }>>('select count(*) as n, min(created_at) as oldest from outbox where published_at is null');
    metrics.outboxWaiting.set(Number(row?.n ?? 0));
    const oldest = row?.oldest ? new Date(row.oldest).getTime() : NaN;
    metrics.outboxOldestAge.set(Number.isFinite(oldest) ? Math.max(0, (Date.now() - oldest) / 1000) : 0);
  });
  const round = async (): Promise<number> => {
    const started = process.hrtime.bigint();
    return withSpan('outbox relay', {}, () => orm.em.fork().transactional(async (em) => {
      const rows = await em.find(
        OutboxMessage,
        { publishedAt: null },
        { orderBy: { id: 'asc' }, limit: batch, lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE },
      );
      if (!rows.length) return 0;
      // One pipeline per stream, in outbox order: a pipeline may not span Redis Cluster slots, and
      // each stream is one key.
      const pipelines = new Map<string, ReturnType<Redis['pipeline']>>();
      for (const row of rows) {
        // MariaDB stores JSON as LONGTEXT, so the mysql driver may hand the payload back as text.
        const payload = typeof row.payload === 'string' ? row.payload : JSON.stringify(row.payload);
        let pipeline = pipelines.get(row.stream);
        if (!pipeline) pipelines.set(row.stream, (pipeline = redis.pipeline()));
        pipeline.xadd(row.stream, '*', 'id', row.eventId, 'type', row.type, 'payload', payload);
      }
      const results = (await Promise.all([...pipelines.values()].map((p) => p.exec()))).flatMap((r) => r ?? []);
      const failed = results.find(([err]) => err);
      if (failed) throw failed[0];
      await em.nativeUpdate(OutboxMessage, { id: { $in: rows.map((r) => r.id) } }, { publishedAt: new Date() });
      return rows.length;
      // READ COMMITTED: the locking read takes record locks only. Under REPEATABLE READ it also
      // locked the gap after the last unpublished row, so writers inserting new outbox rows (every
      // placeOrder) deadlocked against the relay under load.
    }, { isolationLevel: IsolationLevel.READ_COMMITTED })).finally(() => mysqlDuration.observe({ op: 'outbox_relay' }, secondsSince(started)));
  };

  // The rounds the timer starts are the safety net (rows of a replica that died before publishing
  // them, or written by a path that did not kick): they first ask with one indexed read outside any
  // transaction, so an idle relay costs one query per interval instead of a locking transaction
  // (BEGIN, SELECT … FOR UPDATE, COMMIT through the ORM: most of an idle order subgraph's CPU).
  // A kicked round, and the first one (rows left from an earlier run), goes straight to work.
  let kicked = true;
  const anyUnpublished = async () =>
    (await orm.em.getConnection().execute<unknown[]>('select 1 from outbox where published_at is null limit 1')).length > 0;

  // Every commit with an outbox row kicks the relay. A kick within kickGapMs of the last round (or
  // during one) is served by one round kickGapMs after it, shared with every other kick meanwhile,
  // so under load a round publishes the rows of many commits instead of one. A round that found
  // fewer rows than a full batch drained what was committed when it looked; a later commit kicks.
  const worker = startPeriodic(
    'outbox-relay',
    interval,
    logger,
    async (stopped) => {
      await checkEpoch(); // may mark rows unpublished again: the read below comes after it
      const wasKicked = kicked;
      kicked = false; // a kick from here on runs another round after this one
      if (!wasKicked && !(await anyUnpublished())) return;
      while (!stopped() && (await round()) >= batch);
    },
    { kickGapMs: opts.kickGapMs ?? DEFAULT_RELAY_KICK_GAP_MS },
  );
  return {
    kick() {
      kicked = true;
      worker.kick();
    },
    stop: () => worker.stop(),
  };
}
