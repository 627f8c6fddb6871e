/**
 * A histogram of the gateway's own /metrics, read before and after a phase: what the server saw,
 * beside what the load generator measured (the generator's figure also holds its own event-loop
 * delays and the connection's). Quantiles are interpolated within Prometheus buckets, as
 * histogram_quantile does, so they are as coarse as the buckets (LATENCY_BUCKETS).
 */

/** Cumulative counts by upper bound (seconds; Infinity for +Inf), summed over every label set. */
export type Buckets = Map<number, number>;

export async function scrapeHistogram(metricsUrl: string, name: string): Promise<Buckets | null> {
  let text: string;
  try {
    const res = await fetch(metricsUrl);
    if (!res.ok) return null;
    text = await res.text();
  } catch {
    return null;
  }
  const buckets: Buckets = new Map();
  const prefix = `${name}_bucket{`;
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const le = /le="([^"]+)"/.exec(line)?.[1];
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (le === undefined || !Number.isFinite(value)) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + value);
  }
  return buckets;
}

export interface HistogramSummary {
  count: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
}

/** The observations between two scrapes, summarized (null when either scrape failed or none fell between). */
export function histogramBetween(before: Buckets | null, after: Buckets | null): HistogramSummary | null {
  if (!before || !after) return null;
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const cumulative = bounds.map((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0));
  const count = cumulative.at(-1) ?? 0;
  if (count <= 0) return null;
  const quantile = (q: number) => {
    const rank = q * count;
    for (let i = 0; i < bounds.length; i++) {
      if (cumulative[i] < rank) continue;
      const lower = i === 0 ? 0 : bounds[i - 1];
      const below = i === 0 ? 0 : cumulative[i - 1];
      // Beyond the last finite bucket nothing can be interpolated: answer its lower bound.
      if (!Number.isFinite(bounds[i])) return lower * 1000;
      const inBucket = cumulative[i] - below;
      return (lower + (bounds[i] - lower) * (inBucket > 0 ? (rank - below) / inBucket : 1)) * 1000;
    }
    return Infinity;
  };
  return { count, p50: quantile(0.5), p99: quantile(0.99) };
}
