/**
 * `npm run db:migrate [-- <user|product|cart|order> ...]`: creates each subgraph's database when
 * it is missing and applies its committed migrations (what every subgraph also does at start-up,
 * unless MIGRATE_ON_START=false: then this is the only way, e.g. the Kubernetes migrate Job).
 * `npm run db:reset [-- <service> ...]` (`--fresh`): drops each database first, then migrates, and
 * deletes this deployment's Redis keys (REDIS_PREFIX: stock hashes, event streams, rate-limit
 * counters), which describe the data just dropped; `--keep-redis` leaves them. Every database and
 * key is lost: with NODE_ENV=production it also needs `--yes`.
 * Reads the same variables as the processes (MYSQL_URL, DB_PREFIX, REDIS_URL, REDIS_PREFIX, and
 * `.env` in the working directory).
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import {
  SERVICES,
  ServiceName,
  SubgraphModule,
  createRedis,
  databaseName,
  deletePrefixedKeys,
  dropDatabase,
  initOrm,
  isInfrastructureError,
  loadConfigOrExit,
  mysqlUnreachable,
  pingRedis,
} from '@flashsale/platform';
import { userSubgraph } from '../subgraphs/user/src/subgraph';
import { productSubgraph } from '../subgraphs/product/src/subgraph';
import { cartSubgraph } from '../subgraphs/cart/src/subgraph';
import { orderSubgraph } from '../subgraphs/order/src/subgraph';

const MODULES: Record<ServiceName, SubgraphModule<unknown>> = {
  user: userSubgraph as SubgraphModule<unknown>,
  product: productSubgraph as SubgraphModule<unknown>,
  cart: cartSubgraph as SubgraphModule<unknown>,
  order: orderSubgraph as SubgraphModule<unknown>,
};

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { fresh: { type: 'boolean', default: false }, 'keep-redis': { type: 'boolean', default: false }, yes: { type: 'boolean', default: false } },
  });
  const unknown = positionals.filter((p) => !(SERVICES as readonly string[]).includes(p));
  if (unknown.length) throw new Error(`unknown subgraph(s): ${unknown.join(', ')} (expected ${SERVICES.join(', ')})`);
  const services = (positionals.length ? positionals : [...SERVICES]) as ServiceName[];
  const config = loadConfigOrExit();
  if (values.fresh && config.NODE_ENV === 'production' && !values.yes) {
    throw new Error('db:reset drops every database and Redis key of this deployment; with NODE_ENV=production add --yes');
  }
  for (const service of services) {
    const db = databaseName(config, service);
    try {
      if (values.fresh) {
        await dropDatabase(config.MYSQL_URL, db);
        console.log(`dropped ${db}`);
      }
      const orm = await initOrm({ config, service, entities: MODULES[service].entities, migrations: MODULES[service].migrations, migrate: true });
      const executed = await orm.getMigrator().getExecutedMigrations();
      await orm.close(true);
      console.log(`${db}: ${executed.length} migration(s) applied, up to date`);
    } catch (err) {
      throw isInfrastructureError(err) || (err as { code?: string }).code === 'ER_ACCESS_DENIED_ERROR' ? mysqlUnreachable(config, err) : err;
    }
  }
  if (values.fresh && !values['keep-redis']) {
    if (!config.REDIS_PREFIX) {
      console.log('REDIS_PREFIX is empty: Redis left as it is (delete its keys yourself if it serves only this deployment)');
      return;
    }
    const redis = createRedis(config, { lazyConnect: true, maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    try {
      await pingRedis(config, redis);
      console.log(`deleted ${await deletePrefixedKeys(redis, config.REDIS_PREFIX)} Redis key(s) under "${config.REDIS_PREFIX}"`);
    } finally {
      redis.disconnect();
    }
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error)?.message ?? err}\n`);
    process.exit(1);
  },
);
