import type { EntityManager } from '@mikro-orm/mysql';
import { CartItem } from '../entities/cart-item.entity';
import { Cart } from '../entities/cart.types';

export class CartService {
  async cartOf(em: EntityManager, userId: string): Promise<Cart> {
    const rows = await em.find(CartItem, { userId }, { orderBy: { addedAt: 'asc', productId: 'asc' } });
    return {
      items: rows.map((r) => ({ product: { id: r.productId }, quantity: r.quantity })),
      totalQuantity: rows.reduce((n, r) => n + r.quantity, 0),
    };
  }
}
