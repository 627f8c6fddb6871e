/**
 * The reading half of cross-subgraph events: a consumer in a consumer group applies each event
 * inside a transaction that also records the event id (processed_event), so an event delivered
 * twice, or published again by the relay after Redis lost its data (outbox.ts), is applied once;
 * an event that fails its contract or keeps failing goes to the stream's dead-letter stream.
 *
 * Over 300 lines: one consumer loop, with its reclaiming of stale entries, its dead-lettering and
 * its batch transaction, which share the loop's state.
 */
import {
  ConnectionException,
  DeadlockException,
  Entity,
  IsolationLevel,
  LockWaitTimeoutException,
  PrimaryKey,
  Property,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import type { MikroORM, EntityManager } from '@mikro-orm/mysql';
import type Redis from 'ioredis';
import type { Logger } from './logger';
import { MAX_BLOCKING_READ_MS, fieldRecord } from './redis';
import { isInfrastructureError } from './errors';
import { EventContract, parseEvent } from './event-contracts';
import { deadLetterFields, deadLetterStream, NewDeadLetter } from './dead-letters';
import { metricsOf, secondsSince } from './telemetry/metrics';
import { SpanKind, tracingEnabled, withSpan } from './telemetry/tracing';
import { consumerStats, eventLinks } from './telemetry/event-metrics';
import type { Worker } from './worker';

@Entity({ tableName: 'processed_event' })
export class ProcessedEvent {
  @PrimaryKey({ length: 36 })
  eventId!: string;

  @Property({ length: 64 })
  stream!: string;

  @Property({ type: 'datetime', length: 3 })
  processedAt: Date = new Date();
}

export interface StreamMessage<T> {
  eventId: string;
  streamId: string;
  event: T;
}

/** How many entries a consumer reads (and applies in one transaction) at most, unless told otherwise. */
export const DEFAULT_CONSUMER_BATCH = 100;

/** Failed applications after which an event is dead-lettered, unless told otherwise (EVENT_MAX_ATTEMPTS). */
export const DEFAULT_EVENT_MAX_ATTEMPTS = 5;

/** The Redis hash in which a consumer group counts the failed applications of its pending entries. */
export function eventAttemptsKey(stream: string, group: string): string {
  return `${stream}:attempts:${group}`;
}

/**
 * Errors that say a store cannot be used right now (MySQL or Redis unreachable or timing out, no
 * free connection, a deadlock victim, a lock wait timeout), not that the event cannot be applied:
 * they are not counted against the event, however long they last.
 */
export function isTransientFailure(err: unknown): boolean {
  if (err instanceof ConnectionException || err instanceof DeadlockException || err instanceof LockWaitTimeoutException) return true;
  const e = err as { name?: unknown; message?: unknown } | null;
  if (e?.name === 'KnexTimeoutError' || /Timeout acquiring a connection/i.test(String(e?.message ?? ''))) return true;
  return isInfrastructureError(err);
}

export interface StreamConsumerOptions<T extends { type: string }> {
  orm: MikroORM;
  redis: Redis;
  /** The stream and the schema of its events (event-contracts.ts); every entry is validated against it. */
  contract: EventContract<T>;
  group: string;
  consumer: string;
  logger: Logger;
  /**
   * Applies the fresh events of a batch (never applied before, each event id once, in stream
   * order) inside the transaction that records their ids. Throwing rolls the whole batch back; the
   * consumer then retries its events one by one, so one bad event cannot hold up the others.
   */
  handleBatch?: (em: EntityManager, messages: Array<StreamMessage<T>>) => Promise<void>;
  /** Per-event alternative to `handleBatch`: called once per fresh event, in stream order, in the batch's transaction. */
  handle?: (em: EntityManager, event: T, message: StreamMessage<T>) => Promise<void>;
  /** Most entries read and applied per transaction (default DEFAULT_CONSUMER_BATCH). */
  batchSize?: number;
  /**
   * After a batch that did some work, wait this long before reading again so that events arriving
   * meanwhile share the next transaction (0: read again at once). An event arriving while the
   * consumer idles is still read at once; this only bounds transactions to 1000/lingerMs a second.
   */
  lingerMs?: number;
  blockMs?: number;
  claimIdleMs?: number;
  /** Failed applications after which an event goes to the dead-letter stream (default DEFAULT_EVENT_MAX_ATTEMPTS). */
  maxAttempts?: number;
}

/** An entry as read: its event when it passed the contract, null when its type is not in the contract (ignored). */
interface ReadMessage<T> {
  eventId: string;
  streamId: string;
  event: T | null;
  type: string;
  payload: string;
}

/**
 * Consumes a stream in a consumer group, a batch of entries at a time. Every entry is first
 * validated against the stream's contract. One READ COMMITTED transaction per batch finds which
 * event ids were processed already (one select), records the others (one multi-row insert into
 * `processed_event`) and applies them (`handleBatch`); then one XACK acknowledges every entry of
 * the batch. An id recorded already means the event was applied before and is acknowledged only;
 * an id twice in one batch is applied once. An event whose type the contract does not list is
 * recorded and acknowledged without reaching the handler.
 *
 * When the batch transaction fails (a poison event, a lost race with another replica over a
 * duplicate id, a database hiccup), its events are applied one by one, each in its own
 * transaction: those that succeed are acknowledged; one that fails again stays pending and is
 * retried (reclaimed after `claimIdleMs`).
 *
 * Dead letters (dead-letters.ts). An entry that fails the contract (not JSON, no type, a listed
 * type with a wrong shape) is moved at once to the dead-letter stream with the reason and
 * acknowledged: no retry could fix it. A failure of an event is counted when the event, applied
 * ALONE in its own transaction, throws an error that is not transient (isTransientFailure: so a
 * batch that fails because of another event, or a database that is down, counts nothing); the
 * count lives in a Redis hash per stream and group (eventAttemptsKey), keyed by entry id, so it
 * survives restarts and is shared by replicas. When an event's count reaches `maxAttempts` it is
 * dead-lettered with the last error, acknowledged, and its count deleted. A dead-lettered event is
 * never recorded in `processed_event`, so a redriven copy is applied exactly once.
 */
export function startStreamConsumer<T extends { type: string }>(opts: StreamConsumerOptions<T>): Worker {
  const { orm, redis, contract, group, consumer, logger } = opts;
  const stream = contract.stream;
  // Within what the blocking client's command timeout allows (redis.ts).
  const blockMs = Math.min(opts.blockMs ?? 1000, MAX_BLOCKING_READ_MS);
  const batchSize = Math.max(1, opts.batchSize ?? DEFAULT_CONSUMER_BATCH);
  const lingerMs = opts.lingerMs ?? 0;
  const claimIdleMs = opts.claimIdleMs ?? 15_000;
  const maxAttempts = Math.max(1, opts.maxAttempts ?? DEFAULT_EVENT_MAX_ATTEMPTS);
  const attemptsKey = eventAttemptsKey(stream, group);
  const deadStream = deadLetterStream(stream);
  const perEvent = opts.handle;
  const handleBatch =
    opts.handleBatch ??
    (perEvent
      ? async (em: EntityManager, messages: Array<StreamMessage<T>>) => {
          for (const m of messages) await perEvent(em, m.event, m);
        }
      : undefined);
  if (!handleBatch) throw new Error(`startStreamConsumer(${stream}): pass handle or handleBatch`);
  let stopped = false;
  const metrics = metricsOf(logger);
  const consumed = (result: string, n: number) => n > 0 && metrics.eventsConsumed.inc({ stream, group, result }, n);
  const stopStats = consumerStats(metrics, redis, stream, group);

  /** One transaction: skip ids processed already, record the rest, apply them. */
  const applyInOneTransaction = async (messages: Array<ReadMessage<T>>): Promise<void> => {
    const firstOfId = new Map<string, ReadMessage<T>>();
    for (const m of messages) if (!firstOfId.has(m.eventId)) firstOfId.set(m.eventId, m);
    // READ COMMITTED: every read sees the latest committed rows (a handler that locks a row and then
    // reads others sees what the previous lock holder committed, whatever it read first).
    await orm.em.fork().transactional(
      async (em) => {
        const ids = [...firstOfId.keys()];
        const seen = await em.execute<Array<{ event_id: string }>>(
          `select event_id from processed_event where event_id in (${ids.map(() => '?').join(',')})`,
          ids,
        );
        for (const row of seen) firstOfId.delete(row.event_id);
        const fresh = [...firstOfId.values()];
        if (!fresh.length) return;
        // A replica racing us over the same id blocks here until we commit, then fails (and falls
        // back to one by one, where it finds the id recorded).
        const processedAt = new Date();
        await em.insertMany(ProcessedEvent, fresh.map((m) => ({ eventId: m.eventId, stream, processedAt })));
        const known = fresh.filter((m): m is ReadMessage<T> & { event: T } => m.event !== null);
        if (known.length) await handleBatch(em, known.map(({ eventId, streamId, event }) => ({ eventId, streamId, event })));
      },
      { isolationLevel: IsolationLevel.READ_COMMITTED },
    );
  };

  const applyOne = async (message: ReadMessage<T>): Promise<void> => {
    try {
      await applyInOneTransaction([message]);
    } catch (err) {
      // Another replica recorded the same id between our select and insert: look again.
      if (!(err instanceof UniqueConstraintViolationException)) throw err;
      await applyInOneTransaction([message]);
    }
  };

  /** Moves entries to the dead-letter stream, then acknowledges them (in that order: never lost). */
  const deadLetter = async (letters: NewDeadLetter[]): Promise<void> => {
    if (!letters.length) return;
    const pipeline = redis.pipeline();
    for (const l of letters) pipeline.xadd(deadStream, '*', ...deadLetterFields(l));
    const added = await pipeline.exec();
    const failed = added?.find(([err]) => err);
    if (failed) throw failed[0];
    await redis.xack(stream, group, ...letters.map((l) => l.streamId));
    for (const l of letters) {
      logger.error({ stream, group, deadLetterStream: deadStream, streamId: l.streamId, eventId: l.eventId, type: l.type, kind: l.kind, attempts: l.attempts, reason: l.reason }, 'event moved to the dead-letter stream');
    }
  };

  /** Counts one failure of `m`; dead-letters it when that was the last allowed one. */
  const countFailure = async (m: ReadMessage<T>, err: unknown, dead: NewDeadLetter[]): Promise<void> => {
    if (isTransientFailure(err) || stopped) {
      logger.warn({ err, stream, streamId: m.streamId, eventId: m.eventId }, 'event not applied (a store is unavailable); it stays pending and is retried, not counted as a failure');
      return;
    }
    const attempts = await redis.hincrby(attemptsKey, m.streamId, 1);
    if (attempts >= maxAttempts) {
      const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      dead.push({ stream, group, streamId: m.streamId, eventId: m.eventId, type: m.type, payload: m.payload, kind: 'failed', reason, attempts, consumer });
      return;
    }
    logger.warn({ err, stream, streamId: m.streamId, eventId: m.eventId, attempts, maxAttempts }, 'event handling failed; it stays pending and is retried');
  };

  /** Applies and acknowledges what it can of `entries`; returns how many entries it read. */
  const processBatch = async (entries: Array<[string, string[]]>, reclaimed: boolean): Promise<number> => {
    const ack: string[] = [];
    const dead: NewDeadLetter[] = [];
    const messages: Array<ReadMessage<T>> = [];
    for (const [streamId, fields] of entries) {
      const f = fieldRecord(fields);
      const eventId = f.id ?? streamId;
      const payload = f.payload ?? '';
      const parsed = parseEvent(contract, f.payload);
      if (parsed.ok) messages.push({ eventId, streamId, event: parsed.event, type: parsed.event.type, payload });
      else if (parsed.ignored) messages.push({ eventId, streamId, event: null, type: parsed.type, payload });
      else dead.push({ stream, group, streamId, eventId, type: f.type ?? '', payload, kind: 'malformed', reason: parsed.reason, attempts: 0, consumer });
    }
    if (messages.length) {
      try {
        const started = process.hrtime.bigint();
        // One span per batch, linked to the trace that placed each event (T3 in telemetry/tracing.ts).
        const links = tracingEnabled() ? eventLinks(messages.map((m) => m.payload)) : undefined;
        await withSpan(`consume ${stream} ${group}`, { kind: SpanKind.CONSUMER, links, attributes: { 'messaging.destination.name': stream, 'messaging.consumer.group.name': group, 'messaging.batch.message_count': messages.length } }, () =>
          applyInOneTransaction(messages),
        );
        metrics.mysqlDuration.observe({ op: 'consume_batch' }, secondsSince(started));
        for (const m of messages) ack.push(m.streamId);
      } catch (err) {
        if (messages.length > 1) logger.warn({ err, stream, events: messages.length }, 'event batch failed; applying its events one by one');
        for (const m of messages) {
          if (stopped) break;
          try {
            // A lone event that failed for any other reason than a duplicate id has had its try.
            if (messages.length === 1 && !(err instanceof UniqueConstraintViolationException)) throw err;
            await applyOne(m);
            ack.push(m.streamId);
          } catch (oneErr) {
            await countFailure(m, oneErr, dead);
          }
        }
      }
    }
    await deadLetter(dead);
    consumed('applied', ack.length);
    consumed('dead_lettered', dead.length);
    if (ack.length) {
      if (reclaimed) {
        // A redelivered entry may carry a failure count from an earlier try: it is done with.
        // Two commands: the stream and the hash may sit in different Redis Cluster slots.
        await redis.xack(stream, group, ...ack);
        await redis.hdel(attemptsKey, ...ack);
      } else {
        await redis.xack(stream, group, ...ack);
      }
    }
    const counted = dead.filter((d) => d.kind === 'failed').map((d) => d.streamId);
    if (counted.length) await redis.hdel(attemptsKey, ...counted);
    return entries.length;
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

  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const loop = async () => {
    await createGroup();
    let lastClaim = 0;
    while (!stopped) {
      try {
        let read = 0;
        if (Date.now() - lastClaim > claimIdleMs) {
          lastClaim = Date.now();
          const claimed = (await redis.xautoclaim(stream, group, consumer, claimIdleMs, '0', 'COUNT', batchSize)) as [string, Array<[string, string[]] | null>];
          read += await processBatch((claimed[1] ?? []).filter((e): e is [string, string[]] => !!e), true);
        }
        const res = (await redis.xreadgroup('GROUP', group, consumer, 'COUNT', batchSize, 'BLOCK', blockMs, 'STREAMS', stream, '>')) as
          | Array<[string, Array<[string, string[]]>]>
          | null;
        if (res) for (const [, entries] of res) read += await processBatch(entries, false);
        // Let events gather for the next transaction, unless the last read was a full batch (a backlog).
        if (lingerMs > 0 && read > 0 && read < batchSize && !stopped) await pause(lingerMs);
      } catch (err) {
        if (stopped) break;
        // The group is gone: Redis lost its data (and the relay re-publishes). Join again.
        if (/NOGROUP/.test((err as Error).message)) {
          logger.warn({ stream, group }, 'consumer group missing (Redis lost its data?); recreating it');
          if (await createGroup()) continue;
        }
        logger.warn({ err, stream }, 'stream read failed; retrying');
        await pause(500);
      }
    }
  };
  const done = loop();

  return {
    kick() {},
    async stop() {
      stopped = true;
      await done;
      stopStats();
    },
  };
}
