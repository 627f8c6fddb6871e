import { Field, Int, ObjectType } from 'type-graphql';
import { ProductRef } from './references';

@ObjectType('CartItem')
export class CartLine {
  @Field(() => ProductRef)
  product!: ProductRef;

  @Field(() => Int)
  quantity!: number;
}

@ObjectType()
export class Cart {
  @Field(() => [CartLine])
  items!: CartLine[];

  @Field(() => Int)
  totalQuantity!: number;
}
