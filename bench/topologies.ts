/**
 * `--topology single,replicas2`: the flash sale (closed loop) or the open model on each topology in
 * turn (a fresh stack each, same load), then one table side by side. Two cores cannot show a speed-up from replicas; what the
 * table shows is what scaling out costs per committed order (CPU of every process of the stack,
 * HAProxy included, the load generator excluded) and that the audit stays exact.
 */
import type { CpuSample } from './cpu';
import type { VariantResult } from './flash-sale';
import type { RunResult } from './open';
import { auditFailed } from './audit';
import { round, table } from './stats';

export interface TopologyRun {
  topology: string;
  result: VariantResult;
}

/** CPU of the system under test: every group but the load generator and the rest of the machine. */
export function stackCpuMs(sample: CpuSample): number {
  return Object.entries(sample)
    .filter(([name]) => name !== 'bench' && name !== 'elsewhere')
    .reduce((sum, [, ms]) => sum + ms, 0);
}

export function topologyComparison(runs: TopologyRun[]): string {
  const header = ['topology', 'answered/s', 'p50 ms', 'p99 ms', 'orders', 'SOLD_OUT', 'errors', 'stack CPU ms/order', 'stack CPU ms/request', 'haproxy ms/request', 'oversold', 'unsold', 'disagree'];
  const rows = runs.map(({ topology, result: r }) => {
    const cpu = stackCpuMs(r.cpuMs);
    return [
      topology,
      round(r.throughput, 0),
      round(r.latencyMs.p50),
      round(r.latencyMs.p99),
      r.audit.answeredOrders,
      r.audit.soldOutAnswers,
      r.errorCount,
      (cpu / Math.max(1, r.audit.answeredOrders)).toFixed(2),
      (cpu / r.requests).toFixed(2),
      r.cpuMs.haproxy === undefined ? '-' : (r.cpuMs.haproxy / r.requests).toFixed(2),
      r.audit.oversold,
      r.audit.unsoldWhileDemand,
      r.audit.disagreements,
    ];
  });
  return ['', 'flash sale by topology (the main variant through the gateway; CPU of gateway, subgraphs, HAProxy, MariaDB and Redis):', table(header, rows), ''].join('\n');
}

export interface OpenTopologyRun {
  topology: string;
  results: RunResult[];
}

/**
 * The open model by topology: for every scenario and rate, the latencies at that fixed arrival
 * rate and the CPU of each kind of process per unit (request sent, committed order or SOLD_OUT
 * answer, as the open model counts them), summed over the replicas of that kind.
 */
export function openTopologyComparison(runs: OpenTopologyRun[]): string {
  const groups = [...new Set(runs.flatMap((run) => run.results.flatMap((r) => Object.keys(r.cpu.total))))].filter((g) => g !== 'bench' && g !== 'elsewhere');
  const header = ['run', 'topology', 'p50 ms', 'p99 ms', 'orders', 'busy', 'CPU ms per', ...groups, 'stack total', 'audit'];
  const rows = runs.flatMap(({ topology, results }) =>
    results.map((r) => {
      const per = (ms: number | undefined) => (ms === undefined || !r.cpu.units ? '-' : (ms / r.cpu.units).toFixed(2));
      return [
        `${r.scenario} ${r.rate}/s`,
        topology,
        round(r.latencyMs.p50),
        round(r.latencyMs.p99),
        r.committed,
        r.finals.busy,
        r.cpu.unit,
        ...groups.map((g) => per(r.cpu.total[g])),
        per(stackCpuMs(r.cpu.total)),
        auditFailed(r.audit) ? `FAILED (oversold ${r.audit.oversold}, unsold ${r.audit.unsoldWhileDemand}, disagree ${r.audit.disagreements})` : 'exact',
      ];
    }),
  );
  rows.sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  return ['', 'open model by topology (CPU of each kind of process per unit, its replicas summed; the load generator excluded):', table(header, rows), ''].join('\n');
}
