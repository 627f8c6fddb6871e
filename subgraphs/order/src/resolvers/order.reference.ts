import { batchedReference } from '@flashsale/platform';
import { Order } from '../entities/order.entity';
import type { OrderContext } from '../context';
import { mayReadOrder } from '../services/order-access';

/**
 * `Order` by key for other subgraphs: one query per `_entities` batch, and only orders the caller
 * may read (owner or ADMIN); anything else resolves to null, like an unknown id.
 */
export const orderReference = batchedReference<OrderContext, Order>(async (ids, ctx) => {
  const caller = ctx.identity;
  if (!caller) return new Map();
  const rows = await ctx.em.find(Order, { id: { $in: [...ids] } }, { populate: ['items'] });
  return new Map(rows.filter((o) => mayReadOrder(caller, o)).map((o) => [o.id, o]));
});
