/**
 * Applies stock events from the order subgraph (stream `events:stock`) to product.stock, the truth.
 *
 * Invariants
 * - Each event is applied at most once: `startStreamConsumer` records its id in `processed_event`
 *   in the same transaction as this change (a redelivery finds the id and only acknowledges). It
 *   hands over a batch of events per transaction; each product of the batch is locked and written
 *   once, moved by every event of the batch in stream order.
 * - `stock.sold` lowers product.stock by the quantity, `stock.returned` raises it. Neither touches
 *   Redis: the reservation already took the units from `available`, and the order subgraph gives
 *   returned units back to `available` itself when they return.
 * - product.stock never goes negative. A sale that would take it below zero (it cannot happen
 *   while Redis and the database agree, because `available` never exceeds stock) is clamped at 0
 *   and logged as an error: the money was taken, so refusing the event would only lose the record
 *   that the units are gone. The event still counts as processed; retrying could not fix it.
 * - Events arrive validated: the consumer checks each entry against the stock stream's contract
 *   (`eventStreams.stock` in the platform package) and moves one with a wrong shape (a quantity
 *   that is not a positive whole number, an id that is not a UUID, …) to the dead-letter stream
 *   instead of handing it over. An event naming an unknown product is logged and skipped.
 */
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/mysql';
import type { Logger, StockEvent } from '@flashsale/platform';
import { Product } from '../entities/product.entity';

export type StockEventOutcome = 'applied' | 'clamped' | 'skipped';

/** One stock event as the consumer hands it over (its id only labels the log lines). */
export interface StockEventMessage {
  eventId: string;
  event: StockEvent;
}

export class StockEventsService {
  constructor(private readonly logger: Logger) {}

  /**
   * Applies a batch of events (each one once: the consumer hands over only events not applied
   * before, in stream order) in the caller's transaction: the named products are locked with one
   * SELECT … FOR UPDATE (in id order, so replicas cannot deadlock), every event moves its product's
   * stock in memory one after another exactly as it would alone (so clamping at 0 is decided per
   * event, in order), and one flush writes each changed product once. Returns each event's outcome.
   */
  async applyBatch(em: EntityManager, messages: ReadonlyArray<StockEventMessage>): Promise<StockEventOutcome[]> {
    const ids = [...new Set(messages.map((m) => m.event.productId))];
    const products = ids.length ? await em.find(Product, { id: { $in: ids } }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } }) : [];
    // MySQL compares ids case-insensitively; so does this look-up.
    const byId = new Map(products.map((p) => [p.id.toLowerCase(), p]));
    const outcomes = messages.map(({ eventId, event }): StockEventOutcome => {
      const { quantity } = event;
      const product = byId.get(event.productId.toLowerCase());
      if (!product) {
        this.logger.error({ eventId, event }, 'stock event for an unknown product skipped');
        return 'skipped';
      }
      if (event.type === 'stock.returned') {
        product.stock += quantity;
        return 'applied';
      }
      const clamped = quantity > product.stock;
      if (clamped) this.logger.error({ eventId, event, stock: product.stock }, 'stock.sold exceeds product stock; clamped at 0');
      product.stock = Math.max(0, product.stock - quantity);
      return clamped ? 'clamped' : 'applied';
    });
    if (products.length) await em.flush();
    return outcomes;
  }
}
