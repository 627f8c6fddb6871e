/**
 * Everything a subgraph process does at start-up, in one place: secrets, Redis, MySQL (create +
 * migrate), the federated schema, workers, and the HTTP server; and the reverse order on close.
 * A subgraph supplies its entities, migrations, resolvers and services, nothing else.
 */
import type { MikroORM, EntityManager } from '@mikro-orm/mysql';
import type { MigrationObject } from '@mikro-orm/core';
import type { Options } from '@mikro-orm/core';
import type Redis from 'ioredis';
import type { NonEmptyArray } from 'type-graphql';
import { Config, ServiceName } from './config';
import { Secrets, loadSecrets } from './secrets';
import type { Logger } from './logger';
import { createRedis } from './redis';
import { initOrm } from './orm';
import { buildFederatedSchema, ReferenceResolvers } from './federation';
import { BaseContext } from './context';
import { RunningServer, serveSubgraph } from './server';
import type { RouteHandler } from './http';
import { mysqlUnreachable, pingRedis } from './process';
import { isInfrastructureError } from './errors';
import { startStreamConsumer, type StreamConsumerOptions } from './stream-consumer';
import type { Worker } from './worker';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { startTracing } from './telemetry/tracing';

export interface SubgraphDeps {
  config: Config;
  secrets: Secrets;
  logger: Logger;
  orm: MikroORM;
  redis: Redis;
  /** Opens another Redis connection (blocking stream reads need their own); closed with the subgraph. */
  newRedis(opts?: { blocking?: boolean }): Redis;
}

export interface SubgraphContext<S> extends BaseContext {
  em: EntityManager;
  services: S;
}

export interface SubgraphService<S> extends RunningServer {
  deps: SubgraphDeps;
  services: S;
}

export interface SubgraphModule<S> {
  name: ServiceName;
  entities: Options['entities'];
  migrations: MigrationObject[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  resolvers: NonEmptyArray<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  orphanedTypes?: Function[];
  referenceResolvers?: ReferenceResolvers;
  needsSigningKey?: boolean;
  services(deps: SubgraphDeps): S | Promise<S>;
  /** Background workers (stream consumers, outbox relay, sweepers), stopped before pools close. */
  workers?(deps: SubgraphDeps, services: S): Worker[] | Promise<Worker[]>;
  /** Extra GET routes by path, outside admission control (for example the JWKS document). */
  routes?(deps: SubgraphDeps, services: S): Record<string, RouteHandler>;
}

export async function startSubgraphService<S>(mod: SubgraphModule<S>, config: Config, logger: Logger): Promise<SubgraphService<S>> {
  const secrets = loadSecrets(config, { needPrivateKey: mod.needsSigningKey });
  startTracing(mod.name); // a no-op unless OTEL_* asks for traces
  const extraRedis: Redis[] = [];
  const newRedis = (opts: { blocking?: boolean } = {}) => {
    const r = createRedis(config, opts);
    r.on('error', (err) => logger.debug({ err }, 'redis connection error'));
    extraRedis.push(r);
    return r;
  };
  const redis = newRedis();
  const closeRedis = () => Promise.all(extraRedis.map((r) => r.quit().catch(() => r.disconnect())));
  let orm: MikroORM;
  try {
    await pingRedis(config, redis);
    try {
      orm = await initOrm({ config, service: mod.name, entities: mod.entities, migrations: mod.migrations, logger });
    } catch (err) {
      throw isInfrastructureError(err) || (err as { code?: string }).code === 'ER_ACCESS_DENIED_ERROR' ? mysqlUnreachable(config, err) : err;
    }
  } catch (err) {
    await closeRedis();
    throw err;
  }

  const deps: SubgraphDeps = { config, secrets, logger, orm, redis, newRedis };
  try {
    const services = await mod.services(deps);
    const schema = await buildFederatedSchema({ resolvers: mod.resolvers, orphanedTypes: mod.orphanedTypes }, mod.referenceResolvers);
    const workers = (await mod.workers?.(deps, services)) ?? [];
    const server = await serveSubgraph<SubgraphContext<S>>(config, secrets.identitySecret, logger, {
      name: mod.name,
      schema,
      context: (base) => {
        // The entity manager is forked on first use: many requests (a sold-out answer, a Redis
        // read) never touch MySQL through it.
        let em: EntityManager | undefined;
        return Object.defineProperty({ ...base, services } as SubgraphContext<S>, 'em', {
          get: () => (em ??= orm.em.fork()),
          enumerable: true,
        });
      },
      health: {
        mysql: () => orm.em.getConnection().execute('select 1'),
        redis: () => redis.ping(),
      },
      routes: mod.routes?.(deps, services),
      replayCache: redis,
      close: async () => {
        await Promise.all(workers.map((w) => w.stop()));
        await orm.close(true);
        await closeRedis();
      },
    });
    return { ...server, deps, services };
  } catch (err) {
    await orm.close(true).catch(() => undefined);
    await closeRedis();
    throw err;
  }
}

/**
 * A subgraph's consumer of one event stream, set up the one way every subgraph does it: its own
 * blocking Redis connection, a consumer name unique to this process (replicas, and the tests'
 * in-process stacks, each read their share of the group), and the batching and dead-letter
 * settings of the configuration (EVENT_CONSUMER_LINGER_MS, EVENT_MAX_ATTEMPTS).
 */
export function startSubgraphConsumer<T extends { type: string }>(
  deps: SubgraphDeps,
  opts: Pick<StreamConsumerOptions<T>, 'contract' | 'group' | 'handleBatch'> & { worker: string },
): Worker {
  return startStreamConsumer({
    orm: deps.orm,
    redis: deps.newRedis({ blocking: true }),
    contract: opts.contract,
    group: opts.group,
    consumer: `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    logger: deps.logger.child({ worker: opts.worker }),
    handleBatch: opts.handleBatch,
    // After a batch, wait before reading again so that the events of that moment share one
    // transaction (an event arriving while the consumer idles is applied at once).
    lingerMs: deps.config.EVENT_CONSUMER_LINGER_MS,
    maxAttempts: deps.config.EVENT_MAX_ATTEMPTS,
  });
}
