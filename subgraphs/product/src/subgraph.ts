import {
  Config,
  Logger,
  ProcessedEvent,
  SubgraphModule,
  SubgraphService,
  eventStreams,
  startSubgraphConsumer,
  startSubgraphService,
} from '@flashsale/platform';
import { Product } from './entities/product.entity';
import { Category } from './entities/category.entity';
import { ProductResolver, CategoryResolver } from './resolvers/product.resolver';
import { CatalogAdminResolver } from './resolvers/catalog-admin.resolver';
import { productReference, categoryReference } from './resolvers/product.reference';
import { createProductServices, ProductServices } from './services';
import { startListingRecovery } from './services/listing-recovery';
import { migrations } from './migrations';

export type { ProductServices };

export const productEntities = [Product, Category, ProcessedEvent];

/** Consumer group on the stock event stream; replicas share it, each event goes to one of them. */
export const STOCK_EVENTS_GROUP = 'product';

export const productSubgraph: SubgraphModule<ProductServices> = {
  name: 'product',
  entities: productEntities,
  migrations,
  resolvers: [ProductResolver, CategoryResolver, CatalogAdminResolver],
  referenceResolvers: { Product: productReference, Category: categoryReference },
  services: (deps) => createProductServices(deps),
  workers: (deps, services) => [
    startListingRecovery({ orm: deps.orm, redis: deps.redis, logger: deps.logger, stock: services.stock }),
    // Paid and returned units move product.stock, the truth.
    startSubgraphConsumer(deps, {
      contract: eventStreams.stock,
      group: STOCK_EVENTS_GROUP,
      worker: 'stock-events',
      handleBatch: async (em, messages) => {
        await services.stockEvents.applyBatch(em, messages);
      },
    }),
  ],
};

export function startProductSubgraph(config: Config, logger: Logger): Promise<SubgraphService<ProductServices>> {
  return startSubgraphService(productSubgraph, config, logger);
}
