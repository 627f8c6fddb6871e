/**
 * npm run dashboard:snapshot -- --prometheus http://127.0.0.1:9090 [--minutes 5 | --start <iso> --end <iso>]
 *                               [--step 2] [--out docs/img/dashboard-sale.svg] [--title "…"]
 *
 * Draws the Grafana dashboard (deploy/observability/grafana/dashboards/flashsale.json) from
 * Prometheus's HTTP API where Grafana cannot run: every panel's queries, as the dashboard writes
 * them, over the window (query_range), each series labelled by the panel's legendFormat, into one
 * SVG (bench/dashboard-svg.ts). docs/OPERATIONS.md shows one taken during a bench run.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Panel, panelsSvg } from '../bench/dashboard-svg';

const ROOT = resolve(__dirname, '..');
const DASHBOARD = resolve(ROOT, 'deploy/observability/grafana/dashboards/flashsale.json');

interface DashboardPanel {
  title: string;
  fieldConfig?: { defaults?: { unit?: string } };
  targets: Array<{ expr: string; legendFormat?: string }>;
}

type Matrix = Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;

async function queryRange(prometheus: string, expr: string, start: number, end: number, step: number): Promise<Matrix> {
  const url = `${prometheus}/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${start}&end=${end}&step=${step}`;
  const body = (await (await fetch(url)).json()) as { status: string; error?: string; data?: { result: Matrix } };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data!.result;
}

const legend = (format: string | undefined, metric: Record<string, string>) =>
  (format ?? JSON.stringify(metric)).replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => metric[k] ?? '');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      prometheus: { type: 'string', default: 'http://127.0.0.1:9090' },
      minutes: { type: 'string', default: '5' },
      start: { type: 'string' },
      end: { type: 'string' },
      step: { type: 'string', default: '2' },
      out: { type: 'string', default: 'docs/img/dashboard-sale.svg' },
      title: { type: 'string', default: 'Flash sale dashboard (drawn from Prometheus)' },
    },
  });
  const end = values.end ? Date.parse(values.end) / 1000 : Date.now() / 1000;
  const start = values.start ? Date.parse(values.start) / 1000 : end - Number(values.minutes) * 60;
  const step = Number(values.step);
  if (!(end > start) || !(step > 0)) throw new Error('need --start before --end and a positive --step');
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: DashboardPanel[] };
  const panels: Panel[] = [];
  for (const p of dashboard.panels) {
    const series = [];
    for (const target of p.targets) {
      for (const r of await queryRange(values.prometheus!, target.expr, start, end, step)) {
        series.push({ label: legend(target.legendFormat, r.metric), points: r.values.map(([t, v]): [number, number] => [t - start, Number(v)]) });
      }
    }
    panels.push({ title: p.title, unit: p.fieldConfig?.defaults?.unit ?? 'short', series });
  }
  const subtitle = `${new Date(start * 1000).toISOString()} to ${new Date(end * 1000).toISOString()}, step ${step}s; queries as in deploy/observability/grafana/dashboards/flashsale.json`;
  const out = resolve(ROOT, values.out!);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, panelsSvg(panels, { title: values.title!, subtitle, durationS: end - start }));
  process.stderr.write(`wrote ${out} (${panels.length} panels, ${panels.reduce((n, p) => n + p.series.length, 0)} series)\n`);
}

main().catch((err) => {
  process.stderr.write(`dashboard:snapshot failed: ${(err as Error).message}\n`);
  process.exit(1);
});
