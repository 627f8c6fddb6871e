/** Reading orders: one order for its buyer or an ADMIN (O5), and a buyer's orders, newest first. */
import type { EntityManager } from '@mikro-orm/mysql';
import { Identity, connectionFrom, decodeCursor, encodeCursor, pageSize } from '@flashsale/platform';
import { Order } from '../entities/order.entity';
import { OrderConnection } from '../types/order.types';
import { readableOrder } from './order-access';

/** The keyset cursor of an order in its buyer's list (newest first): creation time, then id. */
export const orderCursor = (o: Order): string => encodeCursor([o.createdAt.getTime(), o.id]);

export class OrderReads {
  /** An order its owner or an ADMIN may read; anything else is NOT_FOUND. */
  readable(em: EntityManager, caller: Identity, id: string): Promise<Order> {
    return readableOrder(em, caller, id);
  }

  /** A buyer's orders, newest first, keyset-paginated by (createdAt, id). */
  async ordersOf(em: EntityManager, userId: string, first?: number | null, after?: string | null): Promise<OrderConnection> {
    const size = pageSize(first);
    const where: Record<string, unknown> = { userId };
    if (after) {
      const [ms, id] = decodeCursor(after, ['number', 'string']) as [number, string];
      const at = new Date(ms);
      where.$or = [{ createdAt: { $lt: at } }, { createdAt: at, id: { $lt: id } }];
    }
    const rows = await em.find(Order, where, { populate: ['items'], orderBy: { createdAt: 'desc', id: 'desc' }, limit: size + 1 });
    return connectionFrom(rows, size, orderCursor, !!after);
  }
}
