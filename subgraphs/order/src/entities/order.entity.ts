import { Collection, Entity, Enum, Index, OneToMany, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
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
registerEnumType(OrderStatus, {
  name: 'OrderStatus',
  valuesConfig: {
    PENDING_PAYMENT: { description: 'Placed; its units are reserved until `reservationExpiresAt`.' },
    PAYMENT_FAILED: { description: 'The payment was declined or timed out; the units went back on sale.' },
    EXPIRED: { description: 'Not paid in time; the units went back on sale.' },
    PREPARING: { description: 'Paid; waiting for the next daily run to ship.' },
    SHIPPING: { description: 'On its way; delivered by the next daily run.' },
    DELIVERED: { description: 'Delivered; a return may be requested within 24 hours of `deliveredAt`.' },
    CANCELED: { description: 'Canceled while preparing; the units went back on sale.' },
    RETURN_REQUESTED: { description: 'Return requested; completed by the first daily run at least a day later.' },
    RETURNED: { description: 'Returned; the units went back on sale.' },
  },
});

/**
 * An order. `version` is the fence: every state change is an UPDATE ... WHERE version = n, so a
 * process that lost its lock mid-way (or raced the sweeper or the daily job) cannot commit a stale
 * transition. `(userId, idempotencyKey)` is unique: a replayed placeOrder finds the first order.
 */
@ObjectType('Order')
@Directive('@key(fields: "id")')
@Entity({ tableName: 'order' })
@Unique({ properties: ['userId', 'idempotencyKey'] })
@Index({ properties: ['userId', 'createdAt', 'id'] })
@Index({ properties: ['status', 'reservationExpiresAt'] })
@Index({ properties: ['status', 'statusChangedAt'] })
export class Order {
  [OptionalProps]?: 'status' | 'createdAt' | 'version' | 'items';

  @Field(() => ID)
  @PrimaryKey({ length: 36 })
  id: string = randomUUID();

  @Property({ length: 36 })
  userId!: string;

  @Property({ length: 100 })
  idempotencyKey!: string;

  @Field(() => OrderStatus)
  @Enum({ items: () => OrderStatus, length: 20 })
  status: OrderStatus = OrderStatus.PENDING_PAYMENT;

  @Field(() => [OrderItem])
  @OneToMany(() => OrderItem, (item) => item.order, { orphanRemoval: true })
  items = new Collection<OrderItem>(this);

  @Field(() => Int, { description: 'Sum of the lines at the prices reserved, in the smallest currency unit.' })
  @Property({ type: 'integer' })
  total!: number;

  @Field({ description: 'ISO 4217 currency code of every line.' })
  @Property({ length: 3 })
  currency!: string;

  @Field(() => Date, { description: 'An unpaid order holds its units until then; afterwards it expires.' })
  @Property({ type: 'datetime', length: 3 })
  reservationExpiresAt!: Date;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', length: 3, nullable: true })
  paidAt?: Date | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', length: 3, nullable: true })
  deliveredAt?: Date | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', length: 3, nullable: true })
  returnRequestedAt?: Date | null = null;

  /** The payment provider's charge id once paid (refunds and audits find the charge by it). */
  @Property({ length: 64, nullable: true })
  paymentId?: string | null = null;

  @Field(() => Date, { description: 'When the order entered its current status.' })
  @Property({ type: 'datetime', length: 3 })
  statusChangedAt!: Date;

  @Field(() => Date)
  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();

  @Property({ version: true })
  version!: number;
}
