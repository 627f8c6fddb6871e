/**
 * Cross-subgraph writes travel as events: the writer stores an outbox row in the same unit of
 * work as its change; the relay publishes unpublished rows to a Redis Stream; a consumer in a
 * consumer group applies each event inside a transaction that also records the event id, so an
 * event delivered twice is applied once.
 *
 * Redis may lose everything (a restart without persistence): the streams, the consumer groups and
 * every event published but not yet consumed. The relay notices (its epoch key is gone) and
 * publishes the rows of the last OUTBOX_REPLAY_WINDOW_SECONDS again; a consumer whose group is
 * gone recreates it; the processed-event ids make the replayed events that were applied already
 * no-ops.
 */
import { Entity, Index, IsolationLevel, PrimaryKey, Property, UniqueConstraintViolationException, LockMode } from '@mikro-orm/core';
import type { MikroORM, EntityManager } from '@mikro-orm/mysql';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { Logger } from './logger';
import { MAX_BLOCKING_READ_MS } from './redis';
import { startPeriodic } from './periodic';

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

@Entity({ tableName: 'processed_event' })
export class ProcessedEvent {
  @PrimaryKey({ length: 36 })
  eventId!: string;

  @Property({ length: 64 })
  stream!: string;

  @Property({ type: 'datetime', length: 3 })
  processedAt: Date = new Date();
}

/** Adds an outbox row to the unit of work; it commits (or not) with the caller's change. */
export function enqueueEvent<T extends { type: string }>(em: EntityManager, stream: string, event: T): OutboxMessage {
  const msg = new OutboxMessage();
  msg.stream = stream;
  msg.type = event.type;
  msg.payload = event as unknown as Record<string, unknown>;
  em.persist(msg);
  return msg;
}

export interface Worker {
  /** Ask the worker to run its next round now instead of waiting for its interval. */
  kick(): void;
  stop(): Promise<void>;
}

/**
 * The key whose presence tells a relay that Redis still holds what it published (one per outbox,
 * i.e. per database). It vanishes only when Redis loses its data.
 */
export function outboxEpochKey(orm: MikroORM): string {
  return `outbox:epoch:${orm.config.get('dbName')}`;
}

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
}): Worker {
  const { orm, redis, logger } = opts;
  const interval = opts.intervalMs ?? 500;
  const replayWindowMs = opts.replayWindowMs ?? DEFAULT_REPLAY_WINDOW_MS;
  const epochKey = outboxEpochKey(orm);
  const checkEpoch = async (): Promise<void> => {
    if ((await redis.exists(epochKey)) === 1) return;
    const since = new Date(Date.now() - replayWindowMs);
    const replayed = await orm.em.fork().nativeUpdate(OutboxMessage, { publishedAt: { $gte: since } }, { publishedAt: null });
    await redis.set(epochKey, `${Date.now()}:${randomUUID()}`, 'NX');
    if (replayed > 0) logger.warn({ replayed, windowSeconds: replayWindowMs / 1000 }, 'Redis lost its data: re-publishing recent outbox events');
  };

  const round = async (): Promise<number> => {
    return orm.em.fork().transactional(async (em) => {
      const rows = await em.find(
        OutboxMessage,
        { publishedAt: null },
        { orderBy: { id: 'asc' }, limit: opts.batch ?? 200, lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE },
      );
      if (!rows.length) return 0;
      const pipeline = redis.pipeline();
      for (const row of rows) {
        // MariaDB stores JSON as LONGTEXT, so the mysql driver may hand the payload back as text.
        const payload = typeof row.payload === 'string' ? row.payload : JSON.stringify(row.payload);
        pipeline.xadd(row.stream, '*', 'id', row.eventId, 'type', row.type, 'payload', payload);
      }
      const results = await pipeline.exec();
      const failed = results?.find(([err]) => err);
      if (failed) throw failed[0];
      await em.nativeUpdate(OutboxMessage, { id: { $in: rows.map((r) => r.id) } }, { publishedAt: new Date() });
      return rows.length;
      // READ COMMITTED: the locking read takes record locks only. Under REPEATABLE READ it also
      // locked the gap after the last unpublished row, so writers inserting new outbox rows (every
      // placeOrder) deadlocked against the relay under load.
    }, { isolationLevel: IsolationLevel.READ_COMMITTED });
  };

  // A kick (a new outbox row committed) during a round makes the relay drain once more at once.
  return startPeriodic('outbox-relay', interval, logger, async (stopped) => {
    await checkEpoch();
    while (!stopped() && (await round()) > 0);
  });
}

export interface StreamMessage<T> {
  eventId: string;
  streamId: string;
  event: T;
}

/**
 * Consumes a stream in a consumer group. `handle` runs in a transaction that also records the
 * event id; an id already recorded means the event was applied before and is acknowledged only.
 */
export function startStreamConsumer<T extends { type: string }>(opts: {
  orm: MikroORM;
  redis: Redis;
  stream: string;
  group: string;
  consumer: string;
  logger: Logger;
  handle: (em: EntityManager, event: T, message: StreamMessage<T>) => Promise<void>;
  blockMs?: number;
  claimIdleMs?: number;
}): Worker {
  const { orm, redis, stream, group, consumer, logger } = opts;
  // Within what the blocking client's command timeout allows (redis.ts).
  const blockMs = Math.min(opts.blockMs ?? 1000, MAX_BLOCKING_READ_MS);
  let stopped = false;

  const apply = async (streamId: string, fields: string[]): Promise<void> => {
    const f: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]] = fields[i + 1];
    const eventId = f.id ?? streamId;
    let event: T;
    try {
      event = JSON.parse(f.payload ?? '{}') as T;
    } catch {
      logger.error({ stream, streamId }, 'unreadable event; acknowledged and skipped');
      await redis.xack(stream, group, streamId);
      return;
    }
    try {
      await orm.em.fork().transactional(async (em) => {
        await em.insert(ProcessedEvent, { eventId, stream, processedAt: new Date() });
        await opts.handle(em, event, { eventId, streamId, event });
      });
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException)) throw err;
      logger.debug({ stream, eventId }, 'event already applied');
    }
    await redis.xack(stream, group, streamId);
  };

  const processBatch = async (entries: Array<[string, string[]]>) => {
    for (const [streamId, fields] of entries) {
      if (stopped) return;
      try {
        await apply(streamId, fields);
      } catch (err) {
        logger.warn({ err, stream, streamId }, 'event handling failed; it stays pending and is retried');
      }
    }
  };

  // From '0': a group created after Redis lost its data reads every event the relay re-published.
  const createGroup = async (): Promise<boolean> => {
    try {
      // ioredis does not apply keyPrefix to XGROUP's key (it is behind a subcommand), so add it here;
      // XREADGROUP / XAUTOCLAIM / XACK below are prefixed by ioredis itself.
      await redis.xgroup('CREATE', `${redis.options.keyPrefix ?? ''}${stream}`, group, '0', 'MKSTREAM');
      return true;
    } catch (err) {
      if (/BUSYGROUP/.test((err as Error).message)) return true;
      logger.warn({ err }, 'could not create consumer group');
      return false;
    }
  };

  const loop = async () => {
    await createGroup();
    let lastClaim = 0;
    while (!stopped) {
      try {
        if (Date.now() - lastClaim > (opts.claimIdleMs ?? 15_000)) {
          lastClaim = Date.now();
          const claimed = (await redis.xautoclaim(stream, group, consumer, opts.claimIdleMs ?? 15_000, '0', 'COUNT', 100)) as [string, Array<[string, string[]] | null>];
          await processBatch((claimed[1] ?? []).filter((e): e is [string, string[]] => !!e));
        }
        const res = (await redis.xreadgroup('GROUP', group, consumer, 'COUNT', 100, 'BLOCK', blockMs, 'STREAMS', stream, '>')) as
          | Array<[string, Array<[string, string[]]>]>
          | null;
        if (res) for (const [, entries] of res) await processBatch(entries);
      } catch (err) {
        if (stopped) break;
        // The group is gone: Redis lost its data (and the relay re-publishes). Join again.
        if (/NOGROUP/.test((err as Error).message)) {
          logger.warn({ stream, group }, 'consumer group missing (Redis lost its data?); recreating it');
          if (await createGroup()) continue;
        }
        logger.warn({ err, stream }, 'stream read failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  };
  const done = loop();

  return {
    kick() {},
    async stop() {
      stopped = true;
      await done;
    },
  };
}
