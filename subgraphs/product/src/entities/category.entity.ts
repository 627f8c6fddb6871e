import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { randomUUID } from 'node:crypto';

/** A catalog category; categories may nest one under another (`parent`). */
@ObjectType('Category')
@Directive('@key(fields: "id")')
@Entity({ tableName: 'category' })
export class Category {
  [OptionalProps]?: 'parent' | 'createdAt';

  @Field(() => ID)
  @PrimaryKey({ length: 36 })
  id: string = randomUUID();

  @Field()
  @Property({ length: 120, unique: true })
  name!: string;

  @Field(() => Category, { nullable: true })
  @ManyToOne(() => Category, { nullable: true })
  parent?: Category | null;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();
}
