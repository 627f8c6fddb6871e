/**
 * The one launcher: starts a topology of the supergraph (N replicas of each process, one Redis or a
 * Redis Cluster, HAProxy in front or not) as child processes, waits until everything is healthy,
 * and stops it. `npm start`, the bench, the chaos runs and the fault and replica tests all start
 * their processes here; the e2e tests use its in-process mode (in-process.ts, kept apart so these
 * launches never load the application).
 *
 * Invariants
 *   L1 Start order: Redis Cluster (when asked) -> the first replica of every subgraph (each creates
 *      and migrates its database; two replicas never migrate the same database at once) -> the
 *      other subgraph replicas -> the balancer -> the gateway replicas. Stop is the reverse:
 *      gateways drain first (their in-flight calls still reach the subgraphs through the
 *      balancer), then the subgraphs, then the balancer, then the cluster.
 *   L2 Every process reaches every other through its public URL (the balancer's when there is
 *      one), set explicitly in USER_URL, PRODUCT_URL, CART_URL and ORDER_URL.
 *   L3 A failed start stops whatever had started before rethrowing.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Config, PORT_VARIABLE, loadConfig, servicePort } from '@flashsale/platform';
import { build } from './build';
import { Balancer, BalancedService } from './haproxy';
import { assertPortsFree, reservablePort } from './ports';
import { Code, Replica, connectHost } from './replica';
import { startRedisCluster, RedisClusterHandle } from './redis-cluster';
import { PROCESSES, ProcessName, SUBGRAPHS, Topology, SINGLE, describeTopology, replicasOf, usesBalancer } from './topology';

export * from './topology';
export { generatedSecretsEnv, LOAD_RATE_LIMITS, DERIVED_VARIABLES } from './secrets';
export { dropStackData } from './data';
export { build, ROOT } from './build';
export type { Replica, Code } from './replica';

const URL_VARIABLE: Record<Exclude<ProcessName, 'gateway'>, string> = { user: 'USER_URL', product: 'PRODUCT_URL', cart: 'CART_URL', order: 'ORDER_URL' };

export interface LaunchOptions {
  topology?: Topology;
  /** Variables of every process: public ports (0 = pick a free one), prefixes, secrets, limits... */
  env: NodeJS.ProcessEnv;
  /** Variables for every replica of one process. */
  envFor?: Partial<Record<ProcessName, Record<string, string>>>;
  /** The processes to start (all by default); the others are reached at their *_URL from `env`. */
  only?: ProcessName[];
  /** Compiled code (default) or the TypeScript sources. */
  code?: Code;
  /** Run `tsc -b` first (compiled code only). */
  build?: boolean;
  /** Logs as <dir>/<process>-<n>.log; without it, output is inherited or ignored. */
  logDir?: string;
  output?: 'inherit' | 'ignore';
  /** Node flags for one replica (e.g. --cpu-prof), asked at each start. */
  nodeFlags?: (name: ProcessName, index: number) => string[];
  healthTimeoutMs?: number;
  /** Hint appended to "port in use" errors. */
  portHint?: string;
  /** Runs once the public ports are known free, before anything starts (drop what a crashed run left). */
  prepare?: () => Promise<void>;
  log?: (msg: string) => void;
  /** A replica died without being asked to (npm start stops everything then). */
  onUnexpectedExit?: (replica: Replica, code: number | null, signal: NodeJS.Signals | null) => void;
}

export interface Launched {
  topology: Topology;
  /** The configuration every process got, with the public ports and URLs. */
  config: Config;
  env: NodeJS.ProcessEnv;
  /** Public GraphQL URL of every process (the balancer's when there is one). */
  urls: Record<ProcessName, string>;
  gatewayUrl: string;
  balancer?: Balancer;
  redisCluster?: RedisClusterHandle;
  replicas(name: ProcessName): Replica[];
  replica(name: ProcessName, index?: number): Replica;
  /** Every replica with its port and pid. */
  processes(): Array<{ name: ProcessName; replica: number; port: number; pid?: number }>;
  /** Pids per process (for CPU accounting). */
  pids(): Partial<Record<ProcessName, number[]>>;
  /** SIGKILL one replica (0-based index). */
  kill(name: ProcessName, replica?: number): Promise<void>;
  /** Graceful stop of one replica and start again (on its port), with changed variables; ms until healthy. */
  restart(name: ProcessName, replica?: number, env?: Record<string, string>): Promise<number>;
  /** Restarts every replica of a process, one after another. */
  restartAll(name: ProcessName, env?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

export async function launch(opts: LaunchOptions): Promise<Launched> {
  const topology = opts.topology ?? SINGLE;
  const log = opts.log ?? (() => undefined);
  const only = new Set<ProcessName>(opts.only ?? PROCESSES);
  const balanced = usesBalancer(topology);
  if (opts.build && (opts.code ?? 'dist') === 'dist') build(log);

  const base = loadConfig(opts.env);
  const host = base.HOST;
  const publicPort = {} as Record<ProcessName, number>;
  for (const name of PROCESSES) {
    const configured = Number(opts.env[PORT_VARIABLE[name]] ?? servicePort(base, name));
    publicPort[name] = only.has(name) && configured === 0 ? await reservablePort() : configured;
  }
  await assertPortsFree(PROCESSES.filter((p) => only.has(p)).map((p) => publicPort[p]), host, opts.portHint ?? 'stop what uses it or choose other ports');
  // Only now: a second run on the same ports must fail above, before touching the first one's data.
  await opts.prepare?.();

  const urlOf = (name: ProcessName): string => {
    if (name !== 'gateway' && !only.has(name) && opts.env[URL_VARIABLE[name]]) return opts.env[URL_VARIABLE[name]]!;
    return `http://${connectHost(host)}:${publicPort[name]}/graphql`;
  };
  const urls = Object.fromEntries(PROCESSES.map((p) => [p, urlOf(p)])) as Record<ProcessName, string>;
  const env: NodeJS.ProcessEnv = { ...opts.env };
  for (const name of PROCESSES) env[PORT_VARIABLE[name]] = String(publicPort[name]);
  for (const name of SUBGRAPHS) env[URL_VARIABLE[name]] = urls[name];

  const started: { cluster?: RedisClusterHandle; balancer?: Balancer; replicas: Replica[] } = { replicas: [] };
  // Logs, HAProxy's configuration and the cluster's nodes; a temporary directory when no logDir is given.
  const ownTempDir = !opts.logDir && (balanced || topology.redis === 'cluster');
  const dir = opts.logDir ?? (ownTempDir ? mkdtempSync(join(tmpdir(), 'flashsale-launch-')) : tmpdir());
  mkdirSync(dir, { recursive: true });

  const stop = async () => {
    const halt = (names: readonly ProcessName[]) => Promise.all(started.replicas.filter((r) => names.includes(r.name)).map((r) => r.halt(base.SHUTDOWN_GRACE_MS + 5000)));
    await halt(['gateway']);
    await halt(SUBGRAPHS);
    await started.balancer?.stop();
    await started.cluster?.stop();
    if (ownTempDir) rmSync(dir, { recursive: true, force: true });
  };

  try {
    if (topology.redis === 'cluster') {
      log('starting a Redis Cluster (3 primaries, 1 replica each)…');
      mkdirSync(join(dir, 'redis-cluster'), { recursive: true });
      started.cluster = await startRedisCluster({ dir: join(dir, 'redis-cluster') });
      env.REDIS_CLUSTER_NODES = started.cluster.nodes.join(',');
    }
    const replicaHost = balanced ? '127.0.0.1' : host;
    const make = async (name: ProcessName, index: number) => {
      const port = balanced ? await reservablePort() : publicPort[name];
      const replica = new Replica({
        name,
        index,
        host: replicaHost,
        port,
        // Behind HAProxy (on this machine) the gateway takes the client's address from its X-Forwarded-For.
        env: { ...env, ...(balanced ? { HOST: replicaHost, TRUSTED_PROXIES: env.TRUSTED_PROXIES ?? '127.0.0.1' } : {}), ...opts.envFor?.[name] },
        code: opts.code ?? 'dist',
        output: opts.logDir ? { logFile: join(dir, `${name}-${index}.log`) } : (opts.output ?? 'ignore'),
        nodeFlags: opts.nodeFlags ? () => opts.nodeFlags!(name, index) : undefined,
      });
      replica.onUnexpectedExit = opts.onUnexpectedExit;
      started.replicas.push(replica);
      return replica;
    };
    const replicasByProcess = new Map<ProcessName, Replica[]>();
    for (const name of PROCESSES.filter((p) => only.has(p))) {
      const list: Replica[] = [];
      for (let i = 1; i <= replicasOf(topology, name); i++) list.push(await make(name, i));
      replicasByProcess.set(name, list);
    }
    const subgraphs = SUBGRAPHS.filter((s) => only.has(s));
    const startAll = (list: Replica[]) => Promise.all(list.map((r) => r.start({}, opts.healthTimeoutMs)));
    log(`starting ${describeTopology(topology)}: ${[...replicasByProcess].map(([n, l]) => `${n}×${l.length}`).join(', ')}${opts.logDir ? ` (logs: ${dir})` : ''}…`);
    await startAll(subgraphs.map((s) => replicasByProcess.get(s)![0]));
    await startAll(subgraphs.flatMap((s) => replicasByProcess.get(s)!.slice(1)));
    if (balanced) {
      const services: BalancedService[] = [...replicasByProcess].map(([name, list]) => ({ name, bindHost: host, bindPort: publicPort[name], replicas: list.map((r) => ({ host: replicaHost, port: r.port })) }));
      started.balancer = new Balancer(services, dir);
      await started.balancer.start();
      await started.balancer.waitUp(subgraphs);
    }
    if (only.has('gateway')) {
      await startAll(replicasByProcess.get('gateway')!);
      await started.balancer?.waitUp(['gateway']);
    }

    const replicasOfProcess = (name: ProcessName) => replicasByProcess.get(name) ?? [];
    const replica = (name: ProcessName, index = 0) => {
      const r = replicasOfProcess(name)[index];
      if (!r) throw new Error(`no replica ${index} of ${name} in this launch`);
      return r;
    };
    return {
      topology,
      config: loadConfig(env),
      env,
      urls,
      gatewayUrl: urls.gateway,
      balancer: started.balancer,
      redisCluster: started.cluster,
      replicas: replicasOfProcess,
      replica,
      processes: () => started.replicas.map((r) => ({ name: r.name, replica: r.spec.index - 1, port: r.port, pid: r.pid })),
      pids: () => {
        const out: Partial<Record<ProcessName, number[]>> = {};
        for (const r of started.replicas) if (r.pid !== undefined) (out[r.name] ??= []).push(r.pid);
        return out;
      },
      kill: (name, index = 0) => replica(name, index).kill('SIGKILL'),
      restart: async (name, index = 0, changed = {}) => {
        const r = replica(name, index);
        await r.halt(base.SHUTDOWN_GRACE_MS + 5000);
        return r.start(changed, opts.healthTimeoutMs);
      },
      restartAll: async (name, changed = {}) => {
        for (const r of replicasOfProcess(name)) {
          await r.halt(base.SHUTDOWN_GRACE_MS + 5000);
          await r.start(changed, opts.healthTimeoutMs);
        }
      },
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
