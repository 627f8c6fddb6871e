/**
 * The stream consumer's batch mode against the real MariaDB and Redis: a batch is applied in one
 * transaction, each event id exactly once (duplicates within a batch, ids processed by an earlier
 * batch, the same id racing through two consumers), a poison event falls back to one-by-one
 * without holding up the rest, and an unreadable entry is acknowledged and skipped. The handler
 * counts its applications in a table of the same database, inside the consumer's transaction, so a
 * rolled-back batch counts nothing.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { EntityManager, StreamMessage, eventContract, startPeriodic } from '@flashsale/platform';
import { eventHarness, until } from './support/event-harness';

const h = eventHarness({
  name: 'event-batches-test',
  dbSuffix: 'events',
  tables: [
    'create table applied (event_id varchar(36) not null, times int not null, primary key (event_id)) engine = InnoDB',
    'create table total (id int not null primary key, units int not null) engine = InnoDB',
    'insert into total (id, units) values (1, 0)',
  ],
});

const testEventSchema = z.discriminatedUnion('type', [z.object({ type: z.literal('test.event'), poison: z.boolean().optional(), units: z.number().int().optional() })]);
type TestEvent = z.infer<typeof testEventSchema>;

/** Every batch the handler was called with (event ids), per stream. */
const batches = new Map<string, string[][]>();

async function countingHandler(em: EntityManager, messages: Array<StreamMessage<TestEvent>>): Promise<void> {
  for (const m of messages) {
    if (m.event.poison) throw new Error(`poison event ${m.eventId}`);
    await em.execute('insert into applied (event_id, times) values (?, 1) on duplicate key update times = times + 1', [m.eventId]);
    await em.execute('update total set units = units + ? where id = 1', [m.event.units ?? 0]);
  }
}

function consume(stream: string, opts: { consumer?: string; batchSize?: number; claimIdleMs?: number } = {}): void {
  if (!batches.has(stream)) batches.set(stream, []);
  h.consume<TestEvent>({
    contract: eventContract(stream, testEventSchema),
    consumer: opts.consumer ?? 'c1',
    handleBatch: (em, messages) => {
      batches.get(stream)!.push(messages.map((m) => m.eventId));
      return countingHandler(em, messages);
    },
    batchSize: opts.batchSize,
    claimIdleMs: opts.claimIdleMs,
    blockMs: 200,
  });
}

type Entry = { id: string; event: TestEvent } | { id: string; raw: string };

/** Publishes entries as the outbox relay does, all in one MULTI, so a waiting consumer reads them together. */
async function publish(stream: string, entries: Entry[]): Promise<void> {
  const multi = h.redis.multi();
  for (const e of entries) {
    const payload = 'raw' in e ? e.raw : JSON.stringify(e.event);
    multi.xadd(stream, '*', 'id', e.id, 'type', 'raw' in e ? 'x' : e.event.type, 'payload', payload);
  }
  const results = await multi.exec();
  for (const [err] of results ?? []) if (err) throw err;
}

const { times, processed: processedCount, pending } = h;

const ev = (units = 1): TestEvent => ({ type: 'test.event', units });

async function total(): Promise<number> {
  const rows = await h.orm.em.getConnection().execute<Array<{ units: number }>>('select units from total where id = 1');
  return Number(rows[0].units);
}

describe('stream consumer batches', () => {
  it('applies a batch once per event id: a duplicate within the batch and an id processed by an earlier batch change nothing', async () => {
    const stream = `s-dup-${randomUUID()}`;
    consume(stream);
    const earlier = randomUUID();
    await publish(stream, [{ id: earlier, event: ev() }]);
    await until(async () => (await processedCount([earlier])) === 1 && (await pending(stream)) === 0, 'the first event');

    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const unreadable = randomUUID();
    await publish(stream, [
      { id: a, event: ev() },
      { id: earlier, event: ev() }, // the relay re-published an event already applied
      { id: b, event: ev() },
      { id: a, event: ev() }, // and one twice within this batch
      { id: unreadable, raw: '{not json' },
      { id: c, event: ev() },
    ]);
    await until(async () => (await processedCount([a, b, c])) === 3 && (await pending(stream)) === 0, 'the batch');

    expect(await times([earlier, a, b, c])).toEqual({ [earlier]: 1, [a]: 1, [b]: 1, [c]: 1 });
    expect(await processedCount([unreadable])).toBe(0);
    // The second publish reached the handler as one batch of the three fresh events, in stream order.
    expect(batches.get(stream)).toEqual([[earlier], [a, b, c]]);
  });

  it('a poison event in a batch does not stop the others: they are applied one by one, it stays pending', async () => {
    const stream = `s-poison-${randomUUID()}`;
    consume(stream);
    const [a, poison, b, c] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await publish(stream, [
      { id: a, event: ev() },
      { id: poison, event: { type: 'test.event', poison: true } },
      { id: b, event: ev() },
      { id: a, event: ev() },
      { id: c, event: ev() },
    ]);
    await until(async () => (await processedCount([a, b, c])) === 3 && (await pending(stream)) === 1, 'the good events');

    expect(await times([a, b, c, poison])).toEqual({ [a]: 1, [b]: 1, [c]: 1, [poison]: 0 });
    expect(await processedCount([poison])).toBe(0);
    // The whole batch first (rolled back), then each entry on its own (the copy of `a` finds it recorded).
    expect(batches.get(stream)).toEqual([[a, poison, b, c], [a], [poison], [b], [c]]);

    // The next batch is not held up by the pending poison event either.
    const d = randomUUID();
    await publish(stream, [{ id: d, event: ev() }]);
    await until(async () => (await processedCount([d])) === 1, 'the next batch');
    expect(await pending(stream)).toBe(1);
  });

  it('two consumers racing over the same ids (every event published twice) apply each exactly once; the total is exact', async () => {
    const stream = `s-race-${randomUUID()}`;
    const before = await total();
    // Small batches, so the two consumers interleave many transactions.
    consume(stream, { consumer: 'c1', batchSize: 7 });
    consume(stream, { consumer: 'c2', batchSize: 5 });
    const events = Array.from({ length: 300 }, (_, i) => ({ id: randomUUID(), event: ev((i % 3) + 1) }));
    const expected = events.reduce((n, e) => n + (e.event.units ?? 0), 0);
    // Each event twice (the relay re-published it), spread over several writes.
    const copies = [...events, ...events].sort(() => Math.random() - 0.5);
    for (let i = 0; i < copies.length; i += 40) await publish(stream, copies.slice(i, i + 40));

    const ids = events.map((e) => e.id);
    await until(async () => (await processedCount(ids)) === ids.length && (await pending(stream)) === 0, 'every event', 60_000);
    const applied = await times(ids);
    expect(Object.values(applied).filter((n) => n !== 1)).toEqual([]);
    expect((await total()) - before).toBe(expected);
  });
});

describe('startPeriodic kick coalescing', () => {
  it('a lone kick runs a round at once; kicks soon after a round share one round after the gap; a kick during a round makes exactly one more', async () => {
    const GAP = 1000;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    let rounds = 0;
    let release: (() => void) | undefined;
    let blocked = false;
    const worker = startPeriodic(
      'test',
      60_000,
      h.logger,
      async () => {
        rounds++;
        if (blocked) await new Promise<void>((r) => (release = r));
      },
      { kickGapMs: GAP },
    );
    h.workers.push(worker);
    await until(async () => rounds === 1, 'the first round');
    await sleep(GAP + 100);

    for (let i = 0; i < 50; i++) worker.kick();
    expect(rounds).toBe(2); // long after the last round: at once
    await until(async () => rounds === 3, 'one round for the other 49 kicks');
    for (let i = 0; i < 10; i++) worker.kick(); // right after a round: they wait for the gap together
    expect(rounds).toBe(3);
    await until(async () => rounds === 4, 'the gap');
    await sleep(GAP + 200);
    expect(rounds).toBe(4);

    blocked = true;
    worker.kick();
    await until(async () => rounds === 5 && !!release, 'a round that waits');
    blocked = false;
    for (let i = 0; i < 10; i++) worker.kick(); // during the round
    release!();
    await until(async () => rounds === 6, 'the one extra round');
    await sleep(GAP + 200);
    expect(rounds).toBe(6);
  });
});
