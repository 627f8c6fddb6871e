import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { Product } from '../entities/product.entity';
import { Category } from '../entities/category.entity';
import type { ProductContext } from '../context';

@Resolver(() => Product)
export class ProductResolver {
  @Query(() => Product, { nullable: true })
  product(@Arg('id', () => ID) id: string, @Ctx() ctx: ProductContext): Promise<Product | null> {
    return ctx.services.catalog.findProduct(ctx.em, id);
  }

  @Query(() => [Category])
  categories(@Ctx() ctx: ProductContext): Promise<Category[]> {
    return ctx.services.catalog.listCategories(ctx.em);
  }

  @FieldResolver(() => Int, { description: 'Live quantity for sale (stock minus unpaid reservations).' })
  available(@Root() product: Product, @Ctx() ctx: ProductContext): Promise<number> {
    return ctx.services.stock.available(product);
  }
}
