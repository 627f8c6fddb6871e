/**
 * The system under test for `npm run chaos`: the four subgraphs and the gateway as child processes
 * of the compiled code (`node <service>/dist/main.js`, as `npm start` runs them), on ports
 * 6100-6104 by default, with databases `chaos_*` and Redis prefix `chaos:` on whatever servers the
 * scenario chose (usually private ones it may break). NODE_ENV=production with secrets generated
 * for the run; logs in chaos/out/logs/<run>/<process>.log. Any process can be killed (SIGKILL),
 * paused (SIGSTOP) and started again with the same or changed variables.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import Redis from 'ioredis';
import { createConnection, Connection } from 'mysql2/promise';
import { Config, SERVICES, Secrets, databaseName, deletePrefixedKeys, dropDatabase, loadConfig, loadSecrets } from '@flashsale/platform';
import { listening } from './servers';
import type { AuditSources } from './audit';

export const ROOT = resolve(__dirname, '../..');
export const OUT_DIR = resolve(ROOT, 'chaos/out');

export type ProcessName = 'user' | 'product' | 'cart' | 'order' | 'gateway';
const ALL: ProcessName[] = ['user', 'product', 'cart', 'order', 'gateway'];

export interface ChaosStackOptions {
  portBase: number;
  mysqlUrl: string;
  redisUrl: string;
  /** Variables for every process (on top of the stack's own). */
  env?: Record<string, string>;
  /** Variables for one process only. */
  envFor?: Partial<Record<ProcessName, Record<string, string>>>;
  log: (msg: string) => void;
}

/** Compiles the project (tsc -b, incremental), as `npm start` does. */
export function build(log: (msg: string) => void): void {
  log('building (tsc -b, incremental)…');
  const r = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('build failed');
}

export class ChaosStack {
  readonly config: Config;
  readonly secrets: Secrets;
  readonly logDir: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly children = new Map<ProcessName, ChildProcess>();
  private readonly extraEnv = new Map<ProcessName, Record<string, string>>();
  private redisClient?: Redis;
  private conns = new Map<string, Connection>();

  constructor(private readonly opts: ChaosStackOptions) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const p = opts.portBase;
    this.env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      GATEWAY_PORT: String(p),
      USER_PORT: String(p + 1),
      PRODUCT_PORT: String(p + 2),
      CART_PORT: String(p + 3),
      ORDER_PORT: String(p + 4),
      MYSQL_URL: opts.mysqlUrl,
      REDIS_URL: opts.redisUrl,
      DB_PREFIX: 'chaos',
      REDIS_PREFIX: 'chaos:',
      // Every buyer of a scenario shares 127.0.0.1; the per-user limits stay as shipped.
      RATE_LIMITS: 'placeOrder:user:20/10,placeOrder:ip:100000000/10,payOrder:user:20/10,logIn:ip:60/60,signUp:ip:30/60,requestEmailVerification:ip:20/60,refreshTokens:ip:120/60',
      JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      IDENTITY_SECRET: randomBytes(32).toString('base64url'),
      PII_KEYS: `chaos:${randomBytes(32).toString('base64')}`,
      BLIND_INDEX_KEY: randomBytes(32).toString('base64url'),
      // Production insists on a mail server; no scenario sends mail.
      SMTP_URL: 'smtp://127.0.0.1:2525',
      ...opts.env,
    };
    this.config = loadConfig(this.env);
    this.secrets = loadSecrets(this.config, { needPrivateKey: true });
    const runId = new Date().toISOString().replace(/[:.]/g, '-');
    this.logDir = resolve(OUT_DIR, 'logs', runId);
    mkdirSync(this.logDir, { recursive: true });
  }

  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.config.GATEWAY_PORT}/graphql`;
  }

  portOf(name: ProcessName): number {
    return { gateway: this.config.GATEWAY_PORT, user: this.config.USER_PORT, product: this.config.PRODUCT_PORT, cart: this.config.CART_PORT, order: this.config.ORDER_PORT }[name];
  }

  logFile(name: ProcessName): string {
    return resolve(this.logDir, `${name}.log`);
  }

  pid(name: ProcessName): number | undefined {
    return this.children.get(name)?.pid;
  }

  /** Drops what an earlier run left behind, then starts the subgraphs and the gateway. */
  async start(): Promise<void> {
    for (const name of ALL) {
      if (await listening(this.portOf(name))) throw new Error(`port ${this.portOf(name)} is in use; pass --port-base <p> to use p..p+4`);
    }
    await this.dropData();
    for (const [name, env] of Object.entries(this.opts.envFor ?? {})) this.extraEnv.set(name as ProcessName, env!);
    this.opts.log(`starting user, product, cart, order and the gateway on ports ${this.opts.portBase}-${this.opts.portBase + 4} (logs: ${this.logDir})`);
    await Promise.all(SERVICES.map((s) => this.launch(s)));
    await this.launch('gateway');
  }

  /** Starts one process (again), optionally with changed variables, and waits until healthy. */
  async launch(name: ProcessName, env?: Record<string, string>, timeoutMs = 90_000): Promise<number> {
    if (env) this.extraEnv.set(name, { ...this.extraEnv.get(name), ...env });
    const t0 = Date.now();
    const script = name === 'gateway' ? 'gateway/dist/main.js' : `subgraphs/${name}/dist/main.js`;
    const out = createWriteStream(this.logFile(name), { flags: 'a' });
    const child = spawn(process.execPath, ['--enable-source-maps', script], { cwd: ROOT, env: { ...this.env, ...this.extraEnv.get(name) }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    this.children.set(name, child);
    const health = `http://127.0.0.1:${this.portOf(name)}/health`;
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} while starting; see ${this.logFile(name)}`);
      try {
        if ((await fetch(health, { signal: AbortSignal.timeout(2000) })).ok) break;
      } catch {
        /* not yet */
      }
      if (Date.now() > until) throw new Error(`${name} was not healthy within ${timeoutMs / 1000}s; see ${this.logFile(name)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return Date.now() - t0;
  }

  /** SIGKILL: no shutdown hook runs, in-flight work is cut wherever it was. */
  async kill(name: ProcessName): Promise<void> {
    const child = this.children.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  pause(name: ProcessName): void {
    this.children.get(name)?.kill('SIGSTOP');
  }

  resume(name: ProcessName): void {
    this.children.get(name)?.kill('SIGCONT');
  }

  /** SIGTERM (graceful), SIGKILL after the grace period. */
  async halt(name: ProcessName): Promise<void> {
    const child = this.children.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), this.config.SHUTDOWN_GRACE_MS + 5000);
    await exited;
    clearTimeout(force);
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

  /** Drops the scenario's databases and keys (only the `chaos` ones). */
  async dropData(): Promise<void> {
    if (this.config.DB_PREFIX !== 'chaos' || this.config.REDIS_PREFIX !== 'chaos:') throw new Error('refusing to drop data that is not the chaos run’s own');
    for (const c of this.conns.values()) c.destroy();
    this.conns.clear();
    await Promise.all(SERVICES.map((s) => dropDatabase(this.config.MYSQL_URL, databaseName(this.config, s))));
    await deletePrefixedKeys(this.redis(), this.config.REDIS_PREFIX);
  }

  /** Stops every process, drops the data, closes our connections. */
  async stop(opts: { keepData?: boolean } = {}): Promise<void> {
    await this.halt('gateway');
    await Promise.all(SERVICES.map((s) => this.halt(s)));
    if (!opts.keepData) await this.dropData().catch((err) => this.opts.log(`could not drop the run's data: ${(err as Error).message}`));
    for (const c of this.conns.values()) c.destroy();
    this.redisClient?.disconnect();
  }
}
