/**
 * Run by traces.e2e.test.ts in a plain Node process (jest's sandbox cannot run the OTLP
 * transport): turns tracing on from the OTEL_* variables it was given, makes one span under the
 * `traceparent` in FIXTURE_TRACEPARENT, and shuts the provider down (which flushes the export).
 */
// A child process run by @swc-node/register, outside jest's package mapping: the tracing module by path.
import { contextFromHeaders, startTracing, stopTracing, withSpan } from '../../subgraphs/platform/src/telemetry/tracing';

async function main() {
  if (!startTracing('otlp-fixture')) throw new Error('tracing did not start from the OTEL_* variables');
  const parent = contextFromHeaders({ traceparent: process.env.FIXTURE_TRACEPARENT });
  await withSpan('fixture span', { parent, attributes: { 'fixture.attribute': 'yes' } }, async () => undefined);
  await stopTracing();
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
