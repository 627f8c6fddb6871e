import { Config, Logger, SubgraphModule, SubgraphService, startSubgraphService } from '@flashsale/platform';
import { User } from './entities/user.entity';
import { UserResolver } from './resolvers/user.resolver';
import { userReference } from './resolvers/user.reference';
import { UserService } from './services/user.service';
import { migrations } from './migrations';

export interface UserServices {
  users: UserService;
}

export const userEntities = [User];

export const userSubgraph: SubgraphModule<UserServices> = {
  name: 'user',
  entities: userEntities,
  migrations,
  resolvers: [UserResolver],
  referenceResolvers: { User: userReference },
  needsSigningKey: true,
  services: () => ({ users: new UserService() }),
};

export function startUserSubgraph(config: Config, logger: Logger): Promise<SubgraphService<UserServices>> {
  return startSubgraphService(userSubgraph, config, logger);
}
