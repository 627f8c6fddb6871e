/**
 * MIGRATE_ON_START=false (production on Kubernetes, where the migrate Job runs before the
 * rollout): a subgraph does not migrate at start-up but refuses to start while a migration is
 * pending, naming them and the command; `npm run db:migrate` (initOrm with migrate: true) applies
 * them, and the same start then succeeds. On the real MariaDB, in a database of its own.
 */
import 'reflect-metadata';
import { DependencyError, databaseName, dropDatabase, initOrm, loadConfig } from '@flashsale/platform';
import { cartSubgraph } from '@flashsale/cart-subgraph';
import { testEnv } from './support/stack';

const config = loadConfig({ ...testEnv().env, MIGRATE_ON_START: 'false' });
const cart = { config, service: 'cart' as const, entities: cartSubgraph.entities, migrations: cartSubgraph.migrations };
afterAll(() => dropDatabase(config.MYSQL_URL, databaseName(config, 'cart')));

it('refuses to start on a schema behind its code, then starts once `db:migrate` has run', async () => {
  expect(loadConfig({}).MIGRATE_ON_START).toBe(true); // the default migrates, as before
  expect(config.MIGRATE_ON_START).toBe(false);

  const refused = initOrm(cart);
  await expect(refused).rejects.toBeInstanceOf(DependencyError);
  await expect(refused).rejects.toThrow(
    new RegExp(`^${databaseName(config, 'cart')}: ${cart.migrations.length} migration\\(s\\) not applied \\(Migration\\d+.*MIGRATE_ON_START=false\\.\\nRun \`npm run db:migrate\` first`),
  );

  const migrated = await initOrm({ ...cart, migrate: true }); // what scripts/migrate.ts does
  await migrated.close(true);

  const started = await initOrm(cart);
  try {
    expect(await started.getMigrator().getPendingMigrations()).toEqual([]);
    expect((await started.getMigrator().getExecutedMigrations()).length).toBe(cart.migrations.length);
  } finally {
    await started.close(true);
  }
});
