/**
 * The stand-ins a subgraph declares for entities another subgraph owns, defined once for all.
 * Each call makes a fresh class: type-graphql records the fields a subgraph adds with
 * @FieldResolver on the class itself, so two subgraphs sharing one class (all of them run in one
 * process in the tests) would each see the other's fields.
 */
import { Directive, Field, ID, ObjectType } from 'type-graphql';

export interface EntityReference {
  id: string;
}

/** `Product` (owned by the product subgraph), referred to by id and never resolved here. */
export function productReferenceType(): new () => EntityReference {
  @ObjectType('Product')
  @Directive('@key(fields: "id", resolvable: false)')
  class ProductRef implements EntityReference {
    @Field(() => ID)
    id!: string;
  }
  return ProductRef;
}

/** `User` (owned by the user subgraph), which this subgraph extends with fields of its own. */
export function userExtensionType(): new () => EntityReference {
  @ObjectType('User')
  @Directive('@key(fields: "id")')
  class UserRef implements EntityReference {
    @Field(() => ID)
    id!: string;
  }
  return UserRef;
}
