import { stockKey } from './stock/stock-hash';

/**
 * Redis key names and stream contracts shared between subgraphs. Keys that belong to one
 * product carry the product id as a Redis Cluster hash tag (`{…}`), so all of a product's keys
 * live in one slot. See docs/SCALING.md "Redis Cluster and the guarantee" for multi-product orders.
 */
export const redisKeys = {
  /** The product's stock hash (stock/stock-hash.ts). */
  productStock: stockKey,
  /** Stream the order subgraph publishes stock movements to; the product subgraph consumes it. */
  stockEvents: 'events:stock',
  /** Stream the order subgraph publishes order lifecycle events to; the cart subgraph consumes it. */
  orderEvents: 'events:order',
} as const;

// The events these streams carry are defined once, as schemas, in event-contracts.ts.
