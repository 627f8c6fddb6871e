/**
 * The user database and account rules without the HTTP server or Redis, for command-line tools
 * (create-admin, seed:buyers): creates the database if needed and applies the migrations first.
 */
import type { MikroORM } from '@mikro-orm/mysql';
import { Config, Logger, Secrets, initOrm, loadSecrets } from '@flashsale/platform';
import { userEntities } from './subgraph';
import { migrations } from './migrations';
import { AccountService } from './services/account.service';
import { PiiCipher } from './services/pii';
import { PasswordHasher } from './services/passwords';

export interface OfflineUsers {
  orm: MikroORM;
  secrets: Secrets;
  accounts: AccountService;
  close(): Promise<void>;
}

export async function openUserAccounts(config: Config, logger: Logger): Promise<OfflineUsers> {
  const secrets = loadSecrets(config, { needPrivateKey: true });
  const orm = await initOrm({ config, service: 'user', entities: userEntities, migrations, logger });
  const accounts = new AccountService(PiiCipher.fromSecrets(secrets), new PasswordHasher(config), logger);
  return { orm, secrets, accounts, close: () => orm.close(true) };
}
