import { Args, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { Caller, Identity, forbidden } from '@flashsale/platform';
import { UserRef } from '../types/references';
import { AddToCartArgs, Cart, CartPayload, ChangeCartQuantityArgs, RemoveFromCartArgs } from '../types/cart.types';
import type { CartContext } from '../context';

@Resolver(() => UserRef)
export class UserCartResolver {
  @FieldResolver(() => Cart, { description: "The user's cart; only its owner may read it (anyone else gets FORBIDDEN)." })
  async cart(@Root() user: UserRef, @Ctx() ctx: CartContext): Promise<Cart> {
    if (ctx.identity?.userId !== user.id) throw forbidden('You can only read your own cart');
    return ctx.services.carts.cartOf(user.id);
  }
}

/** The signed-in user's own cart (@Authorized: anonymous callers get UNAUTHENTICATED); there is no argument naming another user. */
@Resolver()
export class CartMutationResolver {
  @Authorized()
  @Mutation(() => CartPayload, { description: 'Adds units of a product (default 1), merging into its line if the cart has one.' })
  addToCart(@Args() { productId, quantity }: AddToCartArgs, @Caller() caller: Identity, @Ctx() ctx: CartContext): Promise<CartPayload> {
    return ctx.services.carts.add(caller.userId, productId, quantity);
  }

  @Authorized()
  @Mutation(() => CartPayload, {
    description: "Moves a line's quantity by delta (-99..99, not 0). Reaching 0 removes the line; a positive delta on a product not in the cart adds it.",
  })
  changeCartQuantity(@Args() { productId, delta }: ChangeCartQuantityArgs, @Caller() caller: Identity, @Ctx() ctx: CartContext): Promise<CartPayload> {
    return ctx.services.carts.changeQuantity(caller.userId, productId, delta);
  }

  @Authorized()
  @Mutation(() => CartPayload, { description: "Removes the product's line." })
  removeFromCart(@Args() { productId }: RemoveFromCartArgs, @Caller() caller: Identity, @Ctx() ctx: CartContext): Promise<CartPayload> {
    return ctx.services.carts.remove(caller.userId, productId);
  }

  @Authorized()
  @Mutation(() => CartPayload, { description: 'Removes every line.' })
  clearCart(@Caller() caller: Identity, @Ctx() ctx: CartContext): Promise<CartPayload> {
    return ctx.services.carts.clear(caller.userId);
  }
}
