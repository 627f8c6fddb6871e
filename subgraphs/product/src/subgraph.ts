import { hostname } from 'node:os';
import {
  Config,
  Logger,
  ProcessedEvent,
  SubgraphModule,
  SubgraphService,
  eventStreams,
  startStreamConsumer,
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
    startStreamConsumer({
      orm: deps.orm,
      redis: deps.newRedis({ blocking: true }),
      contract: eventStreams.stock,
      group: STOCK_EVENTS_GROUP,
      consumer: `${hostname()}-${process.pid}`,
      logger: deps.logger,
      handleBatch: async (em, messages) => {
        await services.stockEvents.applyBatch(em, messages);
      },
      // After a batch, wait before reading again so more events share one transaction.
      lingerMs: deps.config.EVENT_CONSUMER_LINGER_MS,
      maxAttempts: deps.config.EVENT_MAX_ATTEMPTS,
    }),
  ],
};

export function startProductSubgraph(config: Config, logger: Logger): Promise<SubgraphService<ProductServices>> {
  return startSubgraphService(productSubgraph, config, logger);
}
