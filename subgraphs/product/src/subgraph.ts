import { Config, Logger, SubgraphModule, SubgraphService, startSubgraphService } from '@flashsale/platform';
import { Product } from './entities/product.entity';
import { Category } from './entities/category.entity';
import { ProductResolver } from './resolvers/product.resolver';
import { productReference, categoryReference } from './resolvers/product.reference';
import { CatalogService } from './services/catalog.service';
import { StockService } from './services/stock.service';
import { migrations } from './migrations';

export interface ProductServices {
  catalog: CatalogService;
  stock: StockService;
}

export const productEntities = [Product, Category];

export const productSubgraph: SubgraphModule<ProductServices> = {
  name: 'product',
  entities: productEntities,
  migrations,
  resolvers: [ProductResolver],
  referenceResolvers: { Product: productReference, Category: categoryReference },
  services: ({ redis }) => ({ catalog: new CatalogService(), stock: new StockService(redis) }),
};

export function startProductSubgraph(config: Config, logger: Logger): Promise<SubgraphService<ProductServices>> {
  return startSubgraphService(productSubgraph, config, logger);
}
