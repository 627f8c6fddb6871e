import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Caller, Identity, PageArgs } from '@flashsale/platform';
import { assertMayReadOrdersOf } from '../services/order-access';
import { UserRef } from '../types/references';
import { Order } from '../entities/order.entity';
import { CancelOrderPayload, OrderConnection, OrderOutcome, PayOrderPayload, PaymentInput, PlaceOrderInput, PlaceOrderPayload, RequestReturnPayload } from '../types/order.types';
import type { OrderContext } from '../context';
import { orderCursor } from '../services/order-reads';

@Resolver(() => Order)
export class OrderResolver {
  @FieldResolver(() => String, { description: "This order's position in its buyer's list: pass it as `after` to `orders` / `ordersConnection` for the next page." })
  cursor(@Root() order: Order): string {
    return orderCursor(order);
  }

  @Authorized()
  @Query(() => Order, { description: 'An order; only its owner or an ADMIN may read it (anything else: NOT_FOUND).' })
  order(@Arg('id', () => ID) id: string, @Caller() caller: Identity, @Ctx() ctx: OrderContext): Promise<Order> {
    return ctx.services.orders.readable(ctx.em, caller, id);
  }

  @Authorized()
  @Mutation(() => PlaceOrderPayload, {
    description: 'Reserves every line or none and places a PENDING_PAYMENT order; replaying an idempotencyKey returns the first order.',
  })
  placeOrder(@Arg('input', () => PlaceOrderInput) input: PlaceOrderInput, @Caller() caller: Identity, @Ctx() ctx: OrderContext): Promise<OrderOutcome> {
    return ctx.services.orders.placeOrder(caller, input);
  }

  @Authorized()
  @Mutation(() => PayOrderPayload, { description: 'Pays a PENDING_PAYMENT order: PREPARING on success, PAYMENT_FAILED (units back on sale) on decline.' })
  payOrder(@Arg('orderId', () => ID) orderId: string, @Arg('payment', () => PaymentInput) payment: PaymentInput, @Caller() caller: Identity, @Ctx() ctx: OrderContext): Promise<OrderOutcome> {
    return ctx.services.orders.payOrder(caller, orderId, payment);
  }

  @Authorized()
  @Mutation(() => CancelOrderPayload, { description: 'Cancels a PREPARING order; its units go back on sale.' })
  cancelOrder(@Arg('orderId', () => ID) orderId: string, @Caller() caller: Identity, @Ctx() ctx: OrderContext): Promise<OrderOutcome> {
    return ctx.services.orders.cancelOrder(caller, orderId);
  }

  @Authorized()
  @Mutation(() => RequestReturnPayload, { description: 'Asks to return a DELIVERED order within 24 hours of delivery.' })
  requestReturn(@Arg('orderId', () => ID) orderId: string, @Caller() caller: Identity, @Ctx() ctx: OrderContext): Promise<OrderOutcome> {
    return ctx.services.orders.requestReturn(caller, orderId);
  }
}

@Resolver(() => UserRef)
export class UserOrdersResolver {
  @Authorized()
  @FieldResolver(() => [Order], { description: "The user's orders, newest first (1 to 100, default 20; `after` is the `cursor` of the last order of the previous page)." })
  async orders(
    @Root() user: UserRef,
    @Args() page: PageArgs,
    @Caller() caller: Identity,
    @Ctx() ctx: OrderContext,
  ): Promise<Order[]> {
    return (await this.ordersConnection(user, page, caller, ctx)).edges.map((e) => e.node);
  }

  @FieldResolver(() => OrderConnection, { description: "The user's orders as a Relay connection, newest first (1 to 100 per page, default 20; `after` is a previous page's endCursor)." })
  @Authorized()
  ordersConnection(
    @Root() user: UserRef,
    @Args() { first, after }: PageArgs,
    @Caller() caller: Identity,
    @Ctx() ctx: OrderContext,
  ): Promise<OrderConnection> {
    assertMayReadOrdersOf(caller, user.id);
    return ctx.services.orders.ordersOf(ctx.em, user.id, first, after);
  }
}
