import { Collection, Entity, Enum, Index, OneToMany, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Directive } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import { OrderItem } from './order-item.entity';

export enum OrderStatus {
  PENDING_PAYMENT = 'PENDING_PAYMENT',
  PAYMENT_FAILED = 'PAYMENT_FAILED',
  EXPIRED = 'EXPIRED',
  PREPARING = 'PREPARING',
  SHIPPING = 'SHIPPING',
  DELIVERED = 'DELIVERED',
  CANCELED = 'CANCELED',
  RETURN_REQUESTED = 'RETURN_REQUESTED',
  RETURNED = 'RETURNED',
}
registerEnumType(OrderStatus, { name: 'OrderStatus' });

@ObjectType('Order')
@Directive('@key(fields: "id")')
@Entity({ tableName: 'order' })
@Index({ properties: ['userId', 'createdAt', 'id'] })
export class Order {
  @Field(() => ID)
  @PrimaryKey({ length: 36 })
  id: string = randomUUID();

  @Property({ length: 36 })
  userId!: string;

  @Field(() => OrderStatus)
  @Enum({ items: () => OrderStatus, length: 20 })
  status: OrderStatus = OrderStatus.PENDING_PAYMENT;

  @Field(() => [OrderItem])
  @OneToMany(() => OrderItem, (item) => item.order, { orphanRemoval: true })
  items = new Collection<OrderItem>(this);

  @Field(() => Date)
  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();
}
