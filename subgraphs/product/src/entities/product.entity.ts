import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import { Category } from './category.entity';

/**
 * A product and its sale window. `stock` is the truth: units not yet sold (paid). The live
 * sellable quantity (`available`) is the Redis stock hash, lowered by unpaid reservations.
 */
@ObjectType('Product')
@Directive('@key(fields: "id")')
@Entity({ tableName: 'product' })
@Index({ properties: ['createdAt', 'id'] })
export class Product {
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

  @Field()
  @Property({ length: 3 })
  currency: string = 'USD';

  @Field(() => Category)
  @ManyToOne(() => Category)
  category!: Category;

  @Field(() => Int, { description: 'Units not yet sold (paid).' })
  @Property({ type: 'integer', unsigned: true })
  stock: number = 0;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', length: 3, nullable: true })
  saleOpensAt?: Date | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', length: 3, nullable: true })
  saleClosesAt?: Date | null = null;

  @Field(() => Int, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  maxPerCustomer?: number | null = null;

  @Field()
  @Property({ type: 'boolean' })
  active: boolean = true;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();
}
