import { Arg, Ctx, ID, Int, Mutation, Resolver } from 'type-graphql';
import { requireRole } from '@flashsale/platform';
import type { ProductContext } from '../context';
import { CategoryPayload, CreateCategoryInput, CreateProductInput, ProductPayload, UpdateProductInput } from '../entities/catalog.types';

/** ADMIN-only catalog changes. Anyone else: FORBIDDEN (anonymous: UNAUTHENTICATED). */
@Resolver()
export class CatalogAdminResolver {
  @Mutation(() => CategoryPayload)
  createCategory(@Arg('input', () => CreateCategoryInput) input: CreateCategoryInput, @Ctx() ctx: ProductContext): Promise<CategoryPayload> {
    requireRole(ctx, 'ADMIN');
    return ctx.services.catalog.createCategory(ctx.em, input);
  }

  @Mutation(() => ProductPayload, { description: 'Creates a product and its Redis stock hash (available = stock).' })
  createProduct(@Arg('input', () => CreateProductInput) input: CreateProductInput, @Ctx() ctx: ProductContext): Promise<ProductPayload> {
    requireRole(ctx, 'ADMIN');
    return ctx.services.catalog.createProduct(ctx.em, input);
  }

  @Mutation(() => ProductPayload, { description: 'Changes given fields; a stock change moves `available` by the difference (refused below reserved units).' })
  updateProduct(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateProductInput) input: UpdateProductInput,
    @Ctx() ctx: ProductContext,
  ): Promise<ProductPayload> {
    requireRole(ctx, 'ADMIN');
    return ctx.services.catalog.updateProduct(ctx.em, id, input);
  }

  @Mutation(() => ProductPayload, {
    description: 'Sets the sale window, the units for sale and the per-customer limit (omitted closesAt / maxPerCustomer: none), and activates the product.',
  })
  scheduleSale(
    @Arg('productId', () => ID) productId: string,
    @Arg('opensAt', () => Date) opensAt: Date,
    @Arg('stock', () => Int) stock: number,
    @Ctx() ctx: ProductContext,
    @Arg('closesAt', () => Date, { nullable: true }) closesAt?: Date | null,
    @Arg('maxPerCustomer', () => Int, { nullable: true }) maxPerCustomer?: number | null,
  ): Promise<ProductPayload> {
    requireRole(ctx, 'ADMIN');
    return ctx.services.catalog.scheduleSale(ctx.em, productId, { opensAt, closesAt, stock, maxPerCustomer });
  }
}
