import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One line of a user's cart; (userId, productId) is the key, so a product appears once per cart.
 * No price is stored: the price shown is read live from the product's stock hash (display only).
 */
@Entity({ tableName: 'cart_item' })
export class CartItem {
  @PrimaryKey({ length: 36 })
  userId!: string;

  @PrimaryKey({ length: 36 })
  productId!: string;

  /** 1..99 (CART_LIMITS.maxQuantity); a line that would reach 0 is deleted instead. */
  @Property({ type: 'integer' })
  quantity!: number;

  @Property({ type: 'datetime', length: 3 })
  addedAt: Date = new Date();

  @Property({ type: 'datetime', length: 3, onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
