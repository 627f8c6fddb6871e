/**
 * Redis key names and stream contracts shared between subgraphs. Keys that belong to one
 * product carry the product id as a Redis Cluster hash tag (`{…}`), so all of a product's keys
 * live in one slot. See README "Scale-out" for how multi-product reservations stay atomic.
 */
export const redisKeys = {
  /** Hash: available, price, currency, opensAt, closesAt (epoch ms, 0 = none), maxPerCustomer, active. */
  productStock: (productId: string) => `stock:{${productId}}`,
  /** Stream the order subgraph publishes stock movements to; the product subgraph consumes it. */
  stockEvents: 'events:stock',
  /** Stream the order subgraph publishes order lifecycle events to; the cart subgraph consumes it. */
  orderEvents: 'events:order',
} as const;

/**
 * Fields of the product stock hash. The product subgraph writes one for EVERY product when it is
 * created and keeps it in step with every change (never clobbering a live `available`); the order
 * subgraph's reservation script decrements / increments `available`; the cart reads `price` and
 * `active` for display and validation. Times are epoch milliseconds, 0 meaning "not set";
 * `maxPerCustomer` 0 means no limit. A missing hash means Redis lost it: reconcile rebuilds it.
 *
 * Stock events (stream `events:stock`): `stock.sold` when an order is paid (product.stock -= q);
 * `stock.returned` when sold units come back (cancel of a paid order, completed return:
 * product.stock += q). Unpaid reservations that end (payment failed, expired) touch only Redis.
 */
export interface StockHash {
  available: number;
  price: number;
  currency: string;
  opensAt: number;
  closesAt: number;
  maxPerCustomer: number;
  active: 0 | 1;
}

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
