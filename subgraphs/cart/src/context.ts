import type { SubgraphContext } from '@flashsale/platform';
import type { CartServices } from './services';

export type CartContext = SubgraphContext<CartServices>;
