import { batchedReference } from '@flashsale/platform';
import type { ProductContext } from '../context';
import { Product } from '../entities/product.entity';
import { Category } from '../entities/category.entity';

/**
 * `_entities` for Product and Category: one SQL query per batch each. The category loader is also
 * how `Product.category` and `Category.parent` resolve, so a page of products costs one category
 * query whatever its size.
 */
export const loadProduct = batchedReference<ProductContext, Product>(async (ids, ctx) => {
  const rows = await ctx.em.find(Product, { id: { $in: [...ids] } });
  return new Map(rows.map((p) => [p.id, p]));
});

export const loadCategory = batchedReference<ProductContext, Category>(async (ids, ctx) => {
  const rows = await ctx.em.find(Category, { id: { $in: [...ids] } });
  return new Map(rows.map((c) => [c.id, c]));
});

export const productReference = { __resolveReference: loadProduct };
export const categoryReference = { __resolveReference: loadCategory };

/** Live `available` of products in this request: one Redis round trip per batch. */
export const loadAvailable = batchedReference<ProductContext, number>(async (ids, ctx) => {
  const values = await ctx.services.stock.availableOf(ids);
  const out = new Map<string, number>();
  ids.forEach((id, i) => {
    const v = values[i];
    if (v != null) out.set(id, v);
  });
  return out;
});
