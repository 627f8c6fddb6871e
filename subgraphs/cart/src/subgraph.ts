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
import { UserRef } from './types/references';
import { CartItem } from './entities/cart-item.entity';
import { CartOwner } from './entities/cart-owner.entity';
import { CartMutationResolver, UserCartResolver } from './resolvers/cart.resolver';
import { CartServices, createCartServices } from './services';
import { migrations } from './migrations';

export type { CartServices };

export const cartEntities = [CartOwner, CartItem, ProcessedEvent];

/** Consumer group on the order stream; every cart replica joins it, so each event goes to one. */
export const CART_ORDER_EVENTS_GROUP = 'cart';

export const cartSubgraph: SubgraphModule<CartServices> = {
  name: 'cart',
  entities: cartEntities,
  migrations,
  // User is only extended here (no query returns it), so it must be listed to be emitted.
  orphanedTypes: [UserRef],
  resolvers: [UserCartResolver, CartMutationResolver],
  referenceResolvers: { User: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) } },
  services: (deps) => createCartServices(deps),
  workers: (deps, services) => [
    // Placed orders take their lines out of the buyer's cart.
    startSubgraphConsumer(deps, {
      contract: eventStreams.order,
      group: CART_ORDER_EVENTS_GROUP,
      worker: 'order-events',
      handleBatch: (em, messages) => services.carts.applyOrderEvents(em, messages.map((m) => m.event)),
    }),
  ],
};

export function startCartSubgraph(config: Config, logger: Logger): Promise<SubgraphService<CartServices>> {
  return startSubgraphService(cartSubgraph, config, logger);
}
