/** The product subgraph's services, built once per process. */
import type { SubgraphDeps } from '@flashsale/platform';
import { CatalogService } from './catalog.service';
import { StockService } from './stock.service';
import { StockEventsService } from './stock-events.service';

export interface ProductServices {
  catalog: CatalogService;
  stock: StockService;
  stockEvents: StockEventsService;
}

export function createProductServices({ redis, logger }: Pick<SubgraphDeps, 'redis' | 'logger'>): ProductServices {
  const stock = new StockService(redis, logger);
  return { catalog: new CatalogService(stock, redis, logger), stock, stockEvents: new StockEventsService(logger) };
}
