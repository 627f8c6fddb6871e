import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Rel } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import type { Order } from './order.entity';
import { ProductRef } from '../types/references';

@ObjectType('OrderItem')
@Entity({ tableName: 'order_item' })
export class OrderItem {
  [OptionalProps]?: 'product';

  @PrimaryKey({ length: 36 })
  id: string = randomUUID();

  // By name, not by class: order.entity.ts imports this file, so a value import here would be a circle.
  @ManyToOne('Order')
  order!: Rel<Order>;

  /** Indexed for reconcile, which sums the units held per product. */
  @Index()
  @Property({ length: 36 })
  productId!: string;

  @Field(() => Int)
  @Property({ type: 'integer' })
  quantity!: number;

  @Field(() => Int, { description: 'Price of one unit when it was reserved, in the smallest currency unit.' })
  @Property({ type: 'integer' })
  unitPrice!: number;

  @Field(() => ProductRef)
  get product(): ProductRef {
    return { id: this.productId };
  }
}
