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
    startStreamConsumer({
      orm: deps.orm,
      redis: deps.newRedis({ blocking: true }),
      contract: eventStreams.order,
      group: CART_ORDER_EVENTS_GROUP,
      consumer: `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
      logger: deps.logger.child({ worker: 'order-events' }),
      handleBatch: (em, messages) => services.carts.applyOrderEvents(em, messages.map((m) => m.event)),
      // After a batch, wait EVENT_CONSUMER_LINGER_MS before reading again so that the events of
      // that moment share one transaction (a cart is updated at most this much later; an event
      // arriving while the consumer idles is applied at once).
      lingerMs: deps.config.EVENT_CONSUMER_LINGER_MS,
      maxAttempts: deps.config.EVENT_MAX_ATTEMPTS,
    }),
  ],
};

export function startCartSubgraph(config: Config, logger: Logger): Promise<SubgraphService<CartServices>> {
  return startSubgraphService(cartSubgraph, config, logger);
}
