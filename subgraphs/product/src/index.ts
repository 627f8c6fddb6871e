/** The product subgraph's public entry point: what scripts, the launcher and the tests may use. */
export * from './subgraph';
export { migrations as productMigrations } from './migrations';
export { Product } from './entities/product.entity';
export { Category } from './entities/category.entity';
export { CreateProductInput, UpdateProductInput } from './types/catalog.types';
