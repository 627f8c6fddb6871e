import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** Product is owned by the product subgraph; an order only refers to it by id. */
@ObjectType('Product')
@Directive('@key(fields: "id", resolvable: false)')
export class ProductRef {
  @Field(() => ID)
  id!: string;
}

/** The order subgraph contributes `User.orders`. */
@ObjectType('User')
@Directive('@key(fields: "id")')
export class UserRef {
  @Field(() => ID)
  id!: string;
}
