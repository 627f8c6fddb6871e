import { IsInt, IsOptional, Matches, Max, Min, NotEquals } from 'class-validator';
import { ArgsType, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { UserErrorFields, UUID_PATTERN } from '@flashsale/platform';
import { GraphQLSafeInt } from 'graphql-scalars';
import { ProductRef } from './references';

/** A money amount in the smallest currency unit (e.g. cents). SafeInt: 100 lines × 99 units × price can exceed 32 bits. */
@ObjectType()
export class CartAmount {
  @Field(() => GraphQLSafeInt)
  amount!: number;

  @Field({ description: 'ISO 4217 code, e.g. USD.' })
  currency!: string;
}

@ObjectType('CartItem')
export class CartLine {
  @Field(() => ProductRef)
  product!: ProductRef;

  @Field(() => Int, { description: '1..99.' })
  quantity!: number;

  @Field(() => Int, {
    nullable: true,
    description: "Current list price per unit, smallest currency unit; display only. Null while the product's price is unknown.",
  })
  unitPrice!: number | null;

  @Field(() => String, { nullable: true })
  currency!: string | null;

  @Field(() => GraphQLSafeInt, { nullable: true, description: 'unitPrice × quantity; display only.' })
  lineTotal!: number | null;

  @Field(() => Date)
  addedAt!: Date;
}

@ObjectType()
export class Cart {
  @Field(() => [CartLine], { description: 'Oldest line first.' })
  items!: CartLine[];

  @Field(() => Int, { description: 'Sum of the quantities of all lines.' })
  totalQuantity!: number;

  @Field(() => CartAmount, {
    nullable: true,
    description:
      'Display-only subtotal at current list prices. Null when the cart is empty, a line has no known price, or lines are priced in ' +
      'different currencies. It never decides what an order charges: placeOrder prices each line itself when it reserves stock.',
  })
  subtotal!: CartAmount | null;
}

export enum CartErrorCode {
  PRODUCT_NOT_FOUND = 'PRODUCT_NOT_FOUND',
  PRODUCT_UNAVAILABLE = 'PRODUCT_UNAVAILABLE',
  QUANTITY_LIMIT = 'QUANTITY_LIMIT',
  CART_FULL = 'CART_FULL',
  NOT_IN_CART = 'NOT_IN_CART',
}
registerEnumType(CartErrorCode, {
  name: 'CartErrorCode',
  valuesConfig: {
    PRODUCT_NOT_FOUND: { description: 'No product has this id.' },
    PRODUCT_UNAVAILABLE: { description: 'The product is not for sale (inactive); it cannot be added or increased.' },
    QUANTITY_LIMIT: { description: 'The line would leave 1..99 units (see `limit` and `currentQuantity`).' },
    CART_FULL: { description: 'The cart already has the maximum number of lines (see `limit`).' },
    NOT_IN_CART: { description: 'The product has no line in this cart.' },
  },
});

/** A business outcome that stopped a cart change; the cart is left exactly as it was. */
@ObjectType()
export class CartError extends UserErrorFields {
  @Field(() => CartErrorCode)
  code!: CartErrorCode;

  @Field(() => ID, { nullable: true })
  productId?: string | null;

  @Field(() => Int, { nullable: true, description: 'The limit that was hit: units per line or lines per cart.' })
  limit?: number | null;

  @Field(() => Int, { nullable: true, description: 'Units of the product already in the cart.' })
  currentQuantity?: number | null;
}

/** What every cart mutation returns: the cart after the change (unchanged when userErrors is non-empty). */
@ObjectType()
export class CartPayload {
  @Field(() => Cart)
  cart!: Cart;

  @Field(() => [CartError])
  userErrors!: CartError[];
}

export const CART_LIMITS = { maxQuantity: 99, maxLines: 100 } as const;

const PRODUCT_ID_RULE = Matches(UUID_PATTERN, { message: 'productId must be a product id (UUID)' });
const QUANTITY_MESSAGE = `quantity must be between 1 and ${CART_LIMITS.maxQuantity}`;
const DELTA_MESSAGE = `delta must be a non-zero whole number between -${CART_LIMITS.maxQuantity} and ${CART_LIMITS.maxQuantity}`;

// Argument classes keep the arguments in declaration order in the SDL (inline @Arg lists them
// reversed) and declare their rules (platform validation.ts: BAD_USER_INPUT naming the argument).
@ArgsType()
export class AddToCartArgs {
  @Field(() => ID)
  @PRODUCT_ID_RULE
  productId!: string;

  @Field(() => Int, { nullable: true, defaultValue: 1, description: '1..99; default 1.' })
  @IsOptional()
  @IsInt({ message: QUANTITY_MESSAGE })
  @Min(1, { message: QUANTITY_MESSAGE })
  @Max(CART_LIMITS.maxQuantity, { message: QUANTITY_MESSAGE })
  quantity?: number | null;
}

@ArgsType()
export class ChangeCartQuantityArgs {
  @Field(() => ID)
  @PRODUCT_ID_RULE
  productId!: string;

  @Field(() => Int, { description: '-99..99, not 0.' })
  @IsInt({ message: DELTA_MESSAGE })
  @NotEquals(0, { message: DELTA_MESSAGE })
  @Min(-CART_LIMITS.maxQuantity, { message: DELTA_MESSAGE })
  @Max(CART_LIMITS.maxQuantity, { message: DELTA_MESSAGE })
  delta!: number;
}

@ArgsType()
export class RemoveFromCartArgs {
  @Field(() => ID)
  @PRODUCT_ID_RULE
  productId!: string;
}
