/**
 * Test helpers around the real Prometheus tools of this machine (Debian's `prometheus` package):
 * every process's /metrics scraped, `promtool check metrics` over a scrape, and a Prometheus
 * server scraping a test stack every second, queried through its HTTP API.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack } from '../support/stack';
import { reservablePort } from '../../scripts/launcher/ports';

export const PROMETHEUS = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const PROMTOOL = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';

/** The port of every process of a test stack, by service name. */
export function stackPorts(stack: Stack): Record<string, number> {
  return { gateway: stack.gateway.port, user: stack.user.port, product: stack.product.port, cart: stack.cart.port, order: stack.order.port };
}

export async function scrape(port: number): Promise<{ status: number; contentType: string | null; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

/** `promtool <args>` with `input` on stdin: its exit code and output. */
export function promtool(args: string[], input?: string): { code: number | null; output: string } {
  const r = spawnSync(PROMTOOL, args, { input, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Metric family names a scrape declares (# TYPE lines), with their types. */
export function declaredFamilies(text: string): Map<string, string> {
  const families = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) families.set(m[1], m[2]);
  return families;
}

export interface RunningPrometheus {
  url: string;
  /** An instant query's samples: labels and value. */
  query(promql: string): Promise<Array<{ metric: Record<string, string>; value: number }>>;
  stop(): Promise<void>;
}

/** A real Prometheus scraping `targets` (service -> port) every second, on a free port and a temp TSDB. */
export async function startPrometheus(targets: Record<string, number>): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'flashsale-prom-'));
  const port = await reservablePort();
  const jobs = Object.entries(targets)
    .map(([service, p]) => `  - job_name: ${service}\n    scrape_interval: 1s\n    static_configs:\n      - targets: ["127.0.0.1:${p}"]\n`)
    .join('');
  writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\nscrape_configs:\n${jobs}`);
  const child = spawn(PROMETHEUS, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`prometheus did not become ready:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    async query(promql) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await res.json()) as { status: string; error?: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
      if (body.status !== 'success') throw new Error(`query ${promql} failed: ${body.error}`);
      return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `promql` until its single value equals `expected` or `timeoutMs` passes; returns the last value. */
export async function waitForValue(prom: RunningPrometheus, promql: string, expected: number, timeoutMs = 15_000): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last: number | undefined;
  for (;;) {
    const r = await prom.query(promql);
    last = r[0]?.value;
    if (last === expected || Date.now() > deadline) return last;
    await new Promise((res) => setTimeout(res, 500));
  }
}
