/**
 * The system under test for `npm run chaos`: the four subgraphs and the gateway started by the one
 * launcher (scripts/launcher) from the compiled code, as `npm start` runs them, on ports
 * 6100-6104 by default (HAProxy's, with the replicas on ports of their own, when the topology is
 * replicated), with databases `chaos_*` and Redis prefix `chaos:` on whatever servers the scenario
 * chose (usually private ones it may break). NODE_ENV=production with secrets generated for the
 * run; logs in chaos/out/logs/<run>/<process>-<replica>.log. Any replica can be killed (SIGKILL),
 * paused (SIGSTOP) and started again with the same or changed variables.
 */
import { resolve } from 'node:path';
import Redis from 'ioredis';
import { createConnection, Connection } from 'mysql2/promise';
import { Config, Secrets, databaseName, loadConfig, loadSecrets } from '@flashsale/platform';
import { Code, LOAD_RATE_LIMITS, Launched, ProcessName, ROOT, SINGLE, Topology, build as buildStack, dropStackData, generatedSecretsEnv, launch } from '../../scripts/launcher';
import type { AuditSources } from './audit';

export { ROOT };
export type { ProcessName };
export const OUT_DIR = resolve(ROOT, 'chaos/out');

export interface ChaosStackOptions {
  /** Public ports portBase..portBase+4; 0: free ports picked at start (tests). */
  portBase: number;
  mysqlUrl: string;
  redisUrl: string;
  /** Replicas per process, balancer (single by default). */
  topology?: Topology;
  /** Compiled code (default, as deployed) or the TypeScript sources (tests, which run without a build). */
  code?: Code;
  /** Databases `<prefix>_*` and Redis prefix `<prefix>:` (default `chaos`; tests use a unique one). */
  prefix?: string;
  /** Variables for every process (on top of the stack's own). */
  env?: Record<string, string>;
  /** Variables for one process only. */
  envFor?: Partial<Record<ProcessName, Record<string, string>>>;
  log: (msg: string) => void;
}

/** Compiles the project (tsc -b, incremental), as `npm start` does. */
export const build = buildStack;

export class ChaosStack {
  readonly config: Config;
  readonly secrets: Secrets;
  readonly logDir: string;
  private readonly env: NodeJS.ProcessEnv;
  private launched?: Launched;
  private redisClient?: Redis;
  private conns = new Map<string, Connection>();
  private readonly prefixes: { dbPrefix: string; redisPrefix: string };

  constructor(private readonly opts: ChaosStackOptions) {
    const p = opts.portBase;
    const port = (offset: number) => String(p === 0 ? 0 : p + offset);
    this.prefixes = { dbPrefix: opts.prefix ?? 'chaos', redisPrefix: `${opts.prefix ?? 'chaos'}:` };
    this.env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      GATEWAY_PORT: port(0),
      USER_PORT: port(1),
      PRODUCT_PORT: port(2),
      CART_PORT: port(3),
      ORDER_PORT: port(4),
      MYSQL_URL: opts.mysqlUrl,
      REDIS_URL: opts.redisUrl,
      DB_PREFIX: this.prefixes.dbPrefix,
      REDIS_PREFIX: this.prefixes.redisPrefix,
      RATE_LIMITS: LOAD_RATE_LIMITS,
      ...generatedSecretsEnv('chaos'),
      // Production insists on a mail server; no scenario sends mail.
      SMTP_URL: 'smtp://127.0.0.1:2525',
      ...opts.env,
    };
    this.config = loadConfig(this.env);
    this.secrets = loadSecrets(this.config, { needPrivateKey: true });
    const runId = new Date().toISOString().replace(/[:.]/g, '-');
    this.logDir = resolve(OUT_DIR, 'logs', runId);
  }

  get gatewayUrl(): string {
    return this.launched?.gatewayUrl ?? `http://127.0.0.1:${this.config.GATEWAY_PORT}/graphql`;
  }

  /** The launched stack (replicas, balancer), once started. */
  get stack(): Launched {
    if (!this.launched) throw new Error('the chaos stack is not started');
    return this.launched;
  }


  logFile(name: ProcessName, replica = 0): string {
    return resolve(this.logDir, `${name}-${replica + 1}.log`);
  }

  pid(name: ProcessName, replica = 0): number | undefined {
    return this.launched?.replicas(name)[replica]?.pid;
  }

  /** Drops what an earlier run left behind, then starts the subgraphs and the gateway. */
  async start(): Promise<void> {
    this.launched = await launch({
      topology: this.opts.topology ?? SINGLE,
      env: this.env,
      envFor: this.opts.envFor,
      code: this.opts.code,
      logDir: this.logDir,
      log: this.opts.log,
      portHint: 'pass --port-base <p> to use p..p+4',
      prepare: () => this.dropData(),
    });
  }

  /** Starts one replica (again), optionally with changed variables, and waits until healthy; the ms it took. */
  launch(name: ProcessName, env?: Record<string, string>, timeoutMs = 90_000, replica = 0): Promise<number> {
    return this.stack.replica(name, replica).start(env, timeoutMs);
  }

  /** SIGKILL: no shutdown hook runs, in-flight work is cut wherever it was. */
  async kill(name: ProcessName, replica = 0): Promise<void> {
    await this.launched?.replicas(name)[replica]?.kill('SIGKILL');
  }

  pause(name: ProcessName, replica = 0): void {
    this.launched?.replicas(name)[replica]?.pause();
  }

  resume(name: ProcessName, replica = 0): void {
    this.launched?.replicas(name)[replica]?.resume();
  }

  /** SIGTERM (graceful), SIGKILL after the grace period. */
  async halt(name: ProcessName, replica = 0): Promise<void> {
    await this.launched?.replicas(name)[replica]?.halt(this.config.SHUTDOWN_GRACE_MS + 5000);
  }

  /** The stack's Redis with its prefix (for audits and for reading reservations). */
  redis(): Redis {
    if (!this.redisClient) {
      this.redisClient = new Redis(this.config.REDIS_URL, { keyPrefix: this.config.REDIS_PREFIX, maxRetriesPerRequest: 1, commandTimeout: 5000 });
      this.redisClient.on('error', () => undefined);
    }
    return this.redisClient;
  }

  /** SQL in one subgraph's database on a connection of our own (reopened after a MySQL restart). */
  async sql<T>(service: 'order' | 'product', query: string, params: unknown[] = []): Promise<T[]> {
    let conn = this.conns.get(service);
    if (!conn) {
      conn = await createConnection({ uri: this.config.MYSQL_URL, database: databaseName(this.config, service), connectTimeout: 3000 });
      conn.on('error', () => this.conns.delete(service));
      this.conns.set(service, conn);
    }
    try {
      const [rows] = await conn.query(query, params);
      return rows as T[];
    } catch (err) {
      this.conns.delete(service);
      conn.destroy();
      throw err;
    }
  }

  auditSources(): AuditSources {
    return {
      orders: (q, p) => this.sql('order', q, p),
      products: (q, p) => this.sql('product', q, p),
      redis: this.redis(),
    };
  }

  /** Drops the scenario's databases and keys (only its own prefixes'). */
  async dropData(): Promise<void> {
    for (const c of this.conns.values()) c.destroy();
    this.conns.clear();
    await dropStackData(this.config, this.prefixes);
  }

  /** Stops every process, drops the data, closes our connections. */
  async stop(opts: { keepData?: boolean } = {}): Promise<void> {
    await this.launched?.stop();
    if (!opts.keepData) await this.dropData().catch((err) => this.opts.log(`could not drop the run's data: ${(err as Error).message}`));
    for (const c of this.conns.values()) c.destroy();
    this.redisClient?.disconnect();
  }
}
