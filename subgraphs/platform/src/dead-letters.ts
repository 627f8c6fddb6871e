/**
 * Dead letters: stream entries a consumer gave up on. Each stream `S` has one dead-letter stream
 * `S:dead` (e.g. `events:stock:dead`). An entry lands there, with the reason, when its payload
 * fails the stream's contract (at once: retrying cannot fix it) or when applying it failed
 * EVENT_MAX_ATTEMPTS times (stream-consumer.ts says what counts as a failure). The consumer then
 * acknowledges the original entry, so it no longer blocks or loops, and does NOT record it as
 * processed, so a redriven copy is applied (once) when it can be.
 *
 * Operators list them with `npm run events -- dead-letters` and put one back on its stream with
 * `npm run events -- redrive <id>` (scripts/events.ts). A redrive appends the original fields
 * (`id`, `type`, `payload`) to the stream as a new entry and deletes the dead letter; the event id
 * is unchanged, so the consumers' processed-event ids still make it apply exactly once.
 */
import type Redis from 'ioredis';
import { fieldRecord } from './redis';

/** The dead-letter stream of a stream. */
export function deadLetterStream(stream: string): string {
  return `${stream}:dead`;
}

export interface DeadLetter {
  /** Entry id in the dead-letter stream (what `redrive` takes). */
  deadId: string;
  /** The stream and consumer group the event was read from, and its entry id there. */
  stream: string;
  group: string;
  streamId: string;
  eventId: string;
  type: string;
  /** The payload exactly as it was read (JSON text, or whatever could not be read as JSON). */
  payload: string;
  /** `malformed` (failed its schema, never applied) or `failed` (its handler kept failing). */
  kind: 'malformed' | 'failed';
  reason: string;
  /** Failed applications counted before it was dead-lettered (0 for a malformed event). */
  attempts: number;
  failedAt: string;
  consumer: string;
}

export type NewDeadLetter = Omit<DeadLetter, 'deadId' | 'failedAt'>;

/** Field/value list for XADD, in a stable order. */
export function deadLetterFields(letter: NewDeadLetter, failedAt = new Date()): string[] {
  return [
    'id', letter.eventId,
    'type', letter.type,
    'payload', letter.payload,
    'stream', letter.stream,
    'group', letter.group,
    'streamId', letter.streamId,
    'kind', letter.kind,
    'reason', letter.reason.slice(0, 2000),
    'attempts', String(letter.attempts),
    'failedAt', failedAt.toISOString(),
    'consumer', letter.consumer,
  ];
}

function fromEntry(deadId: string, fields: string[]): DeadLetter {
  const f = fieldRecord(fields);
  return {
    deadId,
    stream: f.stream ?? '',
    group: f.group ?? '',
    streamId: f.streamId ?? '',
    eventId: f.id ?? '',
    type: f.type ?? '',
    payload: f.payload ?? '',
    kind: f.kind === 'malformed' ? 'malformed' : 'failed',
    reason: f.reason ?? '',
    attempts: Number(f.attempts ?? 0),
    failedAt: f.failedAt ?? '',
    consumer: f.consumer ?? '',
  };
}

/** The dead letters of `stream`, oldest first (at most `count`). */
export async function listDeadLetters(redis: Redis, stream: string, count = 1000): Promise<DeadLetter[]> {
  const entries = (await redis.xrange(deadLetterStream(stream), '-', '+', 'COUNT', count)) as Array<[string, string[]]>;
  return entries.map(([id, fields]) => fromEntry(id, fields));
}

/**
 * Puts dead letter `deadId` of `stream` back on `stream` (a new entry with the original id, type
 * and payload) and deletes the dead letter. Returns the new entry's id, or null when there is no
 * such dead letter.
 */
export async function redriveDeadLetter(redis: Redis, stream: string, deadId: string): Promise<string | null> {
  const dead = deadLetterStream(stream);
  const [entry] = (await redis.xrange(dead, deadId, deadId)) as Array<[string, string[]]>;
  if (!entry) return null;
  const letter = fromEntry(entry[0], entry[1]);
  // Append first, then delete: a crash in between leaves a dead letter whose redrive is a no-op
  // for consumers that applied the copy (same event id), never a lost event.
  const newId = await redis.xadd(stream, '*', 'id', letter.eventId, 'type', letter.type, 'payload', letter.payload);
  await redis.xdel(dead, deadId);
  return newId;
}
