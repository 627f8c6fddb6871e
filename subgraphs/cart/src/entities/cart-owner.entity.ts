import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One row per user who has ever changed a cart. Its row lock (SELECT … FOR UPDATE) is the cart's
 * mutex: every change to that user's lines runs in a transaction holding it, so simultaneous
 * requests of one user serialise (no lost update, exact line cap) while different users never wait
 * for each other. The row is never deleted, so the lock always has something to hold.
 */
@Entity({ tableName: 'cart' })
export class CartOwner {
  @PrimaryKey({ length: 36 })
  userId!: string;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', length: 3 })
  updatedAt: Date = new Date();
}
