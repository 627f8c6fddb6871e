import type { SubgraphContext } from '@flashsale/platform';
import type { ProductServices } from './subgraph';

export type ProductContext = SubgraphContext<ProductServices>;
