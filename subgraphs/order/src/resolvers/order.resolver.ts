import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { forbidden, requireUser } from '@flashsale/platform';
import { UserRef } from '../entities/references';
import { Order } from '../entities/order.entity';
import { CancelOrderPayload, OrderConnection, OrderOutcome, PayOrderPayload, PaymentInput, PlaceOrderInput, PlaceOrderPayload, RequestReturnPayload } from '../entities/order.types';
import type { OrderContext } from '../context';
import { orderCursor } from '../services/order-reads';

@Resolver(() => Order)
export class OrderResolver {
  @FieldResolver(() => String, { description: "This order's position in its buyer's list: pass it as `after` to `orders` / `ordersConnection` for the next page." })
  cursor(@Root() order: Order): string {
    return orderCursor(order);
  }

  @Query(() => Order, { description: 'An order; only its owner or an ADMIN may read it (anything else: NOT_FOUND).' })
  order(@Arg('id', () => ID) id: string, @Ctx() ctx: OrderContext): Promise<Order> {
    return ctx.services.orders.readable(ctx.em, requireUser(ctx), id);
  }

  @Mutation(() => PlaceOrderPayload, {
    description: 'Reserves every line or none and places a PENDING_PAYMENT order; replaying an idempotencyKey returns the first order.',
  })
  placeOrder(@Arg('input', () => PlaceOrderInput) input: PlaceOrderInput, @Ctx() ctx: OrderContext): Promise<OrderOutcome> {
    return ctx.services.orders.placeOrder(requireUser(ctx), input);
  }

  @Mutation(() => PayOrderPayload, { description: 'Pays a PENDING_PAYMENT order: PREPARING on success, PAYMENT_FAILED (units back on sale) on decline.' })
  payOrder(@Arg('orderId', () => ID) orderId: string, @Arg('payment', () => PaymentInput) payment: PaymentInput, @Ctx() ctx: OrderContext): Promise<OrderOutcome> {
    return ctx.services.orders.payOrder(requireUser(ctx), orderId, payment);
  }

  @Mutation(() => CancelOrderPayload, { description: 'Cancels a PREPARING order; its units go back on sale.' })
  cancelOrder(@Arg('orderId', () => ID) orderId: string, @Ctx() ctx: OrderContext): Promise<OrderOutcome> {
    return ctx.services.orders.cancelOrder(requireUser(ctx), orderId);
  }

  @Mutation(() => RequestReturnPayload, { description: 'Asks to return a DELIVERED order within 24 hours of delivery.' })
  requestReturn(@Arg('orderId', () => ID) orderId: string, @Ctx() ctx: OrderContext): Promise<OrderOutcome> {
    return ctx.services.orders.requestReturn(requireUser(ctx), orderId);
  }
}

@Resolver(() => UserRef)
export class UserOrdersResolver {
  @FieldResolver(() => [Order], { description: "The user's orders, newest first (1 to 100, default 20; `after` is the `cursor` of the last order of the previous page)." })
  async orders(
    @Root() user: UserRef,
    @Ctx() ctx: OrderContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<Order[]> {
    return (await this.ordersConnection(user, ctx, first, after)).edges.map((e) => e.node);
  }

  @FieldResolver(() => OrderConnection, { description: "The user's orders as a Relay connection, newest first (1 to 100 per page, default 20; `after` is a previous page's endCursor)." })
  ordersConnection(
    @Root() user: UserRef,
    @Ctx() ctx: OrderContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<OrderConnection> {
    const caller = requireUser(ctx);
    if (caller.userId !== user.id && !caller.roles.includes('ADMIN')) throw forbidden('You can only read your own orders');
    return ctx.services.orders.ordersOf(ctx.em, user.id, first, after);
  }
}
