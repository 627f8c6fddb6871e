/**
 * Dashboard panels as one self-contained SVG (no charting dependency): a grid of small time-series
 * charts, each with its title, a linear y axis from 0 (units as the dashboard says), a time axis
 * in seconds since the window's start, and a legend. Used by scripts/dashboard-snapshot.ts to draw
 * the Grafana dashboard's queries from Prometheus's HTTP API where Grafana cannot run.
 */
import { esc, fmt, niceTicks } from './svg';

export interface PanelSeries {
  label: string;
  /** [seconds since start, value] */
  points: Array<[number, number]>;
}

export interface Panel {
  title: string;
  unit: string;
  series: PanelSeries[];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const MAX_LEGEND = 6;

/** A value with the panel's unit: seconds as ms, ratios as %, the rest plain. */
function withUnit(v: number, unit: string): string {
  if (unit === 's') return `${fmt(v * 1000)} ms`;
  if (unit === 'percentunit') return `${fmt(v * 100)}%`;
  if (unit === 'reqps') return `${fmt(v)}/s`;
  return fmt(v);
}

export function panelsSvg(panels: Panel[], opts: { title: string; subtitle: string; durationS: number; columns?: number }): string {
  const columns = opts.columns ?? 2;
  const cellW = 480;
  const cellH = 250;
  const plot = { left: 62, top: 28, w: 300, h: 170 };
  const header = 60;
  const rows = Math.ceil(panels.length / columns);
  const W = columns * cellW;
  const H = header + rows * cellH;
  const out: string[] = [];
  const add = (s: string) => out.push(s);
  add(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="11">`);
  add(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  add(`<text x="16" y="24" font-size="15" font-weight="bold">${esc(opts.title)}</text>`);
  add(`<text x="16" y="44" fill="#555">${esc(opts.subtitle)}</text>`);
  const xTicks = niceTicks(opts.durationS, 5);
  const xMax = xTicks[xTicks.length - 1];
  panels.forEach((panel, i) => {
    const ox = (i % columns) * cellW;
    const oy = header + Math.floor(i / columns) * cellH;
    const left = ox + plot.left;
    const top = oy + plot.top;
    const values = panel.series.flatMap((s) => s.points.map(([, v]) => v)).filter(Number.isFinite);
    const yTicks = niceTicks(Math.max(...values, 0) || 1, 4);
    const yMax = yTicks[yTicks.length - 1];
    const x = (t: number) => left + (t / xMax) * plot.w;
    const y = (v: number) => top + plot.h - (Math.min(v, yMax) / yMax) * plot.h;
    add(`<text x="${ox + 16}" y="${oy + 16}" font-size="12" font-weight="bold">${esc(panel.title)}</text>`);
    for (const t of yTicks) {
      add(`<line x1="${left}" y1="${y(t)}" x2="${left + plot.w}" y2="${y(t)}" stroke="#eee"/>`);
      add(`<text x="${left - 4}" y="${y(t) + 4}" text-anchor="end">${esc(withUnit(t, panel.unit))}</text>`);
    }
    for (const t of xTicks) add(`<text x="${x(t)}" y="${top + plot.h + 14}" text-anchor="middle">${fmt(t)}s</text>`);
    add(`<rect x="${left}" y="${top}" width="${plot.w}" height="${plot.h}" fill="none" stroke="#999"/>`);
    if (!panel.series.length) add(`<text x="${left + plot.w / 2}" y="${top + plot.h / 2}" text-anchor="middle" fill="#999">no data</text>`);
    panel.series.forEach((s, j) => {
      const color = COLORS[j % COLORS.length];
      const pts = s.points.filter(([, v]) => Number.isFinite(v));
      if (pts.length) add(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${pts.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"/>`);
      if (j < MAX_LEGEND) {
        const ly = top + 8 + j * 16;
        add(`<line x1="${left + plot.w + 10}" y1="${ly}" x2="${left + plot.w + 26}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
        add(`<text x="${left + plot.w + 30}" y="${ly + 4}">${esc(s.label.slice(0, 22))}</text>`);
      }
    });
    if (panel.series.length > MAX_LEGEND) add(`<text x="${left + plot.w + 10}" y="${top + 8 + MAX_LEGEND * 16 + 4}" fill="#777">+${panel.series.length - MAX_LEGEND} more</text>`);
  });
  add('</svg>');
  return out.join('\n');
}
