import { MikroORM, Options, EntityManager } from '@mikro-orm/mysql';
import { Migrator } from '@mikro-orm/migrations';
import type { MigrationObject } from '@mikro-orm/core';
import { createConnection } from 'mysql2/promise';
import { Config, ServiceName, databaseName } from './config';
import type { Logger } from './logger';
import { DependencyError } from './process';

export type { EntityManager };

/** Creates the subgraph's database when it does not exist yet. */
export async function ensureDatabase(mysqlUrl: string, dbName: string): Promise<void> {
  const conn = await createConnection({ uri: mysqlUrl, connectTimeout: 3000 });
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await conn.end();
  }
}

export async function dropDatabase(mysqlUrl: string, dbName: string): Promise<void> {
  const conn = await createConnection({ uri: mysqlUrl, connectTimeout: 3000 });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
  } finally {
    await conn.end();
  }
}

export interface OrmOptions {
  config: Config;
  service: ServiceName;
  entities: Options['entities'];
  migrations: MigrationObject[];
  logger?: Logger;
  /** Apply pending migrations: by default as MIGRATE_ON_START says; `npm run db:migrate` always does. */
  migrate?: boolean;
}

/** The MikroORM settings every subgraph shares; `migrationsPath` is only used to create migrations. */
export function ormConfig(opts: OrmOptions, migrationsPath?: string): Options {
  const { config, service } = opts;
  return {
    clientUrl: config.MYSQL_URL,
    dbName: databaseName(config, service),
    entities: opts.entities,
    extensions: [Migrator],
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
    allowGlobalContext: false,
    forceUtcTimezone: true,
    timezone: '+00:00',
    pool: { min: 0, max: config.MYSQL_POOL_SIZE },
    driverOptions: { connection: { connectTimeout: 3000 }, ...(opts.logger && { log: knexLog(opts.logger) }) },
    debug: false,
    migrations: {
      tableName: 'mikro_orm_migrations',
      migrationsList: opts.migrations,
      path: migrationsPath,
      pathTs: migrationsPath,
      emit: 'ts',
      // MySQL commits DDL implicitly, so a migration cannot be rolled back as a transaction anyway.
      transactional: false,
      allOrNothing: false,
      snapshot: false,
      disableForeignKeys: false,
    },
    logger: (msg) => opts.logger?.debug({ orm: true }, msg),
  };
}

/**
 * Knex's own messages (a pooled connection MySQL closed, a deprecation) as structured log lines of
 * the process's logger. Left to knex they are bare `console.log` lines on stdout, which a log
 * pipeline reading JSON lines cannot parse.
 */
function knexLog(logger: Logger) {
  const db = { component: 'knex' };
  return {
    warn: (msg: unknown) => logger.warn(db, String(msg)),
    error: (msg: unknown) => logger.error(db, String(msg)),
    deprecate: (msg: unknown) => logger.warn(db, String(msg)),
    debug: (msg: unknown) => logger.debug({ ...db, detail: msg }, 'knex'),
  };
}

/**
 * Creates the database if missing, connects, and applies committed migrations; or, when asked not
 * to migrate (MIGRATE_ON_START=false), refuses with a DependencyError while any is pending, so a
 * process never runs against an older schema than its code.
 */
export async function initOrm(opts: OrmOptions): Promise<MikroORM> {
  const db = databaseName(opts.config, opts.service);
  await ensureDatabase(opts.config.MYSQL_URL, db);
  const orm = await MikroORM.init(ormConfig(opts));
  if (opts.migrate ?? opts.config.MIGRATE_ON_START) {
    await orm.getMigrator().up();
    return orm;
  }
  const pending = await orm.getMigrator().getPendingMigrations();
  if (pending.length) {
    await orm.close(true);
    throw new DependencyError(
      `${db}: ${pending.length} migration(s) not applied (${pending.map((m) => m.name).join(', ')}) and MIGRATE_ON_START=false.\n` +
        'Run `npm run db:migrate` first (on Kubernetes: the migrate Job, docs/SCALING.md).',
    );
  }
  return orm;
}
