/**
 * A real Redis Cluster on this machine, for tests, chaos runs and `npm start` in cluster topology:
 * `primaries` masters with `replicasPerPrimary` replicas each, `redis-server --cluster-enabled yes`
 * on free ports in a temporary directory, joined by `redis-cli --cluster create`.
 *
 * Invariants:
 * - C1 Every node is a child of this process (no daemonize), without persistence (`--save ''`,
 *   `--appendonly no`): a killed primary takes its data with it, which is what failover tests need.
 * - C2 `startRedisCluster` resolves only once every node reports `cluster_state:ok` and every slot
 *   is served; `stop()` kills every node it started and removes the directory, and is idempotent.
 * - C3 Ports are picked free for both the client port and its cluster bus port (port + 10000).
 * - C4 A short `cluster-node-timeout` (default 1000 ms) so an automatic failover takes ~2–3 s.
 */
import { spawn, execFile, ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { keySlot } from '@flashsale/platform';
import { tryListen } from './ports';

const run = promisify(execFile);

export interface RedisClusterOptions {
  primaries?: number;
  replicasPerPrimary?: number;
  /** Where node configs and logs go; a fresh temp directory when omitted (removed by stop()). */
  dir?: string;
  /** cluster-node-timeout in ms (C4). */
  nodeTimeoutMs?: number;
  host?: string;
}

export interface ClusterNodeInfo {
  id: string;
  address: string; // host:port
  port: number;
  role: 'master' | 'slave';
  masterId?: string;
  slots: Array<[number, number]>;
  alive: boolean;
}

export interface RedisClusterHandle {
  /** "host:port" seeds: every node started, usable as REDIS_CLUSTER_NODES. */
  nodes: string[];
  /** REDIS_CLUSTER_NODES value (comma-separated seeds). */
  seeds: string;
  dir: string;
  /** The cluster's current topology (asked from any live node). */
  topology(): Promise<ClusterNodeInfo[]>;
  /** The live master serving `slot` (a slot number or a key, hash tags honoured). */
  masterFor(slotOrKey: number | string): Promise<ClusterNodeInfo>;
  /** SIGKILL the master serving `slotOrKey`; returns the killed node and its replicas' addresses. */
  killPrimary(slotOrKey: number | string): Promise<{ killed: ClusterNodeInfo; replicas: ClusterNodeInfo[] }>;
  /** Promote a replica by hand (`CLUSTER FAILOVER FORCE`, or TAKEOVER when `takeover`). */
  forceFailover(replicaPort: number, takeover?: boolean): Promise<void>;
  /** Wait until `slotOrKey` is served by a live master other than `formerMasterId` and the cluster is ok. */
  waitForFailover(slotOrKey: number | string, formerMasterId: string, timeoutMs?: number): Promise<ClusterNodeInfo>;
  /** Run a redis-cli command against one node. */
  cli(port: number, ...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** A port free for listening whose cluster bus port (port + 10000) is free as well (C3). */
async function freeClusterPort(host: string): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    // The client port and its cluster bus port (port + 10000) must both be free.
    if ((await tryListen(port, host)) !== null && (await tryListen(port + 10000, host)) !== null) return port;
  }
  throw new Error('no free port pair for a cluster node');
}

function parseNodes(text: string, portsAlive: Set<number>): ClusterNodeInfo[] {
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, addr, flags, master, , , , , ...slotSpecs] = line.split(' ');
      const address = addr.split('@')[0];
      const port = Number(address.split(':')[1]);
      const slots = slotSpecs
        .filter((spec) => !spec.startsWith('['))
        .map((spec) => {
          const [from, to] = spec.split('-').map(Number);
          return [from, to ?? from] as [number, number];
        });
      return {
        id,
        address,
        port,
        role: flags.includes('master') ? 'master' : 'slave',
        masterId: master === '-' ? undefined : master,
        slots,
        alive: !flags.includes('fail') && portsAlive.has(port),
      } as ClusterNodeInfo;
    });
}

export async function startRedisCluster(opts: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const primaries = opts.primaries ?? 3;
  const replicasPerPrimary = opts.replicasPerPrimary ?? 1;
  const host = opts.host ?? '127.0.0.1';
  const ownDir = !opts.dir;
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'redis-cluster-')));
  const children = new Map<number, ChildProcess>();
  let stopped = false;

  const cli = async (port: number, ...args: string[]) => (await run('redis-cli', ['-h', host, '-p', String(port), ...args])).stdout;

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(
      [...children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    if (ownDir) await rm(dir, { recursive: true, force: true });
  };

  try {
    const total = primaries * (1 + replicasPerPrimary);
    const ports: number[] = [];
    for (let i = 0; i < total; i++) ports.push(await freeClusterPort(host));
    for (const port of ports) {
      const child = spawn(
        'redis-server',
        [
          '--port', String(port), '--bind', host, '--cluster-enabled', 'yes',
          '--cluster-config-file', join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout', String(opts.nodeTimeoutMs ?? 1000),
          // An idle replica's last contact with its master can be older than node-timeout × 10
          // (the master pings every 10 s): without this it would refuse to take over.
          '--cluster-replica-validity-factor', '0', '--repl-ping-replica-period', '1',
          '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir,
          '--logfile', join(dir, `redis-${port}.log`),
        ],
        { stdio: 'ignore' },
      );
      children.set(port, child);
    }
    await waitFor(async () => {
      for (const port of ports) if ((await cli(port, 'PING').catch(() => '')).trim() !== 'PONG') return false;
      return true;
    }, 10_000, 'redis cluster nodes to answer PING');
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `${host}:${p}`), '--cluster-replicas', String(replicasPerPrimary), '--cluster-yes']);

    const alivePorts = () => new Set([...children].filter(([, c]) => c.exitCode === null && c.signalCode === null).map(([p]) => p));
    const topology = async () => {
      const alive = alivePorts();
      for (const port of alive) {
        const text = await cli(port, 'CLUSTER', 'NODES').catch(() => '');
        if (text.trim()) return parseNodes(text, alive);
      }
      throw new Error('no live cluster node');
    };
    const slotOf = (slotOrKey: number | string) => (typeof slotOrKey === 'number' ? slotOrKey : keySlot(slotOrKey));
    const masterFor = async (slotOrKey: number | string) => {
      const slot = slotOf(slotOrKey);
      const master = (await topology()).find((n) => n.role === 'master' && n.alive && n.slots.some(([a, b]) => slot >= a && slot <= b));
      if (!master) throw new Error(`no live master serves slot ${slot}`);
      return master;
    };
    const clusterOk = async () => {
      for (const port of alivePorts()) {
        const info = await cli(port, 'CLUSTER', 'INFO').catch(() => '');
        if (!info.includes('cluster_state:ok')) return false;
      }
      return true;
    };
    await waitFor(async () => (await clusterOk()) && (await topology()).filter((n) => n.role === 'slave').length === primaries * replicasPerPrimary, 30_000, 'cluster_state:ok');

    const handle: RedisClusterHandle = {
      nodes: ports.map((p) => `${host}:${p}`),
      seeds: ports.map((p) => `${host}:${p}`).join(','),
      dir,
      topology,
      masterFor,
      cli,
      async killPrimary(slotOrKey) {
        const killed = await masterFor(slotOrKey);
        const replicas = (await topology()).filter((n) => n.masterId === killed.id);
        const child = children.get(killed.port);
        if (!child) throw new Error(`node ${killed.address} was not started here`);
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        });
        return { killed, replicas };
      },
      async forceFailover(replicaPort, takeover = false) {
        const out = await cli(replicaPort, 'CLUSTER', 'FAILOVER', takeover ? 'TAKEOVER' : 'FORCE');
        if (!out.includes('OK')) throw new Error(`CLUSTER FAILOVER on ${replicaPort}: ${out.trim()}`);
      },
      async waitForFailover(slotOrKey, formerMasterId, timeoutMs = 20_000) {
        let promoted: ClusterNodeInfo | undefined;
        await waitFor(async () => {
          promoted = await masterFor(slotOrKey).catch(() => undefined);
          return !!promoted && promoted.id !== formerMasterId && (await clusterOk());
        }, timeoutMs, `failover of slot ${slotOf(slotOrKey)}`);
        return promoted!;
      },
      stop,
    };
    return handle;
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
