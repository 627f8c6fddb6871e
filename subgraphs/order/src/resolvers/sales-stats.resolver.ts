/**
 * ADMIN: how a product's sale is going, from the order database (the storefront's live sale view
 * shows it beside the product's `available`). Counts every order holding the product, by what
 * became of it; one grouped query over order_item ⋈ order (indexed by product through the items).
 */
import { Arg, Authorized, Ctx, Field, ID, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { UUID_PATTERN, badInput } from '@flashsale/platform';
import { OrderStatus } from '../entities/order.entity';
import type { OrderContext } from '../context';

/** Statuses of an order that was paid (returns included: they were sold, then came back). */
const PAID: readonly string[] = [OrderStatus.PREPARING, OrderStatus.SHIPPING, OrderStatus.DELIVERED, OrderStatus.RETURN_REQUESTED, OrderStatus.RETURNED];

@ObjectType({ description: "A product's orders so far (ADMIN)." })
export class ProductSalesStats {
  @Field(() => ID)
  productId!: string;

  @Field(() => Int, { description: 'Orders placed with this product, whatever became of them.' })
  ordersPlaced!: number;

  @Field(() => Int, { description: 'Of those, orders that were paid (preparing, shipping, delivered, or returned since).' })
  ordersPaid!: number;

  @Field(() => Int, { description: 'Orders waiting for payment now (their units are reserved).' })
  ordersAwaitingPayment!: number;

  @Field(() => Int, { description: 'Units of this product in paid orders.' })
  unitsPaid!: number;
}

@Resolver()
export class SalesStatsResolver {
  @Authorized('ADMIN')
  @Query(() => ProductSalesStats, { description: "A product's orders so far, by outcome (ADMIN)." })
  async productSalesStats(@Arg('productId', () => ID) productId: string, @Ctx() ctx: OrderContext): Promise<ProductSalesStats> {
    if (!UUID_PATTERN.test(productId)) throw badInput('productId is not a product id', 'productId');
    const rows = await ctx.em.getConnection().execute<Array<{ status: string; orders: number | string; units: number | string }>>(
      'select o.status, count(*) as orders, sum(i.quantity) as units from order_item i join `order` o on o.id = i.order_id where i.product_id = ? group by o.status',
      [productId],
    );
    const stats: ProductSalesStats = { productId, ordersPlaced: 0, ordersPaid: 0, ordersAwaitingPayment: 0, unitsPaid: 0 };
    for (const r of rows) {
      stats.ordersPlaced += Number(r.orders);
      if (PAID.includes(r.status)) {
        stats.ordersPaid += Number(r.orders);
        stats.unitsPaid += Number(r.units);
      }
      if (r.status === OrderStatus.PENDING_PAYMENT) stats.ordersAwaitingPayment += Number(r.orders);
    }
    return stats;
  }
}
