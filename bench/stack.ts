/**
 * The system under test. By default the bench builds the project and starts its own stack from
 * the compiled code (`node <service>/dist/main.js`, as `npm start` does) as five child processes
 * on their own ports (5000-5004), with their own databases (`bench5000_*`) and Redis prefix
 * (`bench5000:`, after the first port), NODE_ENV=production (what a deployment runs), LOG_LEVEL=warn, and the per-address
 * placeOrder limit raised so one load generator on one address is not throttled. Whatever a
 * previous run left behind is dropped first, and everything is dropped again at the end.
 * With `reuse`, it drives the stack described by the current environment instead (the same
 * variables `npm start` reads) and never restarts or drops anything of it.
 */
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import Redis from 'ioredis';
import { Config, SERVICES, Secrets, databaseName, deletePrefixedKeys, dropDatabase, loadConfig, loadSecrets, serviceUrl } from '@flashsale/platform';

export const ROOT = resolve(__dirname, '..');
export const OUT_DIR = resolve(ROOT, 'bench/out');

/**
 * Databases `bench<port>_*` and Redis prefix `bench<port>:`, from the stack's first port: benches
 * started on different `--port-base` (other worktrees, A/B runs) never drop each other's data.
 */
const benchDbPrefix = (portBase: number) => `bench${portBase}`;
const benchRedisPrefix = (portBase: number) => `bench${portBase}:`;
/** The defaults with placeOrder per address raised: every buyer of the bench shares 127.0.0.1. */
const BENCH_RATE_LIMITS =
  'placeOrder:user:20/10,placeOrder:ip:100000000/10,payOrder:user:20/10,logIn:ip:60/60,signUp:ip:30/60,requestEmailVerification:ip:20/60,refreshTokens:ip:120/60';

export const PROCESSES = ['gateway', 'user', 'product', 'cart', 'order'] as const;
export type ProcessName = (typeof PROCESSES)[number];

export interface StackOptions {
  reuse: boolean;
  portBase: number;
  build: boolean;
  /** Processes started with `node --cpu-prof` (profiles land in bench/out/profiles/). */
  profile: ProcessName[];
  log: (msg: string) => void;
}

export interface BenchStack {
  reused: boolean;
  config: Config;
  secrets: Secrets;
  gatewayUrl: string;
  orderUrl: string;
  productUrl: string;
  profileDir?: string;
  /** Pids of the stack's processes (own stack only; a reused stack's are unknown). */
  pids(): Partial<Record<ProcessName, number>>;
  /** Restarts the order subgraph with these variables changed (own stack only). */
  restartOrder(env: Record<string, string>): Promise<void>;
  /** Stops the processes and drops the databases and keys (own stack); nothing when reused. */
  stop(): Promise<void>;
}

function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
  });
}

async function waitHealthy(name: string, url: string, child: ChildProcess, logFile: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} during start-up; see ${logFile}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} was not healthy at ${url} within ${timeoutMs / 1000}s; see ${logFile}`);
}

/** Drops the bench's databases and Redis keys (a crashed earlier run may have left them). */
export async function dropBenchData(config: Config): Promise<void> {
  if (config.DB_PREFIX !== benchDbPrefix(config.GATEWAY_PORT) || config.REDIS_PREFIX !== benchRedisPrefix(config.GATEWAY_PORT)) throw new Error('refusing to drop data that is not the bench’s own');
  await Promise.all(SERVICES.map((s) => dropDatabase(config.MYSQL_URL, databaseName(config, s))));
  // deletePrefixedKeys DELs through the client's keyPrefix, so the client must carry it.
  const redis = new Redis(config.REDIS_URL, { keyPrefix: config.REDIS_PREFIX, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await deletePrefixedKeys(redis, config.REDIS_PREFIX);
  } finally {
    redis.disconnect();
  }
}

function reusedStack(): BenchStack {
  const config = loadConfig(process.env);
  const secrets = loadSecrets(config, { needPrivateKey: true });
  return {
    reused: true,
    config,
    secrets,
    gatewayUrl: `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.GATEWAY_PORT}/graphql`,
    orderUrl: serviceUrl(config, 'order'),
    productUrl: serviceUrl(config, 'product'),
    pids: () => ({}),
    restartOrder: async () => {
      throw new Error('cannot restart the order subgraph of a reused stack');
    },
    stop: async () => undefined,
  };
}

export async function startBenchStack(opts: StackOptions): Promise<BenchStack> {
  if (opts.reuse) return reusedStack();

  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    GATEWAY_PORT: String(opts.portBase),
    USER_PORT: String(opts.portBase + 1),
    PRODUCT_PORT: String(opts.portBase + 2),
    CART_PORT: String(opts.portBase + 3),
    ORDER_PORT: String(opts.portBase + 4),
    DB_PREFIX: benchDbPrefix(opts.portBase),
    REDIS_PREFIX: benchRedisPrefix(opts.portBase),
    RATE_LIMITS: BENCH_RATE_LIMITS,
    // ORDER_LOCK_SCOPE is not set: the main figure measures the order subgraph's default scope (or
    // the caller's ORDER_LOCK_SCOPE); variant (a) restarts the order subgraph with `product`.
    SUPERGRAPH_SOURCE: 'file',
    // Production refuses to start without secrets; a run makes its own, kept in memory only.
    JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    IDENTITY_SECRET: randomBytes(32).toString('base64url'),
    PII_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    BLIND_INDEX_KEY: randomBytes(32).toString('base64url'),
    // Production insists on a mail server; the bench sends no mail (buyers are seeded, not signed up).
    SMTP_URL: process.env.SMTP_URL || 'smtp://127.0.0.1:2525',
  };
  // Subgraph URLs follow the ports above; keys follow the private key above.
  for (const name of ['USER_URL', 'PRODUCT_URL', 'CART_URL', 'ORDER_URL', 'JWT_PUBLIC_KEY', 'JWT_KEY_ID', 'JWT_JWKS_URL', 'SUPERGRAPH_PATH']) delete env[name];
  const config = loadConfig(env);
  const secrets = loadSecrets(config, { needPrivateKey: true });

  if (opts.build) {
    opts.log('building (tsc -b, incremental)…');
    const r = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('build failed');
  }
  for (let port = opts.portBase; port <= opts.portBase + 4; port++) {
    if (await portInUse(config.HOST, port)) throw new Error(`port ${port} is in use; pass --port-base <p> to use p..p+4`);
  }
  await dropBenchData(config);

  const runId = new Date().toISOString().replace(/[:.]/g, '-');
  const logDir = resolve(OUT_DIR, 'logs', runId);
  mkdirSync(logDir, { recursive: true });
  const profileDir = opts.profile.length ? resolve(OUT_DIR, 'profiles', runId) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });

  const children = new Map<ProcessName, ChildProcess>();
  const script = (name: ProcessName) => (name === 'gateway' ? 'gateway/dist/main.js' : `subgraphs/${name}/dist/main.js`);
  const ports: Record<ProcessName, number> = {
    gateway: config.GATEWAY_PORT,
    user: config.USER_PORT,
    product: config.PRODUCT_PORT,
    cart: config.CART_PORT,
    order: config.ORDER_PORT,
  };
  const healthUrl = (name: ProcessName) => `http://${config.HOST}:${ports[name]}/health`;
  const logFile = (name: ProcessName) => resolve(logDir, `${name}.log`);

  const launch = async (name: ProcessName, extraEnv: Record<string, string> = {}) => {
    const flags = profileDir && opts.profile.includes(name) ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`] : [];
    const out = createWriteStream(logFile(name), { flags: 'a' });
    const child = spawn(process.execPath, [...flags, '--enable-source-maps', script(name)], { cwd: ROOT, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    children.set(name, child);
    await waitHealthy(name, healthUrl(name), child, logFile(name));
  };
  const halt = async (name: ProcessName) => {
    const child = children.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), config.SHUTDOWN_GRACE_MS + 5000);
    await exited;
    clearTimeout(force);
  };

  const stop = async () => {
    await halt('gateway');
    await Promise.all(SERVICES.map(halt));
    await dropBenchData(config);
  };

  try {
    opts.log(`starting user, product, cart, order subgraphs and the gateway on ports ${opts.portBase}-${opts.portBase + 4} (logs: ${logDir})…`);
    await Promise.all(SERVICES.map((name) => launch(name)));
    await launch('gateway');
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }

  return {
    reused: false,
    config,
    secrets,
    gatewayUrl: `http://${config.HOST}:${config.GATEWAY_PORT}/graphql`,
    orderUrl: serviceUrl(config, 'order'),
    productUrl: serviceUrl(config, 'product'),
    profileDir,
    pids: () => Object.fromEntries([...children].map(([name, child]) => [name, child.pid])),
    restartOrder: async (extraEnv) => {
      await halt('order');
      await launch('order', extraEnv);
    },
    stop,
  };
}
