import type { EntityManager } from '@mikro-orm/mysql';
import { BaseContext, isAdmin, notFound, requireUser } from '@flashsale/platform';
import { Order } from '../entities/order.entity';

export class OrderService {
  /** A foreign order and a missing one answer the same NOT_FOUND, so ids cannot be probed. */
  async readable(em: EntityManager, ctx: BaseContext, id: string): Promise<Order> {
    const caller = requireUser(ctx);
    const order = await em.findOne(Order, { id }, { populate: ['items'] });
    if (!order || (order.userId !== caller.userId && !isAdmin(ctx))) throw notFound('Order not found');
    return order;
  }

  listFor(em: EntityManager, userId: string): Promise<Order[]> {
    return em.find(Order, { userId }, { populate: ['items'], orderBy: { createdAt: 'desc', id: 'desc' }, limit: 50 });
  }
}
