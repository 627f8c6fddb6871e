/**
 * What a launch starts: how many replicas of each process, one Redis or a Redis Cluster, and
 * whether a load balancer (HAProxy) fronts every process.
 *
 * Invariants
 *   T1 A process with more than one replica always sits behind the balancer: the public port of a
 *      process (GATEWAY_PORT, USER_PORT, ...) is then the balancer's, and the replicas listen on
 *      ports of their own that nobody outside the stack needs to know.
 *   T2 Subgraphs start before the gateway (it composes from them) and stop after it.
 */
export const PROCESSES = ['gateway', 'user', 'product', 'cart', 'order'] as const;
export type ProcessName = (typeof PROCESSES)[number];
export const SUBGRAPHS = ['user', 'product', 'cart', 'order'] as const satisfies readonly ProcessName[];

export interface Topology {
  /** Replicas per process (1 when missing). */
  replicas?: Partial<Record<ProcessName, number>>;
  /** One Redis (REDIS_URL) or a Redis Cluster the launcher starts (REDIS_CLUSTER_NODES). */
  redis?: 'single' | 'cluster';
  /** HAProxy in front of every process; forced on when any process has more than one replica (T1). */
  balancer?: boolean;
}

export const SINGLE: Topology = { replicas: {}, redis: 'single', balancer: false };

/** N replicas of every process behind the balancer. */
export function replicated(n: number, redis: Topology['redis'] = 'single'): Topology {
  return { replicas: Object.fromEntries(PROCESSES.map((p) => [p, n])), redis, balancer: true };
}

export function replicasOf(topology: Topology, name: ProcessName): number {
  const n = topology.replicas?.[name] ?? 1;
  if (!Number.isInteger(n) || n < 1) throw new Error(`replicas of ${name} must be a positive integer, got ${n}`);
  return n;
}

export function usesBalancer(topology: Topology): boolean {
  return Boolean(topology.balancer) || PROCESSES.some((p) => replicasOf(topology, p) > 1);
}

/** A short label: `single`, `replicas2`, `replicas2+cluster`, or `gateway×2,order×2`. */
export function describeTopology(topology: Topology): string {
  const counts = PROCESSES.map((p) => replicasOf(topology, p));
  const base = counts.every((n) => n === 1) ? (usesBalancer(topology) ? 'balanced' : 'single') : counts.every((n) => n === counts[0]) ? `replicas${counts[0]}` : PROCESSES.filter((_, i) => counts[i] > 1).map((p) => `${p}×${replicasOf(topology, p)}`).join(',');
  return topology.redis === 'cluster' ? `${base}+cluster` : base;
}

/** Parses a topology name used on command lines: `single`, `replicas<N>`, optionally `+cluster`. */
export function parseTopology(name: string): Topology {
  const m = /^(single|replicas(\d+))(\+cluster)?$/.exec(name.trim());
  if (!m) throw new Error(`unknown topology "${name}" (expected single, replicas<N>, optionally +cluster)`);
  const redis = m[3] ? 'cluster' : 'single';
  return m[2] ? replicated(Number(m[2]), redis) : { ...SINGLE, redis };
}
