/**
 * The stack in this process for scenarios that break no process of it (a private Redis or MariaDB
 * hangs and dies, a payment provider hangs): the launcher's in-process mode through the test
 * harness (test/support/stack.ts: the TypeScript sources, NODE_ENV=test, free ports, a prefix of
 * its own dropped at stop), with the same surface the scenarios use on a ChaosStack (gateway,
 * config and secrets for the Client, SQL per subgraph, the order subgraph's Redis, the audit's
 * sources), plus the services themselves. It starts in a few seconds where five child processes
 * take tens, which is what keeps the CI sizes of these scenarios fast.
 */
import type Redis from 'ioredis';
import type { Config, Secrets } from '@flashsale/platform';
import { LOAD_RATE_LIMITS } from '../../scripts/launcher';
import { startStack, Stack } from '../../test/support/stack';
import { AuditSources, inProcessAuditSources } from './audit';

export class InProcessScenarioStack {
  private constructor(readonly services: Stack) {}

  /** Starts the stack on `mysqlUrl` and `redisUrl` with the load-test rate limits and `env` on top. */
  static async start(mysqlUrl: string, redisUrl: string, env: Record<string, string> = {}): Promise<InProcessScenarioStack> {
    return new InProcessScenarioStack(await startStack({ MYSQL_URL: mysqlUrl, REDIS_URL: redisUrl, RATE_LIMITS: LOAD_RATE_LIMITS, ...env }));
  }

  get gatewayUrl(): string {
    return this.services.gatewayUrl;
  }

  get config(): Config {
    return this.services.config;
  }

  get secrets(): Secrets {
    return this.services.user.deps.secrets;
  }

  /** SQL in one subgraph's database. */
  sql<T>(service: 'order' | 'product', query: string, params: unknown[] = []): Promise<T[]> {
    return this.services[service].deps.orm.em.getConnection().execute<T[]>(query, params);
  }

  /** The order subgraph's Redis (with the run's prefix). */
  redis(): Redis {
    return this.services.order.deps.redis;
  }

  auditSources(): AuditSources {
    return inProcessAuditSources(this.services);
  }

  stop(): Promise<void> {
    return this.services.stop();
  }
}
