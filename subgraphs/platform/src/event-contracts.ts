/**
 * The one definition of every event that crosses subgraphs. Each event type is a zod schema here;
 * its TypeScript type is inferred from it. Producers (`enqueueEvent`) are typed by the stream's
 * contract and check the event before it is stored; every consumer (`startStreamConsumer`)
 * validates each entry against the same contract before its handler sees it. An entry that fails
 * its schema is malformed: retrying cannot fix it, so the consumer moves it to the stream's
 * dead-letter stream at once, with the reason (stream-consumer.ts).
 *
 * Extra fields are stripped, not refused, so a producer may add a field before its consumers know
 * it. An event whose `type` the stream's contract does not list is acknowledged and ignored (a
 * newer producer's type that this consumer has no use for); a listed type with a wrong shape is
 * malformed.
 */
import { z } from 'zod';
import { UUID_PATTERN } from './ids';
import { redisKeys } from './keys';

const uuid = z.string().regex(UUID_PATTERN, 'must be a UUID');
const units = z.number().int().positive().max(1_000_000);

/**
 * Stock events (stream `events:stock`, order → product): `stock.sold` when an order is paid
 * (product.stock -= quantity); `stock.returned` when sold units come back (cancel of a paid order,
 * completed return: product.stock += quantity). Unpaid reservations that end (payment failed,
 * expired) touch only Redis.
 */
export const stockSoldEventSchema = z.object({
  type: z.literal('stock.sold'),
  productId: uuid,
  quantity: units,
  orderId: uuid,
});
export const stockReturnedEventSchema = z.object({
  type: z.literal('stock.returned'),
  productId: uuid,
  quantity: units,
  orderId: uuid,
});
export const stockEventSchema = z.discriminatedUnion('type', [stockSoldEventSchema, stockReturnedEventSchema]);
export type StockSoldEvent = z.infer<typeof stockSoldEventSchema>;
export type StockReturnedEvent = z.infer<typeof stockReturnedEventSchema>;
export type StockEvent = z.infer<typeof stockEventSchema>;

/** Order events (stream `events:order`, order → cart): `order.placed` once an order is committed. */
export const orderPlacedEventSchema = z.object({
  type: z.literal('order.placed'),
  orderId: uuid,
  userId: uuid,
  items: z.array(z.object({ productId: uuid, quantity: units })).max(1000),
});
export const orderEventSchema = z.discriminatedUnion('type', [orderPlacedEventSchema]);
export type OrderPlacedEvent = z.infer<typeof orderPlacedEventSchema>;
export type OrderEvent = z.infer<typeof orderEventSchema>;

/** A stream and the events it carries. */
export interface EventContract<T extends { type: string }> {
  stream: string;
  schema: z.ZodType<T, z.ZodTypeDef, unknown>;
  /** Whether the contract lists this event type (an unlisted type is ignored, not malformed). */
  knows(type: string): boolean;
}

/** A contract from a discriminated union on `type` (the types it lists are the union's options). */
export function eventContract<S extends z.ZodDiscriminatedUnion<'type', Array<z.ZodDiscriminatedUnionOption<'type'>>>>(
  stream: string,
  schema: S,
): EventContract<z.infer<S> & { type: string }> {
  return {
    stream,
    schema: schema as unknown as z.ZodType<z.infer<S> & { type: string }, z.ZodTypeDef, unknown>,
    knows: (type) => schema.optionsMap.has(type),
  };
}

/** Every stream between subgraphs, with its contract. */
export const eventStreams = {
  stock: eventContract(redisKeys.stockEvents, stockEventSchema),
  order: eventContract(redisKeys.orderEvents, orderEventSchema),
} as const;

export type ParsedEvent<T> = { ok: true; event: T } | { ok: false; ignored: true; type: string } | { ok: false; ignored: false; reason: string };

/** Reads one entry's payload (JSON text) against a contract. */
export function parseEvent<T extends { type: string }>(contract: EventContract<T>, payload: string | undefined): ParsedEvent<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(payload ?? '');
  } catch {
    return { ok: false, ignored: false, reason: 'payload is not JSON' };
  }
  const type = raw && typeof raw === 'object' ? (raw as { type?: unknown }).type : undefined;
  if (typeof type !== 'string') return { ok: false, ignored: false, reason: 'payload has no string "type"' };
  if (!contract.knows(type)) return { ok: false, ignored: true, type };
  const parsed = contract.schema.safeParse(raw);
  if (!parsed.success) {
    const reason = parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ');
    return { ok: false, ignored: false, reason: `${type} does not match its schema: ${reason}` };
  }
  return { ok: true, event: parsed.data };
}
