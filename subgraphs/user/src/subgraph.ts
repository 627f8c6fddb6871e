import { Config, Logger, SubgraphDeps, SubgraphModule, SubgraphService, publicJwks, sendJson, startSubgraphService } from '@flashsale/platform';
import { User } from './entities/user.entity';
import { UserResolver } from './resolvers/user.resolver';
import { AccountResolver } from './resolvers/account.resolver';
import { userReference } from './resolvers/user.reference';
import { AccountService } from './services/account.service';
import { SessionService } from './services/session.service';
import { VerificationService } from './services/verification.service';
import { PiiCipher } from './services/pii';
import { PasswordHasher } from './services/passwords';
import { assertMailConfigured, createMailer, Mailer } from './services/mailer';
import { migrations } from './migrations';

export interface UserServices {
  accounts: AccountService;
  sessions: SessionService;
  verification: VerificationService;
  pii: PiiCipher;
  passwords: PasswordHasher;
  mailer: Mailer;
}

export const userEntities = [User];

/** The services without the HTTP server: also used by scripts (create-admin, seed:buyers). */
export async function createUserServices(deps: Pick<SubgraphDeps, 'config' | 'secrets' | 'logger' | 'redis'>): Promise<UserServices> {
  const { config, secrets, logger, redis } = deps;
  const pii = PiiCipher.fromSecrets(secrets);
  const passwords = new PasswordHasher(config);
  const mailer = createMailer(config, logger);
  const verification = new VerificationService(redis, config, pii, mailer, logger);
  const accounts = new AccountService(pii, passwords, logger, verification);
  const sessions = new SessionService(config, secrets, redis, pii, passwords, accounts, logger);
  // Pay for the dummy hash now, not in the first unknown-email login (which would then be slower).
  await passwords.dummyHash();
  return { accounts, sessions, verification, pii, passwords, mailer };
}

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
