import type { SubgraphContext } from '@flashsale/platform';
import type { UserServices } from './subgraph';

export type UserContext = SubgraphContext<UserServices>;
