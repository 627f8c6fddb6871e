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

/** Fields of the product stock hash, written by the product subgraph, read by the order subgraph. */
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
