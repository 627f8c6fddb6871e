import type { EntityManager } from '@mikro-orm/mysql';
import { Product } from '../entities/product.entity';
import { Category } from '../entities/category.entity';

export class CatalogService {
  findProduct(em: EntityManager, id: string): Promise<Product | null> {
    return em.findOne(Product, { id }, { populate: ['category'] });
  }

  listCategories(em: EntityManager): Promise<Category[]> {
    return em.find(Category, {}, { orderBy: { name: 'asc' } });
  }
}
