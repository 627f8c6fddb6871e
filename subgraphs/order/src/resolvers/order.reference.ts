import { batchedReference } from '@flashsale/platform';
import { Order } from '../entities/order.entity';
import type { OrderContext } from '../context';

/**
 * `Order` by key for other subgraphs: one query per `_entities` batch, and only orders the caller
 * may read (owner or ADMIN); anything else resolves to null, like an unknown id.
 */
export const orderReference = batchedReference<OrderContext, Order>(async (ids, ctx) => {
  const caller = ctx.identity;
  if (!caller) return new Map();
  const rows = await ctx.em.find(Order, { id: { $in: [...ids] } }, { populate: ['items'] });
  return new Map(rows.filter((o) => o.userId === caller.userId || caller.roles.includes('ADMIN')).map((o) => [o.id, o]));
});
