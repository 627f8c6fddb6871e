import { Arg, Args, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { wrap } from '@mikro-orm/core';
import { Product } from '../entities/product.entity';
import { Category } from '../entities/category.entity';
import { ProductConnection, ProductsArgs, SaleState } from '../types/catalog.types';
import { saleStateOf } from '../services/catalog.service';
import { WaitingRoomState, WaitingRoomView } from '../types/waiting-room.types';
import type { ProductContext } from '../context';
import { loadAvailable, loadCategory } from './product.reference';

/** Live `available`; a missing hash (Redis lost it, reconcile pending) shows the stock truth. */
async function availableOf(product: Product, ctx: ProductContext): Promise<number> {
  const v = await loadAvailable({ id: product.id }, ctx);
  return v ?? product.stock;
}

const secondsUntil = (t: Date | null | undefined, now: Date) => (t && t > now ? Math.ceil((t.getTime() - now.getTime()) / 1000) : null);

@Resolver(() => Product)
export class ProductResolver {
  @Query(() => Product, { nullable: true })
  product(@Arg('id', () => ID) id: string, @Ctx() ctx: ProductContext): Promise<Product | null> {
    return ctx.services.catalog.findProduct(ctx.em, id);
  }

  @Query(() => ProductConnection, { description: 'Active products, newest first, 1 to 100 per page (default 20). `after` is a previous page\'s endCursor.' })
  products(@Args() args: ProductsArgs, @Ctx() ctx: ProductContext): Promise<ProductConnection> {
    return ctx.services.catalog.listProducts(ctx.em, args);
  }

  @FieldResolver(() => Category)
  async category(@Root() product: Product, @Ctx() ctx: ProductContext): Promise<Category> {
    if (wrap(product.category).isInitialized()) return product.category;
    return (await loadCategory({ id: product.category.id }, ctx))!;
  }

  @FieldResolver(() => Int, { description: 'Live quantity for sale (stock minus unpaid reservations).' })
  available(@Root() product: Product, @Ctx() ctx: ProductContext): Promise<number> {
    return availableOf(product, ctx);
  }

  @FieldResolver(() => SaleState, { description: 'Where the product stands in its sale window now (see serverTime).' })
  async saleState(@Root() product: Product, @Ctx() ctx: ProductContext): Promise<SaleState> {
    return saleStateOf(product, await availableOf(product, ctx), ctx.services.catalog.clock());
  }

  @FieldResolver(() => Int, { nullable: true, description: 'Seconds until the sale opens; null once it has opened (or has no opening time).' })
  secondsUntilOpen(@Root() product: Product, @Ctx() ctx: ProductContext): number | null {
    return secondsUntil(product.saleOpensAt, ctx.services.catalog.clock());
  }

  @FieldResolver(() => Int, { nullable: true, description: 'Seconds until the sale closes; null once closed (or when it never closes).' })
  secondsUntilClose(@Root() product: Product, @Ctx() ctx: ProductContext): number | null {
    return secondsUntil(product.saleClosesAt, ctx.services.catalog.clock());
  }

  @FieldResolver(() => WaitingRoomView, { nullable: true, description: 'The sale\'s waiting room (join it at POST /waiting-room/{id}); null for a sale without one.' })
  async waitingRoom(@Root() product: Product, @Ctx() ctx: ProductContext): Promise<WaitingRoomView | null> {
    if (!product.waitingRoomEnabled) return null;
    const status = await ctx.services.lines.status(product.id);
    if (!status) return null;
    return {
      state: WaitingRoomState[status.state],
      nowServing: status.nowServing,
      waiting: status.waiting,
      admitPerSecond: status.admitPerSecond,
      issued: status.issued,
      used: status.used,
      noShows: status.noShows,
      holding: status.holding,
      pace: status.pace,
    };
  }

  @FieldResolver(() => Date, { description: 'The server clock when this was answered, so a countdown can correct for client clock skew.' })
  serverTime(@Ctx() ctx: ProductContext): Date {
    return ctx.services.catalog.clock();
  }
}

@Resolver(() => Category)
export class CategoryResolver {
  @Query(() => [Category], { description: 'All categories by name.' })
  categories(@Ctx() ctx: ProductContext): Promise<Category[]> {
    return ctx.services.catalog.listCategories(ctx.em);
  }

  @FieldResolver(() => Category, { nullable: true })
  async parent(@Root() category: Category, @Ctx() ctx: ProductContext): Promise<Category | null> {
    if (!category.parent) return null;
    if (wrap(category.parent).isInitialized()) return category.parent;
    return loadCategory({ id: category.parent.id }, ctx);
  }
}
