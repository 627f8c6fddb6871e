import type { SubgraphContext } from '@flashsale/platform';
import type { ProductServices } from './services';

export type ProductContext = SubgraphContext<ProductServices>;
