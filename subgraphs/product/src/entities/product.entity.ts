import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Rel } from '@mikro-orm/core';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import { Category } from './category.entity';

/**
 * A product and its sale window. `stock` is the truth: units not yet sold (paid). The live
 * sellable quantity (`available`) is the Redis stock hash, lowered by unpaid reservations.
 *
 * Listing indexes, one per access path of `products(categoryId, first, after)`: newest first
 * among active products, optionally within one category; the keyset cursor is (createdAt, id).
 */
@ObjectType('Product')
@Directive('@key(fields: "id")')
@Entity({ tableName: 'product' })
@Index({ name: 'product_listing_index', properties: ['active', 'createdAt', 'id'] })
@Index({ name: 'product_category_listing_index', properties: ['category', 'active', 'createdAt', 'id'] })
export class Product {
  [OptionalProps]?: 'description' | 'currency' | 'stock' | 'saleOpensAt' | 'saleClosesAt' | 'maxPerCustomer' | 'active' | 'waitingRoomEnabled' | 'createdAt' | 'updatedAt';

  @Field(() => ID)
  @PrimaryKey({ length: 36 })
  id: string = randomUUID();

  @Field()
  @Property({ length: 200 })
  name!: string;

  @Field()
  @Property({ type: 'text' })
  description: string = '';

  @Field(() => Int, { description: 'Price in the smallest currency unit (e.g. cents).' })
  @Property({ type: 'integer' })
  price!: number;

  @Field({ description: 'ISO 4217 currency code, e.g. USD.' })
  @Property({ length: 3 })
  currency: string = 'USD';

  @Field(() => Category)
  @ManyToOne(() => Category)
  category!: Rel<Category>;

  @Field(() => Int, { description: 'Units not yet sold (paid). `available` is what can be bought right now.' })
  @Property({ type: 'integer', unsigned: true })
  stock: number = 0;

  @Field(() => Date, { nullable: true, description: 'When the sale opens; null: on sale without an opening time.' })
  @Property({ type: 'datetime', length: 3, nullable: true })
  saleOpensAt?: Date | null = null;

  @Field(() => Date, { nullable: true, description: 'When the sale closes; null: it does not close.' })
  @Property({ type: 'datetime', length: 3, nullable: true })
  saleClosesAt?: Date | null = null;

  @Field(() => Int, { nullable: true, description: 'Most units one customer may buy; null: no limit.' })
  @Property({ type: 'integer', nullable: true })
  maxPerCustomer?: number | null = null;

  @Field({ description: 'Inactive products are hidden from listings and cannot be bought.' })
  @Property({ type: 'boolean' })
  active: boolean = true;

  /** The sale is behind a waiting room (platform waiting-room/); GraphQL shows the line as `waitingRoom`. */
  @Field({ description: 'Whether the sale is behind a waiting room: orders need a served ticket (`waitingRoom` shows the line).' })
  @Property({ type: 'boolean', default: false })
  waitingRoomEnabled: boolean = false;

  @Field(() => Date)
  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();

  @Field(() => Date)
  @Property({ type: 'datetime', length: 3, onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
