import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { forbidden } from '@flashsale/platform';
import { UserRef } from '../entities/references';
import { Cart } from '../entities/cart.types';
import type { CartContext } from '../context';

@Resolver(() => UserRef)
export class UserCartResolver {
  @FieldResolver(() => Cart, { description: "The user's cart; only its owner may read it." })
  async cart(@Root() user: UserRef, @Ctx() ctx: CartContext): Promise<Cart> {
    if (ctx.identity?.userId !== user.id) throw forbidden("You can only read your own cart");
    return ctx.services.carts.cartOf(ctx.em, user.id);
  }
}
