/**
 * Applies stock events from the order subgraph (stream `events:stock`) to product.stock, the truth.
 *
 * Invariants
 * - Each event is applied at most once: `startStreamConsumer` records its id in `processed_event`
 *   in the same transaction as this change (a redelivery finds the id and only acknowledges).
 * - `stock.sold` lowers product.stock by the quantity, `stock.returned` raises it. Neither touches
 *   Redis: the reservation already took the units from `available`, and the order subgraph gives
 *   returned units back to `available` itself when they return.
 * - product.stock never goes negative. A sale that would take it below zero (it cannot happen
 *   while Redis and the database agree, because `available` never exceeds stock) is clamped at 0
 *   and logged as an error: the money was taken, so refusing the event would only lose the record
 *   that the units are gone. The event still counts as processed; retrying could not fix it.
 * - An event naming an unknown product or a non-positive quantity is logged and skipped.
 */
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/mysql';
import type { Logger, StockEvent } from '@flashsale/platform';
import { Product } from '../entities/product.entity';

export type StockEventOutcome = 'applied' | 'clamped' | 'skipped';

export class StockEventsService {
  constructor(private readonly logger: Logger) {}

  async apply(em: EntityManager, event: StockEvent, eventId = ''): Promise<StockEventOutcome> {
    const quantity = Number(event.quantity);
    if ((event.type !== 'stock.sold' && event.type !== 'stock.returned') || !Number.isInteger(quantity) || quantity <= 0 || typeof event.productId !== 'string') {
      this.logger.error({ eventId, event }, 'malformed stock event skipped');
      return 'skipped';
    }
    const product = await em.findOne(Product, { id: event.productId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!product) {
      this.logger.error({ eventId, event }, 'stock event for an unknown product skipped');
      return 'skipped';
    }
    let outcome: StockEventOutcome = 'applied';
    if (event.type === 'stock.sold') {
      if (quantity > product.stock) {
        this.logger.error({ eventId, event, stock: product.stock }, 'stock.sold exceeds product stock; clamped at 0');
        outcome = 'clamped';
      }
      product.stock = Math.max(0, product.stock - quantity);
    } else {
      product.stock += quantity;
    }
    await em.flush();
    return outcome;
  }
}
