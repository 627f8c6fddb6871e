import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/mysql';
import { eventStreams, orderPlacedEventSchema, parseEvent, stockEventSchema } from './event-contracts';
import { enqueueEvent, OutboxMessage } from './outbox';

const id = () => randomUUID();
const sold = () => ({ type: 'stock.sold', productId: id(), quantity: 2, orderId: id() });
const placed = () => ({ type: 'order.placed', orderId: id(), userId: id(), items: [{ productId: id(), quantity: 1 }] });

describe('event schemas', () => {
  it('accept the events producers send', () => {
    expect(stockEventSchema.safeParse(sold()).success).toBe(true);
    expect(stockEventSchema.safeParse({ ...sold(), type: 'stock.returned' }).success).toBe(true);
    expect(orderPlacedEventSchema.safeParse(placed()).success).toBe(true);
    expect(orderPlacedEventSchema.safeParse({ ...placed(), items: [] }).success).toBe(true);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a negative quantity', { quantity: -4 }],
    ['a zero quantity', { quantity: 0 }],
    ['a fractional quantity', { quantity: 1.5 }],
    ['a quantity as text', { quantity: '2' }],
    ['a product id that is not a UUID', { productId: 'p1' }],
    ['no order id', { orderId: undefined }],
    ['an unknown type', { type: 'stock.lost' }],
  ])('refuse a stock event with %s', (_name, patch) => {
    expect(stockEventSchema.safeParse({ ...sold(), ...patch }).success).toBe(false);
  });

  it.each<[string, Record<string, unknown>]>([
    ['no items list', { items: undefined }],
    ['items that are not a list', { items: { productId: id(), quantity: 1 } }],
    ['an item with a zero quantity', { items: [{ productId: id(), quantity: 0 }] }],
    ['an item without a product', { items: [{ quantity: 1 }] }],
    ['a user id that is not a UUID', { userId: 'nobody' }],
    ['an order id that is not a UUID', { orderId: 'o1' }],
  ])('refuse an order.placed event with %s', (_name, patch) => {
    expect(orderPlacedEventSchema.safeParse({ ...placed(), ...patch }).success).toBe(false);
  });
});

describe('parseEvent', () => {
  it('reads a valid entry into its type (extra fields stripped)', () => {
    const event = sold();
    expect(parseEvent(eventStreams.stock, JSON.stringify({ ...event, note: 'x' }))).toEqual({ ok: true, event });
  });

  it('says why an entry is malformed', () => {
    expect(parseEvent(eventStreams.stock, '{not json')).toEqual({ ok: false, ignored: false, reason: 'payload is not JSON' });
    expect(parseEvent(eventStreams.stock, undefined)).toEqual({ ok: false, ignored: false, reason: 'payload is not JSON' });
    expect(parseEvent(eventStreams.stock, '[1]')).toEqual({ ok: false, ignored: false, reason: 'payload has no string "type"' });
    expect(parseEvent(eventStreams.stock, JSON.stringify({ ...sold(), quantity: -1 }))).toEqual({
      ok: false,
      ignored: false,
      reason: 'stock.sold does not match its schema: quantity: Number must be greater than 0',
    });
  });

  it('ignores a type the stream does not list', () => {
    expect(parseEvent(eventStreams.order, JSON.stringify({ type: 'order.paid', orderId: id() }))).toEqual({ ok: false, ignored: true, type: 'order.paid' });
  });
});

describe('enqueueEvent', () => {
  const persisted: unknown[] = [];
  const em = { persist: (x: unknown) => persisted.push(x) } as unknown as EntityManager;

  it('stores a checked event on its contract stream', () => {
    const event = placed() as { type: 'order.placed'; orderId: string; userId: string; items: Array<{ productId: string; quantity: number }> };
    const msg = enqueueEvent(em, eventStreams.order, event);
    expect(msg).toBeInstanceOf(OutboxMessage);
    expect(msg).toMatchObject({ stream: 'events:order', type: 'order.placed', payload: event });
    expect(persisted).toContain(msg);
  });

  it('refuses an event that breaks its schema (a producer bug fails its own transaction)', () => {
    expect(() => enqueueEvent(em, eventStreams.stock, { type: 'stock.sold', productId: id(), quantity: 0, orderId: id() })).toThrow(/greater than 0/);
    // Producers are typed by the contract: these do not compile.
    // @ts-expect-error a stock event on the order stream
    expect(() => enqueueEvent(em, eventStreams.order, { type: 'stock.sold', productId: id(), quantity: 1, orderId: id() })).toThrow();
    // @ts-expect-error quantity must be a number
    expect(() => enqueueEvent(em, eventStreams.stock, { type: 'stock.sold', productId: id(), quantity: '1', orderId: id() })).toThrow();
  });
});
