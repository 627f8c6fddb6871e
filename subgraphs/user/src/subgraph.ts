import { Config, Logger, SubgraphModule, SubgraphService, publicJwks, sendJson, startSubgraphService } from '@flashsale/platform';
import { User } from './entities/user.entity';
import { UserResolver } from './resolvers/user.resolver';
import { AccountResolver } from './resolvers/account.resolver';
import { userReference } from './resolvers/user.reference';
import { createUserServices, UserServices } from './services';
import { assertMailConfigured } from './services/mailer';
import { migrations } from './migrations';

export { createUserServices };
export type { UserServices };

export const userEntities = [User];

export const userSubgraph: SubgraphModule<UserServices> = {
  name: 'user',
  entities: userEntities,
  migrations,
  resolvers: [UserResolver, AccountResolver],
  referenceResolvers: { User: userReference },
  needsSigningKey: true,
  services: (deps) => createUserServices(deps),
  workers: (_deps, services) => [{ kick() {}, stop: async () => services.mailer.close() }],
  routes(deps) {
    // The gateway (JWT_JWKS_URL) and other verifiers fetch the public signing key from here.
    const jwks = publicJwks(deps.secrets.jwtPublicKeyPem, deps.secrets.jwtKeyId);
    return {
      '/.well-known/jwks.json': async (_req, res) => sendJson(res, 200, await jwks, { 'cache-control': 'public, max-age=300' }),
    };
  },
};

export async function startUserSubgraph(config: Config, logger: Logger): Promise<SubgraphService<UserServices>> {
  // Checked before touching MySQL or Redis: production without SMTP_URL must not start at all.
  assertMailConfigured(config);
  return startSubgraphService(userSubgraph, config, logger);
}
