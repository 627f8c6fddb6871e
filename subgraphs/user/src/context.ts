import type { SubgraphContext } from '@flashsale/platform';
import type { UserServices } from './services';

export type UserContext = SubgraphContext<UserServices>;
