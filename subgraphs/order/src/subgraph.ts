import { Config, Logger, OutboxMessage, SubgraphModule, SubgraphService, startSubgraphService } from '@flashsale/platform';
import { UserRef } from './types/references';
import { Order } from './entities/order.entity';
import { OrderItem } from './entities/order-item.entity';
import { ScheduledJob } from './entities/scheduled-job.entity';
import { OrderResolver, UserOrdersResolver } from './resolvers/order.resolver';
import { SalesStatsResolver } from './resolvers/sales-stats.resolver';
import { orderReference } from './resolvers/order.reference';
import { createOrderServices, OrderServices } from './services';
import { startOrderWorkers } from './services/workers';
import { migrations } from './migrations';

export type { OrderServices };

export const orderEntities = [Order, OrderItem, ScheduledJob, OutboxMessage];

export const orderSubgraph: SubgraphModule<OrderServices> = {
  name: 'order',
  entities: orderEntities,
  migrations,
  // User is only extended here (no query returns it), so it must be listed to be emitted.
  orphanedTypes: [UserRef],
  resolvers: [OrderResolver, UserOrdersResolver, SalesStatsResolver],
  referenceResolvers: {
    User: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) },
    Order: { __resolveReference: orderReference },
  },
  services: (deps) => createOrderServices(deps),
  workers: (deps, services) => startOrderWorkers(deps, services),
};

export function startOrderSubgraph(config: Config, logger: Logger): Promise<SubgraphService<OrderServices>> {
  return startSubgraphService(orderSubgraph, config, logger);
}
