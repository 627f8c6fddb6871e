/**
 * CPU time each process of the system under test spent during a measurement, read from
 * /proc/<pid>/stat (Linux; elsewhere the meter reports nothing). On a 2-core machine the load
 * generator, the gateway, the subgraphs, MySQL and Redis all share the same cores, so "CPU ms per
 * request, by process" says where the time goes better than any single throughput figure.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ; 100 on every mainstream Linux build

function cpuTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return null;
  }
}

/** Pids of running processes whose command name is one of `names` (e.g. mariadbd, redis-server). */
export function pidsByName(names: string[]): number[] {
  try {
    return readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          return names.includes(readFileSync(`/proc/${d}/comm`, 'utf8').trim());
        } catch {
          return false;
        }
      })
      .map(Number);
  } catch {
    return [];
  }
}

/** Busy ticks of the whole machine (every process, every core) from /proc/stat. */
function machineTicks(): number | null {
  try {
    const [, ...v] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = v;
    return user + nice + system + irq + softirq + (steal ?? 0);
  } catch {
    return null;
  }
}

export type CpuSample = Record<string, number>;

/**
 * CPU ms per named group of processes between start() and the returned stop(), plus `elsewhere`:
 * what every other process on the machine took meanwhile (another job skews the figures).
 */
export function startCpuMeter(groups: Record<string, number[]>): () => CpuSample {
  const read = () => Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, pids.reduce((s, p) => s + (cpuTicks(p) ?? 0), 0)]));
  const before = read();
  const machineBefore = machineTicks();
  return () => {
    const after = read();
    const machineAfter = machineTicks();
    const sample: CpuSample = Object.fromEntries(Object.keys(groups).map((name) => [name, ((after[name] - before[name]) * 1000) / TICKS_PER_SECOND]));
    if (machineBefore !== null && machineAfter !== null) {
      const ours = Object.values(sample).reduce((s, v) => s + v, 0);
      sample.elsewhere = Math.max(0, ((machineAfter - machineBefore) * 1000) / TICKS_PER_SECOND - ours);
    }
    return sample;
  };
}

/** The groups a report shows: the bench itself, each process of the stack, MySQL and Redis. */
export function cpuGroups(stackPids: Partial<Record<string, number[]>>): Record<string, number[]> {
  const groups: Record<string, number[]> = { bench: [process.pid] };
  for (const [name, pids] of Object.entries(stackPids)) if (pids?.length) groups[name] = pids;
  groups.mysql = pidsByName(['mariadbd', 'mysqld']);
  groups.redis = pidsByName(['redis-server']);
  return groups;
}

/**
 * Columns "bench gateway … redis total cores-busy elsewhere": CPU ms per request by process, the
 * cores the system under test kept busy, and the cores other processes on the machine took.
 */
export function cpuColumns(sample: CpuSample, requests: number, durationMs: number): { header: string[]; cells: string[] } {
  const names = Object.keys(sample).filter((n) => n !== 'elsewhere');
  const total = names.reduce((s, n) => s + sample[n], 0);
  return {
    header: [...names, 'total', 'cores busy', 'cores elsewhere'],
    cells: [
      ...names.map((n) => (sample[n] / requests).toFixed(2)),
      (total / requests).toFixed(2),
      (total / durationMs).toFixed(2),
      sample.elsewhere === undefined ? '?' : (sample.elsewhere / durationMs).toFixed(2),
    ],
  };
}

/**
 * The open model's columns: CPU ms per unit (committed order, refusal, request) for the bench and
 * each process, `total` WITHOUT the bench (the load generator is not part of the system under
 * test), the cores the system kept busy over the window, and the cores other processes took.
 */
export function systemCpuColumns(sample: CpuSample, units: number, windowMs: number): { header: string[]; cells: string[]; totalMs: number } {
  const names = Object.keys(sample).filter((n) => n !== 'elsewhere');
  const total = names.filter((n) => n !== 'bench').reduce((s, n) => s + sample[n], 0);
  const per = (v: number) => (units > 0 ? (v / units).toFixed(2) : '–');
  return {
    header: [...names, 'total (no bench)', 'cores busy', 'cores elsewhere'],
    cells: [...names.map((n) => per(sample[n])), per(total), (total / windowMs).toFixed(2), sample.elsewhere === undefined ? '?' : (sample.elsewhere / windowMs).toFixed(2)],
    totalMs: total,
  };
}
