/** The cart subgraph's services, built once per process. */
import type { SubgraphDeps } from '@flashsale/platform';
import { CartService } from './cart.service';
import { ProductListings } from './product-listings';

export interface CartServices {
  carts: CartService;
}

export function createCartServices({ orm, redis, logger }: Pick<SubgraphDeps, 'orm' | 'redis' | 'logger'>): CartServices {
  return { carts: new CartService(orm, new ProductListings(redis), logger) };
}
