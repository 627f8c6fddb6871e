/**
 * The system under test. By default the bench starts its own stack with the one launcher
 * (scripts/launcher), from the compiled code as `npm start` runs it, in the topology asked for
 * (`single`: one process of each kind on ports 5000-5004; `replicas2`: two of each behind HAProxy,
 * which then serves 5000-5004), with its own databases (`bench5000_*`) and Redis prefix
 * (`bench5000:`, after the first port), NODE_ENV=production (what a deployment runs),
 * LOG_LEVEL=warn, and the per-address placeOrder limit raised so one load generator on one address
 * is not throttled. Whatever a previous run left behind is dropped first, and everything is
 * dropped again at the end. With `reuse`, it drives the stack described by the current
 * environment instead (the same variables `npm start` reads) and never restarts or drops anything.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Config, Secrets, loadConfig, loadSecrets, serviceUrl } from '@flashsale/platform';
import { DERIVED_VARIABLES, LOAD_RATE_LIMITS, PROCESSES, ProcessName, ROOT, SINGLE, Topology, describeTopology, dropStackData, generatedSecretsEnv, launch } from '../scripts/launcher';

export { ROOT, PROCESSES };
export type { ProcessName };
export const OUT_DIR = resolve(ROOT, 'bench/out');

/**
 * Databases `bench<port>_*` and Redis prefix `bench<port>:`, from the stack's first port: benches
 * started on different `--port-base` (other worktrees, A/B runs) never drop each other's data.
 */
const benchPrefixes = (portBase: number) => ({ dbPrefix: `bench${portBase}`, redisPrefix: `bench${portBase}:` });

export interface StackOptions {
  reuse: boolean;
  portBase: number;
  build: boolean;
  topology?: Topology;
  /** Processes started with `node --cpu-prof` (profiles land in bench/out/profiles/). */
  profile: ProcessName[];
  log: (msg: string) => void;
}

export interface BenchStack {
  reused: boolean;
  /** `single`, `replicas2`, ... (`reused` for a reused stack). */
  topology: string;
  config: Config;
  secrets: Secrets;
  gatewayUrl: string;
  /** The order subgraph's public URL (its balancer's in a replicated topology). */
  orderUrl: string;
  productUrl: string;
  profileDir?: string;
  /** Pids of the stack's processes by kind, HAProxy's as `haproxy` (own stack only). */
  pids(): Partial<Record<string, number[]>>;
  /** Restarts the order subgraph's replicas with these variables changed (own stack only). */
  restartOrder(env: Record<string, string>): Promise<void>;
  /** Stops the processes and drops the databases and keys (own stack); nothing when reused. */
  stop(): Promise<void>;
}

/** Drops the bench's databases and Redis keys (a crashed earlier run may have left them). */
export async function dropBenchData(config: Config): Promise<void> {
  await dropStackData(config, benchPrefixes(config.GATEWAY_PORT));
}

function reusedStack(): BenchStack {
  const config = loadConfig(process.env);
  const secrets = loadSecrets(config, { needPrivateKey: true });
  return {
    reused: true,
    topology: 'reused',
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
  const prefixes = benchPrefixes(opts.portBase);
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
    DB_PREFIX: prefixes.dbPrefix,
    REDIS_PREFIX: prefixes.redisPrefix,
    RATE_LIMITS: LOAD_RATE_LIMITS,
    // ORDER_LOCK_SCOPE is not set: the main figure measures the order subgraph's default scope (or
    // the caller's ORDER_LOCK_SCOPE); variant (a) restarts the order subgraph with `product`.
    SUPERGRAPH_SOURCE: 'file',
    // Production refuses to start without secrets; a run makes its own, kept in memory only.
    ...generatedSecretsEnv('bench'),
    // Production insists on a mail server; the bench sends no mail (buyers are seeded, not signed up).
    SMTP_URL: process.env.SMTP_URL || 'smtp://127.0.0.1:2525',
  };
  for (const name of DERIVED_VARIABLES) delete env[name];
  const topology = opts.topology ?? SINGLE;
  const config = loadConfig(env);
  const secrets = loadSecrets(config, { needPrivateKey: true });

  const runId = new Date().toISOString().replace(/[:.]/g, '-');
  const logDir = resolve(OUT_DIR, 'logs', runId);
  const profileDir = opts.profile.length ? resolve(OUT_DIR, 'profiles', runId) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });

  const stack = await launch({
    topology,
    env,
    build: opts.build,
    logDir,
    log: opts.log,
    portHint: `pass --port-base <p> to use p..p+4`,
    prepare: () => dropBenchData(config),
    nodeFlags: (name, index) => (profileDir && opts.profile.includes(name) ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}-${index}-${Date.now()}.cpuprofile`] : []),
  }); // a failed start leaves its data for the next run's prepare (never another bench's: ports are checked first)
  return {
    reused: false,
    topology: describeTopology(topology),
    config: stack.config,
    secrets,
    gatewayUrl: stack.gatewayUrl,
    orderUrl: stack.urls.order,
    productUrl: stack.urls.product,
    profileDir,
    pids: () => ({ ...stack.pids(), ...(stack.balancer?.pid ? { haproxy: [stack.balancer.pid] } : {}) }),
    restartOrder: (changed) => stack.restartAll('order', changed),
    stop: async () => {
      await stack.stop();
      await dropBenchData(config);
    },
  };
}
