/** The product subgraph's services, built once per process. */
import { SubgraphDeps, WaitingLine, lineSettingsOf } from '@flashsale/platform';
import { LineReader } from './line-reader';
import { CatalogService } from './catalog.service';
import { StockService } from './stock.service';
import { StockEventsService } from './stock-events.service';

export interface ProductServices {
  catalog: CatalogService;
  stock: StockService;
  stockEvents: StockEventsService;
  lines: LineReader;
}

export function createProductServices({ redis, logger, config }: Pick<SubgraphDeps, 'redis' | 'logger' | 'config'>): ProductServices {
  const stock = new StockService(redis, logger);
  const lines = new LineReader(new WaitingLine(redis, lineSettingsOf(config)), config.WAITING_ROOM_REFRESH_MS);
  return { catalog: new CatalogService(stock, redis, logger), stock, stockEvents: new StockEventsService(logger), lines };
}
