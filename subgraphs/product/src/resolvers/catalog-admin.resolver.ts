import { Arg, Authorized, Ctx, ID, Int, Mutation, Resolver } from 'type-graphql';
import type { ProductContext } from '../context';
import { CategoryPayload, CreateCategoryInput, CreateProductInput, ProductPayload, UpdateProductInput } from '../types/catalog.types';

/** ADMIN-only catalog changes, declared by @Authorized('ADMIN'). Anyone else: FORBIDDEN (anonymous: UNAUTHENTICATED). */
@Resolver()
export class CatalogAdminResolver {
  @Authorized('ADMIN')
  @Mutation(() => CategoryPayload)
  createCategory(@Arg('input', () => CreateCategoryInput) input: CreateCategoryInput, @Ctx() ctx: ProductContext): Promise<CategoryPayload> {
    return ctx.services.catalog.createCategory(ctx.em, input);
  }

  @Authorized('ADMIN')
  @Mutation(() => ProductPayload, { description: 'Creates a product and its Redis stock hash (available = stock).' })
  createProduct(@Arg('input', () => CreateProductInput) input: CreateProductInput, @Ctx() ctx: ProductContext): Promise<ProductPayload> {
    return ctx.services.catalog.createProduct(ctx.em, input);
  }

  @Authorized('ADMIN')
  @Mutation(() => ProductPayload, { description: 'Changes given fields; a stock change moves `available` by the difference (refused below reserved units).' })
  updateProduct(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateProductInput) input: UpdateProductInput,
    @Ctx() ctx: ProductContext,
  ): Promise<ProductPayload> {
    return ctx.services.catalog.updateProduct(ctx.em, id, input);
  }

  @Authorized('ADMIN')
  @Mutation(() => ProductPayload, {
    description: 'Sets the sale window, the units for sale and the per-customer limit (omitted closesAt / maxPerCustomer: none), whether a waiting room fronts it, and activates the product.',
  })
  scheduleSale(
    @Arg('productId', () => ID) productId: string,
    @Arg('opensAt', () => Date) opensAt: Date,
    @Arg('stock', () => Int) stock: number,
    @Ctx() ctx: ProductContext,
    @Arg('closesAt', () => Date, { nullable: true }) closesAt?: Date | null,
    @Arg('maxPerCustomer', () => Int, { nullable: true }) maxPerCustomer?: number | null,
    @Arg('waitingRoom', () => Boolean, { nullable: true, description: 'Puts the sale behind a waiting room (default false): buyers take a number and order when served.' })
    waitingRoom?: boolean | null,
  ): Promise<ProductPayload> {
    return ctx.services.catalog.scheduleSale(ctx.em, productId, { opensAt, closesAt, stock, maxPerCustomer, waitingRoom });
  }
}
