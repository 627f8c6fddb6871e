/**
 * Expected business outcomes are typed results (ARCHITECTURE: Errors): every mutation payload has
 * `userErrors`, and each subgraph's error type (AccountError, CatalogError, CartError, OrderError)
 * is its own `code` enum and details on top of the two fields they all share, declared here once.
 */
import { Field, ObjectType } from 'type-graphql';

// Never a schema type of its own: no field returns it, so type-graphql emits only the subclasses.
@ObjectType('UserErrorFields')
export abstract class UserErrorFields {
  @Field({ description: 'What happened, in words a buyer can read.' })
  message!: string;

  @Field(() => String, { nullable: true, description: 'The input field at fault (for example `items.1.quantity`), when there is one.' })
  field?: string | null;
}
