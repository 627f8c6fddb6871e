/**
 * The open model's curve as a self-contained SVG (no charting dependency): latency (p50, p99,
 * log scale) versus offered load on top, committed orders per second (and answers, busy answers
 * per second) versus offered load below, with the "offered = served" diagonal for reference.
 */

export interface CurvePoint {
  offered: number;
  p50: number;
  p99: number;
  ordersPerSecond: number;
  answersPerSecond: number;
  busyPerSecond: number;
}

export interface CurveOptions {
  title: string;
  subtitle: string;
  /** Dashed horizontal lines on the latency panel, e.g. [{ ms: 100, label: 'p99 target' }]. */
  latencyMarks?: Array<{ ms: number; label: string }>;
}

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
export const fmt = (v: number) => (v >= 1000 ? `${+(v / 1000).toFixed(1)}k` : `${+v.toFixed(v < 10 ? 1 : 0)}`);

/** Round "nice" linear ticks from 0 to at least max. */
export function niceTicks(max: number, count = 5): number[] {
  const raw = Math.max(max, 1) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 0.999; v += step) ticks.push(+v.toFixed(6));
  return ticks;
}

export function curveSvg(points: CurvePoint[], opts: CurveOptions): string {
  const pts = [...points].sort((a, b) => a.offered - b.offered);
  const W = 760;
  const left = 70;
  const right = 170;
  const plotW = W - left - right;
  const top1 = 80;
  const h1 = 220;
  const top2 = top1 + h1 + 70;
  const h2 = 220;
  const H = top2 + h2 + 60;
  const subtitleLines = opts.subtitle.split('\n');

  const xTicks = niceTicks(Math.max(...pts.map((p) => p.offered), 1));
  const xMax = xTicks[xTicks.length - 1];
  const x = (v: number) => left + (v / xMax) * plotW;

  // Latency panel: log10 scale over whole decades covering the data and the marks.
  const lat = [...pts.flatMap((p) => [p.p50, p.p99]), ...(opts.latencyMarks ?? []).map((m) => m.ms)].filter((v) => v > 0);
  const lo = Math.floor(Math.log10(Math.max(0.1, Math.min(...lat))));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...lat, 10))));
  const y1 = (ms: number) => top1 + h1 - ((Math.log10(Math.max(ms, 10 ** lo)) - lo) / (hi - lo)) * h1;

  // Throughput panel: linear, covering offered load too (the diagonal).
  const yTicks = niceTicks(Math.max(xMax, ...pts.map((p) => Math.max(p.ordersPerSecond, p.answersPerSecond, p.busyPerSecond))));
  const yMax = yTicks[yTicks.length - 1];
  const y2 = (v: number) => top2 + h2 - (v / yMax) * h2;

  const out: string[] = [];
  const add = (s: string) => out.push(s);
  add(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  add(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  add(`<text x="${left}" y="24" font-size="15" font-weight="bold">${esc(opts.title)}</text>`);
  subtitleLines.forEach((line, i) => add(`<text x="${left}" y="${42 + i * 15}" fill="#555">${esc(line)}</text>`));

  const xAxis = (topY: number, h: number) => {
    for (const t of xTicks) {
      add(`<line x1="${x(t)}" y1="${topY}" x2="${x(t)}" y2="${topY + h}" stroke="#eee"/>`);
      add(`<text x="${x(t)}" y="${topY + h + 16}" text-anchor="middle">${fmt(t)}</text>`);
    }
    add(`<rect x="${left}" y="${topY}" width="${plotW}" height="${h}" fill="none" stroke="#999"/>`);
    add(`<text x="${left + plotW / 2}" y="${topY + h + 34}" text-anchor="middle">offered load (placeOrder requests per second)</text>`);
  };
  const yLabel = (topY: number, h: number, text: string) =>
    add(`<text transform="translate(18 ${topY + h / 2}) rotate(-90)" text-anchor="middle">${esc(text)}</text>`);
  const series = (values: Array<[number, number]>, color: string, dash = '') => {
    if (!values.length) return;
    add(`<polyline fill="none" stroke="${color}" stroke-width="2" ${dash ? `stroke-dasharray="${dash}"` : ''} points="${values.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}"/>`);
    for (const [a, b] of values) add(`<circle cx="${a.toFixed(1)}" cy="${b.toFixed(1)}" r="3.5" fill="${color}"/>`);
  };
  const legend = (topY: number, items: Array<[string, string, string?]>) =>
    items.forEach(([label, color, dash], i) => {
      const ly = topY + 14 + i * 20;
      add(`<line x1="${left + plotW + 14}" y1="${ly}" x2="${left + plotW + 40}" y2="${ly}" stroke="${color}" stroke-width="2" ${dash ? `stroke-dasharray="${dash}"` : ''}/>`);
      add(`<text x="${left + plotW + 46}" y="${ly + 4}">${esc(label)}</text>`);
    });

  // Panel 1: latency.
  for (let d = lo; d <= hi; d++) {
    const v = 10 ** d;
    add(`<line x1="${left}" y1="${y1(v)}" x2="${left + plotW}" y2="${y1(v)}" stroke="#ddd"/>`);
    add(`<text x="${left - 6}" y="${y1(v) + 4}" text-anchor="end">${v >= 1000 ? `${v / 1000} s` : `${v} ms`}</text>`);
    for (const m of [2, 5]) if (d < hi) add(`<line x1="${left}" y1="${y1(m * v)}" x2="${left + plotW}" y2="${y1(m * v)}" stroke="#f3f3f3"/>`);
  }
  xAxis(top1, h1);
  yLabel(top1, h1, 'latency (log scale)');
  for (const m of opts.latencyMarks ?? []) {
    add(`<line x1="${left}" y1="${y1(m.ms)}" x2="${left + plotW}" y2="${y1(m.ms)}" stroke="#c00" stroke-dasharray="2,3"/>`);
    add(`<text x="${left + plotW - 4}" y="${y1(m.ms) - 4}" text-anchor="end" fill="#c00">${esc(m.label)}</text>`);
  }
  series(pts.map((p) => [x(p.offered), y1(p.p50)]), '#1f77b4');
  series(pts.map((p) => [x(p.offered), y1(p.p99)]), '#d62728');
  legend(top1, [
    ['p50 latency', '#1f77b4'],
    ['p99 latency', '#d62728'],
  ]);

  // Panel 2: throughput.
  for (const t of yTicks) {
    add(`<line x1="${left}" y1="${y2(t)}" x2="${left + plotW}" y2="${y2(t)}" stroke="#eee"/>`);
    add(`<text x="${left - 6}" y="${y2(t) + 4}" text-anchor="end">${fmt(t)}</text>`);
  }
  xAxis(top2, h2);
  yLabel(top2, h2, 'per second');
  add(`<line x1="${x(0)}" y1="${y2(0)}" x2="${x(Math.min(xMax, yMax))}" y2="${y2(Math.min(xMax, yMax))}" stroke="#999" stroke-dasharray="4,4"/>`);
  const busy = pts.some((p) => p.busyPerSecond > 0);
  series(pts.map((p) => [x(p.offered), y2(p.answersPerSecond)]), '#9467bd', '6,3');
  if (busy) series(pts.map((p) => [x(p.offered), y2(p.busyPerSecond)]), '#ff7f0e', '2,3');
  series(pts.map((p) => [x(p.offered), y2(p.ordersPerSecond)]), '#2ca02c');
  legend(top2, [
    ['committed orders/s', '#2ca02c'],
    ['answers/s', '#9467bd', '6,3'],
    ...(busy ? [['told busy/s', '#ff7f0e', '2,3'] as [string, string, string]] : []),
    ['offered = served', '#999', '4,4'],
  ]);
  add(`<text x="${left + plotW + 14}" y="${top2 + h2 - 4}" fill="#555" font-size="10">answers: orders and</text>`);
  add(`<text x="${left + plotW + 14}" y="${top2 + h2 + 8}" fill="#555" font-size="10">typed refusals</text>`);
  add('</svg>');
  return `${out.join('\n')}\n`;
}
