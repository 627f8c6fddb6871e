/**
 * Creates an ADMIN account, or adds the ADMIN role to an existing account (keeping its password).
 *   npm run create-admin -- --email <e> --password <p> [--name <n>]
 * New ADMIN accounts need no emailed code: whoever runs this already controls the database.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { AppError, Config, ConfigError, createLogger, isInfrastructureError, loadConfigOrExit, mysqlUnreachable } from '@flashsale/platform';
import { openUserAccounts } from '../subgraphs/user/src/offline';

export async function createAdmin(config: Config, args: { email: string; password: string; name?: string }): Promise<{ userId: string; created: boolean }> {
  const users = await openUserAccounts(config, createLogger({ ...config, LOG_LEVEL: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL }, 'create-admin'));
  try {
    const { user, created } = await users.accounts.createOrPromoteAdmin(users.orm.em.fork(), args.email, args.password, args.name);
    return { userId: user.id, created };
  } finally {
    await users.close();
  }
}

async function main() {
  const { values } = parseArgs({ options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } } });
  if (!values.email || !values.password) {
    process.stderr.write('usage: npm run create-admin -- --email <email> --password <password> [--name <name>]\n');
    process.exit(2);
  }
  const config = loadConfigOrExit();
  try {
    const { userId, created } = await createAdmin(config, { email: values.email, password: values.password, name: values.name });
    process.stdout.write(created ? `created ADMIN ${values.email} (${userId})\n` : `${values.email} (${userId}) is now an ADMIN; its password was not changed\n`);
  } catch (err) {
    // Bad input, a weak password, bad configuration or no MySQL: say what, without a stack trace.
    if (err instanceof AppError || err instanceof ConfigError) process.stderr.write(`create-admin: ${err.message}\n`);
    else if (isInfrastructureError(err)) process.stderr.write(`${mysqlUnreachable(config, err).message}\n`);
    else throw err;
    process.exit(1);
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`create-admin failed: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
