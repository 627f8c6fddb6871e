import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import type { Role } from '@flashsale/platform';

/** A customer or admin. Personal data is added encrypted by the users feature. */
@ObjectType('User')
@Directive('@key(fields: "id")')
@Entity({ tableName: 'user' })
export class User {
  @Field(() => ID)
  @PrimaryKey({ length: 36 })
  id: string = randomUUID();

  @Field(() => [String])
  @Property({ type: 'json' })
  roles: Role[] = ['CUSTOMER'];

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();
}
