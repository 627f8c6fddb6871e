/** Latency percentiles and plain-text tables for the benchmark reports. */

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles (ms) of the given latencies. */
export function summarize(latenciesMs: Float64Array | number[]): LatencySummary {
  const sorted = Float64Array.from(latenciesMs).sort();
  if (!sorted.length) return { p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  let sum = 0;
  for (const v of sorted) sum += v;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1], mean: sum / sorted.length };
}

export const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

/** A left-aligned first column, right-aligned others, with a rule under the header. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** Same data as a Markdown table (for docs/BENCHMARKS.md). */
export function markdownTable(header: string[], rows: Array<Array<string | number>>): string {
  const row = (r: Array<string | number>) => `| ${r.map(String).join(' | ')} |`;
  return [row(header), `|${header.map((_, c) => (c === 0 ? '---' : '---:')).join('|')}|`, ...rows.map(row)].join('\n');
}

/** "SOLD_OUT 4500, SERVICE_UNAVAILABLE 3" from a count map, largest first. */
export function kinds(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  return entries.length ? entries.map(([k, n]) => `${k} ${n}`).join(', ') : 'none';
}
