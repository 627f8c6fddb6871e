/**
 * The harness for tests of the platform's stream consumers against the real MariaDB and Redis: a
 * database of its own holding `processed_event` plus the tables the test's handler writes, a Redis
 * key prefix of its own, consumers started on blocking clients of their own and stopped after each
 * test, and the reads those tests assert with. Registers its jest hooks when called.
 */
import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/mysql';
import type Redis from 'ioredis';
import {
  Config,
  Logger,
  ProcessedEvent,
  StreamConsumerOptions,
  Worker,
  createLogger,
  createRedis,
  deletePrefixedKeys,
  dropDatabase,
  ensureDatabase,
  loadConfig,
  ormConfig,
  startStreamConsumer,
} from '@flashsale/platform';

/** The consumer group every harness consumer joins. */
export const GROUP = 'g';

export interface EventHarness {
  config: Config;
  logger: Logger;
  readonly orm: MikroORM;
  /** A plain client with the run's prefix (publishing, inspecting). */
  readonly redis: Redis;
  /** Stopped after the test. */
  workers: Worker[];
  /** A consumer in GROUP on a blocking client of its own, stopped after the test. */
  consume<T extends { type: string }>(opts: Omit<StreamConsumerOptions<T>, 'orm' | 'redis' | 'logger' | 'group'>): void;
  /** How many times the handler applied each id (table `applied`). */
  times(ids: string[]): Promise<Record<string, number>>;
  /** How many of the ids are recorded as processed. */
  processed(ids: string[]): Promise<number>;
  /** Entries of the stream read by GROUP but not acknowledged. */
  pending(stream: string): Promise<number>;
}

export function eventHarness(opts: { name: string; dbSuffix: string; tables: string[] }): EventHarness {
  const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const config = loadConfig({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', MYSQL_URL: process.env.MYSQL_URL, REDIS_URL: process.env.REDIS_URL, DB_PREFIX: `t_${run}`, REDIS_PREFIX: `t:${run}:` });
  const logger = createLogger(config, opts.name);
  const dbName = `t_${run}_${opts.dbSuffix}`;
  let orm: MikroORM;
  let redis: Redis;
  const workers: Worker[] = [];
  const blockingClients: Redis[] = [];
  const inList = (ids: string[]) => ids.map(() => '?').join(',');

  beforeAll(async () => {
    await ensureDatabase(config.MYSQL_URL, dbName);
    orm = await MikroORM.init({ ...ormConfig({ config, service: 'cart', entities: [ProcessedEvent], migrations: [] }), dbName });
    const conn = orm.em.getConnection();
    await conn.execute('create table processed_event (event_id varchar(36) not null, stream varchar(64) not null, processed_at datetime(3) not null, primary key (event_id)) engine = InnoDB');
    for (const ddl of opts.tables) await conn.execute(ddl);
    redis = createRedis(config);
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    for (const c of blockingClients.splice(0)) c.disconnect();
  });

  afterAll(async () => {
    await orm?.close();
    await dropDatabase(config.MYSQL_URL, dbName);
    await deletePrefixedKeys(redis, config.REDIS_PREFIX);
    redis.disconnect();
  });

  return {
    config,
    logger,
    get orm() {
      return orm;
    },
    get redis() {
      return redis;
    },
    workers,
    consume(consumerOpts) {
      const client = createRedis(config, { blocking: true });
      blockingClients.push(client);
      workers.push(startStreamConsumer({ ...consumerOpts, orm, redis: client, logger, group: GROUP }));
    },
    async times(ids) {
      const rows = await orm.em.getConnection().execute<Array<{ event_id: string; times: number }>>(`select event_id, times from applied where event_id in (${inList(ids)})`, ids);
      return Object.fromEntries(ids.map((id) => [id, Number(rows.find((r) => r.event_id === id)?.times ?? 0)]));
    },
    async processed(ids) {
      const rows = await orm.em.getConnection().execute<Array<{ n: number }>>(`select count(*) as n from processed_event where event_id in (${inList(ids)})`, ids);
      return Number(rows[0].n);
    },
    async pending(stream) {
      const [count] = (await redis.xpending(stream, GROUP)) as [number];
      return Number(count);
    },
  };
}

/** Waits until `check` holds, polling every 25 ms; fails naming `what` after `timeoutMs`. */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
