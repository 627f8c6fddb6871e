import { Config, Logger, SubgraphModule, SubgraphService, startSubgraphService } from '@flashsale/platform';
import { UserRef } from './entities/references';
import { CartItem } from './entities/cart-item.entity';
import { UserCartResolver } from './resolvers/cart.resolver';
import { CartService } from './services/cart.service';
import { migrations } from './migrations';

export interface CartServices {
  carts: CartService;
}

export const cartEntities = [CartItem];

export const cartSubgraph: SubgraphModule<CartServices> = {
  name: 'cart',
  entities: cartEntities,
  migrations,
  // User is only extended here (no query returns it), so it must be listed to be emitted.
  orphanedTypes: [UserRef],
  resolvers: [UserCartResolver],
  referenceResolvers: { User: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) } },
  services: () => ({ carts: new CartService() }),
};

export function startCartSubgraph(config: Config, logger: Logger): Promise<SubgraphService<CartServices>> {
  return startSubgraphService(cartSubgraph, config, logger);
}
