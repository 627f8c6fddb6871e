import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { forbidden } from '@flashsale/platform';
import { UserRef } from '../entities/references';
import { Order } from '../entities/order.entity';
import type { OrderContext } from '../context';

@Resolver(() => Order)
export class OrderResolver {
  @Query(() => Order, { description: 'An order; only its owner or an ADMIN may read it.' })
  order(@Arg('id', () => ID) id: string, @Ctx() ctx: OrderContext): Promise<Order> {
    return ctx.services.orders.readable(ctx.em, ctx, id);
  }
}

@Resolver(() => UserRef)
export class UserOrdersResolver {
  @FieldResolver(() => [Order], { description: "The user's orders, newest first." })
  orders(@Root() user: UserRef, @Ctx() ctx: OrderContext): Promise<Order[]> {
    if (ctx.identity?.userId !== user.id && !ctx.identity?.roles.includes('ADMIN')) throw forbidden('You can only read your own orders');
    return ctx.services.orders.listFor(ctx.em, user.id);
  }
}
