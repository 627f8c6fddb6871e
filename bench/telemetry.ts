/**
 * The telemetry A/B of the flash-sale bench (`--telemetry off,metrics,traces-unsampled,traces-sampled`):
 * one stack per variant, started with the variant's environment, everything else equal.
 *
 *   off               TELEMETRY_METRICS=off, no tracing: no /metrics, instruments are no-ops
 *   metrics           metrics on (the default), scraped every SCRAPE_INTERVAL_MS as Prometheus would
 *   traces-unsampled  metrics + the tracing SDK loaded with OTEL_TRACES_SAMPLER=always_off: spans
 *                     are created non-recording, context propagates, nothing is exported
 *   traces-sampled    metrics + every span recorded and exported over OTLP/HTTP to a local sink
 *                     (a node:http server in the bench process that reads and drops the bodies)
 *
 * The variables are set in this process's environment while the variant's stack starts (the
 * launcher passes process.env on to the processes) and restored after.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';

export const TELEMETRY_VARIANTS = ['off', 'metrics', 'traces-unsampled', 'traces-sampled'] as const;
export type TelemetryVariant = (typeof TELEMETRY_VARIANTS)[number];

const SCRAPE_INTERVAL_MS = 5000;
const VARIABLES = ['TELEMETRY_METRICS', 'OTEL_TRACES_EXPORTER', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_TRACES_SAMPLER', 'OTEL_SDK_DISABLED'] as const;

export function parseTelemetryVariants(list: string): TelemetryVariant[] {
  const variants = list.split(',').map((v) => v.trim()) as TelemetryVariant[];
  const unknown = variants.filter((v) => !(TELEMETRY_VARIANTS as readonly string[]).includes(v));
  if (unknown.length) throw new Error(`--telemetry takes ${TELEMETRY_VARIANTS.join(', ')} (unknown: ${unknown.join(', ')})`);
  return variants;
}

export interface TelemetryRun {
  /** Stops the scraper and the trace sink and restores the environment. */
  end(): Promise<{ scrapes: number; spanExports: number; exportedBytes: number }>;
  /** Starts scraping the stack's /metrics (once its ports are known). */
  scrape(ports: number[]): void;
}

/** Sets the variant's environment (and starts its trace sink) before the variant's stack starts. */
export async function beginTelemetryVariant(variant: TelemetryVariant): Promise<TelemetryRun> {
  const saved = Object.fromEntries(VARIABLES.map((k) => [k, process.env[k]]));
  for (const k of VARIABLES) delete process.env[k];
  let sink: http.Server | undefined;
  let spanExports = 0;
  let exportedBytes = 0;
  if (variant === 'off') process.env.TELEMETRY_METRICS = 'off';
  if (variant.startsWith('traces-')) {
    sink = http.createServer((req, res) => {
      req.on('data', (b: Buffer) => (exportedBytes += b.length));
      req.on('end', () => {
        spanExports++;
        res.setHeader('content-type', 'application/json');
        res.end('{}');
      });
    });
    await new Promise<void>((r) => sink!.listen(0, '127.0.0.1', r));
    process.env.OTEL_TRACES_EXPORTER = 'otlp';
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
    process.env.OTEL_TRACES_SAMPLER = variant === 'traces-sampled' ? 'always_on' : 'always_off';
  }
  let timer: NodeJS.Timeout | undefined;
  let scrapes = 0;
  return {
    scrape(ports) {
      if (variant === 'off') return;
      timer = setInterval(() => {
        for (const port of ports) {
          fetch(`http://127.0.0.1:${port}/metrics`).then(
            (r) => r.text().then(() => scrapes++),
            () => undefined,
          );
        }
      }, SCRAPE_INTERVAL_MS);
    },
    async end() {
      clearInterval(timer);
      if (sink) await new Promise((r) => sink!.close(r));
      for (const k of VARIABLES) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
      return { scrapes, spanExports, exportedBytes };
    },
  };
}
