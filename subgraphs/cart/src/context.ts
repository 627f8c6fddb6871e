import type { SubgraphContext } from '@flashsale/platform';
import type { CartServices } from './subgraph';

export type CartContext = SubgraphContext<CartServices>;
