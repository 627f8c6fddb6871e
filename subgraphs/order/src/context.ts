import type { SubgraphContext } from '@flashsale/platform';
import type { OrderServices } from './subgraph';

export type OrderContext = SubgraphContext<OrderServices>;
