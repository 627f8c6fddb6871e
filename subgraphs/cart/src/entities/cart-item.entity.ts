import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** One line of a user's cart; (userId, productId) is the key, so a product appears once per cart. */
@Entity({ tableName: 'cart_item' })
export class CartItem {
  @PrimaryKey({ length: 36 })
  userId!: string;

  @PrimaryKey({ length: 36 })
  productId!: string;

  @Property({ type: 'integer' })
  quantity!: number;

  @Property({ type: 'datetime', length: 3 })
  addedAt: Date = new Date();

  @Property({ type: 'datetime', length: 3, onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
