/**
 * Creates verified CUSTOMER accounts in bulk for load tests and writes their access tokens.
 *   npm run seed:buyers -- --count <n> --out <file> [--password <p>] [--ttl <seconds>] [--domain <d>]
 * Writes a JSON array of { userId, email, accessToken }; tokens live --ttl seconds (default 2 h).
 *
 * Every seeded buyer shares one password (default "LoadTest-Buyer-2026", or --password), hashed
 * once with argon2id: hashing thousands of distinct passwords would take minutes and test nothing
 * a load test needs. Rows go in with one multi-row INSERT per 1,000; no mail is sent. Emails are
 * buyer-<batch>-<n>@<domain>, with a fresh batch id per run so runs never collide.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { Config, createLogger, loadConfigOrExit, makeSigner, signAccessToken } from '@flashsale/platform';
import { openUserAccounts } from '../subgraphs/user/src/offline';

export const DEFAULT_BUYER_PASSWORD = 'LoadTest-Buyer-2026';

export interface SeededBuyer {
  userId: string;
  email: string;
  accessToken: string;
}

export async function seedBuyers(
  config: Config,
  opts: { count: number; password?: string; ttlSeconds?: number; domain?: string },
): Promise<SeededBuyer[]> {
  const logger = createLogger({ ...config, LOG_LEVEL: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL }, 'seed-buyers');
  const users = await openUserAccounts(config, logger);
  try {
    const batch = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
    const emails = Array.from({ length: opts.count }, (_, i) => `buyer-${batch}-${i + 1}@${opts.domain ?? 'loadtest.flashsale.test'}`);
    const created = await users.accounts.seedCustomers(users.orm.em.fork(), emails, opts.password ?? DEFAULT_BUYER_PASSWORD);
    const signer = makeSigner(
      users.secrets.jwtPrivateKeyPem!,
      users.secrets.jwtKeyId,
      { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
      opts.ttlSeconds ?? 7200,
    );
    return Promise.all(
      created.map(async ({ id, email }) => ({ userId: id, email, accessToken: (await signAccessToken(signer, { userId: id, roles: ['CUSTOMER'] })).token })),
    );
  } finally {
    await users.close();
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      count: { type: 'string' },
      out: { type: 'string' },
      password: { type: 'string' },
      ttl: { type: 'string' },
      domain: { type: 'string' },
    },
  });
  const count = Number(values.count);
  const ttl = values.ttl === undefined ? 7200 : Number(values.ttl);
  if (!Number.isInteger(count) || count < 1 || count > 1_000_000 || !values.out || !Number.isInteger(ttl) || ttl < 3600) {
    process.stderr.write('usage: npm run seed:buyers -- --count <1..1000000> --out <file.json> [--password <p>] [--ttl <seconds >= 3600>] [--domain <d>]\n');
    process.exit(2);
  }
  const config = loadConfigOrExit();
  const started = Date.now();
  const buyers = await seedBuyers(config, { count, password: values.password, ttlSeconds: ttl, domain: values.domain });
  writeFileSync(values.out, JSON.stringify(buyers));
  process.stdout.write(
    `seeded ${buyers.length} buyers in ${((Date.now() - started) / 1000).toFixed(1)}s -> ${values.out} ` +
      `(shared password: ${values.password ? '<from --password>' : DEFAULT_BUYER_PASSWORD}; tokens valid ${ttl}s)\n`,
  );
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`seed:buyers failed: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
