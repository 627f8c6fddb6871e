/** The user subgraph's services, built once per process; also used by scripts (create-admin, seed:buyers). */
import type { SubgraphDeps } from '@flashsale/platform';
import { AccountService } from './account.service';
import { SessionService } from './session.service';
import { VerificationService } from './verification.service';
import { PiiCipher } from './pii';
import { PasswordHasher } from './passwords';
import { createMailer, Mailer } from './mailer';

export interface UserServices {
  accounts: AccountService;
  sessions: SessionService;
  verification: VerificationService;
  pii: PiiCipher;
  passwords: PasswordHasher;
  mailer: Mailer;
}

/** The services without the HTTP server. */
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
