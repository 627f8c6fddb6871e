/**
 * Who may touch an order, in one place (O5): its buyer changes it; its buyer or an ADMIN reads it.
 * A foreign order and an unknown one answer the same NOT_FOUND, so ids cannot be probed.
 */
import type { EntityManager } from '@mikro-orm/mysql';
import { Identity, UUID_PATTERN, forbidden, notFound } from '@flashsale/platform';
import { Order } from '../entities/order.entity';

export const ORDER_NOT_FOUND = 'Order not found';

/** True when `caller` may read `order` (its buyer or an ADMIN). */
export function mayReadOrder(caller: Identity, order: Pick<Order, 'userId'>): boolean {
  return order.userId === caller.userId || caller.roles.includes('ADMIN');
}

/** A buyer's order list: the buyer or an ADMIN; anyone else FORBIDDEN. */
export function assertMayReadOrdersOf(caller: Identity, buyerId: string): void {
  if (caller.userId !== buyerId && !caller.roles.includes('ADMIN')) throw forbidden('You can only read your own orders');
}

/** Throws NOT_FOUND unless `orderId` is an order `caller` bought (the check before any change). */
export async function assertBuyerOwns(em: EntityManager, caller: Identity, orderId: string): Promise<void> {
  const order = UUID_PATTERN.test(orderId) ? await em.findOne(Order, { id: orderId }, { fields: ['id', 'userId'] }) : null;
  if (!order || order.userId !== caller.userId) throw notFound(ORDER_NOT_FOUND);
}

/** The order with its items, for `caller` if they may read it; NOT_FOUND otherwise. */
export async function readableOrder(em: EntityManager, caller: Identity, orderId: string): Promise<Order> {
  const order = UUID_PATTERN.test(orderId) ? await em.findOne(Order, { id: orderId }, { populate: ['items'] }) : null;
  if (!order || !mayReadOrder(caller, order)) throw notFound(ORDER_NOT_FOUND);
  return order;
}

/** The order with its items (already authorised by the caller); NOT_FOUND when it vanished. */
export async function loadOrder(em: EntityManager, orderId: string): Promise<Order> {
  const order = await em.findOne(Order, { id: orderId }, { populate: ['items'] });
  if (!order) throw notFound(ORDER_NOT_FOUND);
  return order;
}
