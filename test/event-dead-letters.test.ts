/**
 * Dead letters against the real MariaDB and Redis: an event whose handler keeps failing is moved to
 * the stream's dead-letter stream after exactly EVENT_MAX_ATTEMPTS failed applications, with the
 * reason, and acknowledged, while the consumer carries on; an event that fails its schema is
 * dead-lettered at once (never handed to the handler); a redriven dead letter is applied exactly
 * once when the handler can apply it. The operator command (scripts/events.ts) lists and redrives.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { EntityManager, StreamMessage, deadLetterStream, eventAttemptsKey, eventContract, listDeadLetters, redriveDeadLetter } from '@flashsale/platform';
import { runEventsCommand } from '../scripts/events';
import { GROUP, eventHarness, until } from './support/event-harness';

const MAX_ATTEMPTS = 3;
const h = eventHarness({
  name: 'event-dead-letters-test',
  dbSuffix: 'dead',
  tables: ['create table applied (event_id varchar(36) not null, times int not null, units int not null, primary key (event_id)) engine = InnoDB'],
});

const testEventSchema = z.discriminatedUnion('type', [z.object({ type: z.literal('test.event'), units: z.number().int().positive() })]);
type TestEvent = z.infer<typeof testEventSchema>;

/** Event ids the handler refuses (throws for) while they are in here. */
const poisoned = new Set<string>();
/** Event ids for which the handler fails as if MySQL were down, while they are in here. */
const outage = new Set<string>();
/** Every batch the handler was called with (event ids). */
const calls: string[][] = [];

async function handler(em: EntityManager, messages: Array<StreamMessage<TestEvent>>): Promise<void> {
  calls.push(messages.map((m) => m.eventId));
  for (const m of messages) {
    if (poisoned.has(m.eventId)) throw new Error(`cannot apply ${m.eventId} yet`);
    if (outage.has(m.eventId)) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' });
    await em.execute('insert into applied (event_id, times, units) values (?, 1, ?) on duplicate key update times = times + 1', [m.eventId, m.event.units]);
  }
}

function consume(stream: string, claimIdleMs: number): void {
  h.consume({
    contract: eventContract(stream, testEventSchema),
    consumer: 'c1',
    handleBatch: handler,
    claimIdleMs,
    blockMs: 100,
    maxAttempts: MAX_ATTEMPTS,
  });
}

async function publish(stream: string, entries: Array<{ id: string; payload: string; type?: string }>): Promise<string[]> {
  const multi = h.redis.multi();
  for (const e of entries) multi.xadd(stream, '*', 'id', e.id, 'type', e.type ?? 'test.event', 'payload', e.payload);
  const results = (await multi.exec()) ?? [];
  for (const [err] of results) if (err) throw err;
  return results.map(([, id]) => id as string);
}
const ev = (units = 1) => JSON.stringify({ type: 'test.event', units });

const { times, processed, pending } = h;
async function unitsApplied(ids: string[]): Promise<number> {
  const rows = await h.orm.em.getConnection().execute<Array<{ n: number | null }>>(`select sum(units) as n from applied where event_id in (${ids.map(() => '?').join(',')})`, ids);
  return Number(rows[0].n ?? 0);
}
const soloCalls = (id: string) => calls.filter((c) => c.length === 1 && c[0] === id).length;

describe('dead letters', () => {
  it(`a poison event is dead-lettered after exactly ${MAX_ATTEMPTS} failed applications, with its reason, and the consumer carries on`, async () => {
    const stream = `s-poison-${randomUUID()}`;
    const [a, poison, b] = [randomUUID(), randomUUID(), randomUUID()];
    poisoned.add(poison);
    consume(stream, 150);
    const [, poisonEntry] = await publish(stream, [
      { id: a, payload: ev(1) },
      { id: poison, payload: ev(100) },
      { id: b, payload: ev(2) },
    ]);
    await until(async () => (await listDeadLetters(h.redis, stream)).length === 1 && (await pending(stream)) === 0, 'the dead letter');

    const [letter] = await listDeadLetters(h.redis, stream);
    expect(letter).toMatchObject({
      stream,
      group: GROUP,
      streamId: poisonEntry,
      eventId: poison,
      type: 'test.event',
      payload: ev(100),
      kind: 'failed',
      attempts: MAX_ATTEMPTS,
      consumer: 'c1',
    });
    expect(letter.reason).toContain(`cannot apply ${poison} yet`);
    // Failed alone MAX_ATTEMPTS times (the first time after its batch failed), never applied, never recorded.
    expect(soloCalls(poison)).toBe(MAX_ATTEMPTS);
    expect(await times([a, poison, b])).toEqual({ [a]: 1, [poison]: 0, [b]: 1 });
    expect(await processed([poison])).toBe(0);
    // Its failure count is gone with it.
    expect(await h.redis.hlen(eventAttemptsKey(stream, GROUP))).toBe(0);

    // The consumer carries on: later events are applied, the poison one is not tried again.
    const [c, d] = [randomUUID(), randomUUID()];
    await publish(stream, [{ id: c, payload: ev(4) }, { id: d, payload: ev(8) }]);
    await until(async () => (await processed([a, b, c, d])) === 4 && (await pending(stream)) === 0, 'the next events');
    await new Promise((r) => setTimeout(r, 500)); // several reclaim rounds
    expect(soloCalls(poison)).toBe(MAX_ATTEMPTS);
    expect(await unitsApplied([a, poison, b, c, d])).toBe(1 + 2 + 4 + 8);
    expect(await listDeadLetters(h.redis, stream)).toHaveLength(1);
  });

  it('an event that fails its schema (or is not JSON) is dead-lettered at once with the reason and never reaches the handler; an unlisted type is ignored', async () => {
    const stream = `s-malformed-${randomUUID()}`;
    // No reclaim within the test: whatever is dead-lettered got there on its first read.
    consume(stream, 60_000);
    const [good1, wrongShape, notJson, noType, otherType, good2] = Array.from({ length: 6 }, () => randomUUID());
    await publish(stream, [
      { id: good1, payload: ev(1) },
      { id: wrongShape, payload: JSON.stringify({ type: 'test.event', units: 'seven' }) },
      { id: notJson, payload: '{not json' },
      { id: noType, payload: JSON.stringify({ units: 1 }) },
      { id: otherType, payload: JSON.stringify({ type: 'test.other', units: 1 }), type: 'test.other' },
      { id: good2, payload: ev(2) },
    ]);
    await until(async () => (await processed([good1, good2])) === 2 && (await pending(stream)) === 0, 'the batch');

    const letters = await listDeadLetters(h.redis, stream);
    expect(letters.map((l) => [l.eventId, l.kind, l.attempts])).toEqual([
      [wrongShape, 'malformed', 0],
      [notJson, 'malformed', 0],
      [noType, 'malformed', 0],
    ]);
    expect(letters[0].reason).toMatch(/test\.event does not match its schema: units: Expected number, received string/);
    expect(letters[1].reason).toBe('payload is not JSON');
    expect(letters[1].payload).toBe('{not json');
    expect(letters[2].reason).toMatch(/no string "type"/);
    // The handler saw the two good events in one batch, nothing else; the unlisted type is recorded, not applied.
    expect(calls.filter((c) => c.includes(good1))).toEqual([[good1, good2]]);
    expect(await times([good1, good2, otherType])).toEqual({ [good1]: 1, [good2]: 1, [otherType]: 0 });
    expect(await processed([wrongShape, notJson, noType])).toBe(0);
    expect(await processed([otherType])).toBe(1);
  });

  it('redrive puts a dead letter back on its stream; once the handler can apply it, it is applied exactly once', async () => {
    const stream = `s-redrive-${randomUUID()}`;
    const poison = randomUUID();
    poisoned.add(poison);
    consume(stream, 150);
    await publish(stream, [{ id: poison, payload: ev(5) }]);
    await until(async () => (await listDeadLetters(h.redis, stream)).length === 1 && (await pending(stream)) === 0, 'the dead letter');
    const [letter] = await listDeadLetters(h.redis, stream);

    // The operator's view of it.
    let out = '';
    expect(await runEventsCommand(h.redis, ['dead-letters', '--stream', stream], (s) => (out += s))).toBe(0);
    expect(out).toContain(`${deadLetterStream(stream)} ${letter.deadId}`);
    expect(out).toContain(`failed after ${MAX_ATTEMPTS} attempts`);
    expect(out).toContain(`cannot apply ${poison} yet`);

    // The cause is fixed; the operator redrives it (the command searches the stream named).
    poisoned.delete(poison);
    out = '';
    expect(await runEventsCommand(h.redis, ['redrive', letter.deadId, '--stream', stream], (s) => (out += s))).toBe(0);
    expect(out).toMatch(new RegExp(`redrove dead letter ${letter.deadId} onto ${stream} as entry \\d+-\\d+`));
    await until(async () => (await processed([poison])) === 1 && (await pending(stream)) === 0, 'the redriven event');
    expect(await times([poison])).toEqual({ [poison]: 1 });
    expect(await listDeadLetters(h.redis, stream)).toEqual([]);

    // Redriving again finds nothing; a copy of the event arriving again changes nothing.
    expect(await redriveDeadLetter(h.redis, stream, letter.deadId)).toBeNull();
    out = '';
    expect(await runEventsCommand(h.redis, ['redrive', letter.deadId, '--stream', stream], (s) => (out += s))).toBe(1);
    const marker = randomUUID();
    await publish(stream, [{ id: poison, payload: ev(5) }, { id: marker, payload: ev(1) }]);
    await until(async () => (await processed([marker])) === 1 && (await pending(stream)) === 0, 'the marker');
    expect(await times([poison, marker])).toEqual({ [poison]: 1, [marker]: 1 });
  });

  it('failures while a store is down are not counted: an event that outlasts the outage is applied once, not dead-lettered', async () => {
    const stream = `s-outage-${randomUUID()}`;
    const event = randomUUID();
    outage.add(event);
    consume(stream, 100);
    await publish(stream, [{ id: event, payload: ev(3) }]);
    await until(async () => soloCalls(event) >= MAX_ATTEMPTS * 2, 'many failed tries');
    expect(await listDeadLetters(h.redis, stream)).toEqual([]);
    expect(await h.redis.hlen(eventAttemptsKey(stream, GROUP))).toBe(0);
    expect(await pending(stream)).toBe(1);

    outage.delete(event);
    await until(async () => (await processed([event])) === 1 && (await pending(stream)) === 0, 'the event after the outage');
    expect(await times([event])).toEqual({ [event]: 1 });
    expect(await listDeadLetters(h.redis, stream)).toEqual([]);
  });
});
