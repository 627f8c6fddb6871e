import { stockKey } from './stock/stock-hash';

/**
 * Redis key names and stream contracts shared between subgraphs. Keys that belong to one
 * product carry the product id as a Redis Cluster hash tag (`{…}`), so all of a product's keys
 * live in one slot. See README "Scale-out" for how multi-product reservations stay atomic.
 */
export const redisKeys = {
  /** The product's stock hash (stock/stock-hash.ts). */
  productStock: stockKey,
  /** Stream the order subgraph publishes stock movements to; the product subgraph consumes it. */
  stockEvents: 'events:stock',
  /** Stream the order subgraph publishes order lifecycle events to; the cart subgraph consumes it. */
  orderEvents: 'events:order',
} as const;

/**
 * Stock events (stream `events:stock`): `stock.sold` when an order is paid (product.stock -= q);
 * `stock.returned` when sold units come back (cancel of a paid order, completed return:
 * product.stock += q). Unpaid reservations that end (payment failed, expired) touch only Redis.
 * The stock hash itself (fields, scripts) is in stock/.
 */
export interface StockSoldEvent {
  type: 'stock.sold';
  productId: string;
  quantity: number;
  orderId: string;
}
export interface StockReturnedEvent {
  type: 'stock.returned';
  productId: string;
  quantity: number;
  orderId: string;
}
export type StockEvent = StockSoldEvent | StockReturnedEvent;

export interface OrderPlacedEvent {
  type: 'order.placed';
  orderId: string;
  userId: string;
  items: Array<{ productId: string; quantity: number }>;
}
export type OrderEvent = OrderPlacedEvent;
