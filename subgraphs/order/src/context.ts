import type { SubgraphContext } from '@flashsale/platform';
import type { OrderServices } from './services';

export type OrderContext = SubgraphContext<OrderServices>;
