import { Entity, ManyToOne, PrimaryKey, Property, type Rel } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import { Order } from './order.entity';
import { ProductRef } from './references';

@ObjectType('OrderItem')
@Entity({ tableName: 'order_item' })
export class OrderItem {
  @PrimaryKey({ length: 36 })
  id: string = randomUUID();

  @ManyToOne(() => Order)
  order!: Rel<Order>;

  @Property({ length: 36 })
  productId!: string;

  @Field(() => Int)
  @Property({ type: 'integer' })
  quantity!: number;

  @Field(() => ProductRef)
  get product(): ProductRef {
    return { id: this.productId };
  }
}
