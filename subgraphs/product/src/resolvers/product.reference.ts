import { batchedReference } from '@flashsale/platform';
import type { ProductContext } from '../context';
import { Product } from '../entities/product.entity';
import { Category } from '../entities/category.entity';

/** `_entities` for Product and Category: one SQL query per batch each. */
export const productReference = {
  __resolveReference: batchedReference<ProductContext, Product>(async (ids, ctx) => {
    const rows = await ctx.em.find(Product, { id: { $in: [...ids] } });
    return new Map(rows.map((p) => [p.id, p]));
  }),
};

export const categoryReference = {
  __resolveReference: batchedReference<ProductContext, Category>(async (ids, ctx) => {
    const rows = await ctx.em.find(Category, { id: { $in: [...ids] } });
    return new Map(rows.map((c) => [c.id, c]));
  }),
};
