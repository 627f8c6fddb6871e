/**
 * Traces across the supergraph. One placeOrder sent with a W3C `traceparent` makes one trace
 * holding the gateway's spans (ours and Apollo Gateway's), the order subgraph's server span (a
 * child of the gateway's fetch), the Redis reservation script and the MySQL unit of work; the
 * cart's consumption of the `order.placed` event is a span linked to that trace. The stack runs
 * in jest, whose sandbox cannot load the OTLP transport, so its spans are kept in memory; the
 * OTLP/HTTP export itself is checked in a plain Node process against a local receiver.
 */
import http from 'node:http';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createLogger, startTracing, stopTracing, withSpan } from '@flashsale/platform';
import { startStack, Stack } from '../support/stack';
import { createSaleProduct } from '../support/catalog';
import { buyers, PLACE_ORDER_RETURNING_ID } from '../support/orders';

const exporter = new InMemorySpanExporter();
let stack: Stack;

beforeAll(async () => {
  expect(startTracing('flashsale-test', {}, exporter)).toBe(true);
  stack = await startStack();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await stopTracing();
});

const newTraceparent = () => {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
};

async function until<T>(what: () => T | undefined, timeoutMs = 15_000): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = what();
    if (found || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('one placeOrder, one trace', () => {
  it("joins gateway, order subgraph, Redis and MySQL spans under the caller's traceparent, and links the cart's consumption to it", async () => {
    const product = await createSaleProduct(stack, { stock: 3, price: 700 });
    const [buyer] = await buyers(stack, 1);
    const caller = newTraceparent();
    const answer = await stack.gql(
      PLACE_ORDER_RETURNING_ID,
      { input: { items: [{ productId: product.id, quantity: 1 }], idempotencyKey: `trace-${caller.traceId}` } },
      { token: buyer.token, headers: { traceparent: caller.traceparent } },
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.placeOrder.order?.id).toBeTruthy();

    const spans = () => exporter.getFinishedSpans();
    const consumption = await until(() => spans().find((s) => s.name === 'consume events:order cart' && s.links.some((l) => l.context.traceId === caller.traceId)));
    const trace = spans().filter((s) => s.spanContext().traceId === caller.traceId);
    const named = (name: string) => trace.filter((s) => s.name === name);
    const parentOf = (s: ReadableSpan) => trace.find((p) => p.spanContext().spanId === s.parentSpanContext?.spanId);

    // The gateway's server span continues the caller's span; Apollo Gateway's own spans sit inside it.
    const gatewaySpan = named('gateway POST /graphql');
    expect(gatewaySpan).toHaveLength(1);
    expect(gatewaySpan[0].parentSpanContext?.spanId).toBe(caller.spanId);
    expect(named('gateway.request')).toHaveLength(1);
    expect(named('gateway.plan').length).toBeGreaterThan(0);
    // The order subgraph's server span, a child of the gateway's fetch, with the Redis and MySQL work inside.
    const orderSpan = named('order POST /graphql');
    expect(orderSpan).toHaveLength(1);
    expect(orderSpan[0].attributes['service.name']).toBe('order');
    expect(parentOf(orderSpan[0])?.name).toBe('gateway.fetch');
    expect(named('redis reserve script')).toHaveLength(1);
    expect(named('mysql order commit (unit of work)')).toHaveLength(1);
    // The order.placed event carried the trace: the cart's consumption (its own trace) links to it.
    expect(consumption).toBeDefined();
    expect(consumption!.spanContext().traceId).not.toBe(caller.traceId);
    expect(consumption!.attributes['messaging.destination.name']).toBe('events:order');
  });
});

describe('trace ids in the logs', () => {
  it('a line logged inside a span carries its traceId; a line outside one carries none', async () => {
    const lines: string[] = [];
    const logger = createLogger({ LOG_LEVEL: 'info', NODE_ENV: 'test' }, 'order', { write: (line: string) => void lines.push(line) });
    const traceId = await withSpan('logging span', {}, async (span) => {
      logger.child({ requestId: 'r1' }).info('inside');
      return span!.spanContext().traceId;
    });
    logger.info('outside');
    const [inside, outside] = lines.map((l) => JSON.parse(l) as { msg: string; traceId?: string });
    expect(inside).toMatchObject({ msg: 'inside', traceId });
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(outside.msg).toBe('outside');
    expect(outside.traceId).toBeUndefined();
  });
});

describe('OTLP/HTTP export from the OTEL_* variables', () => {
  it('sends a span, with its parent from traceparent, to the configured endpoint as OTLP JSON', async () => {
    const received: Array<{ url?: string; body: string }> = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ url: req.url, body });
        res.setHeader('content-type', 'application/json');
        res.end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const caller = newTraceparent();
      const env = { ...process.env, OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`, FIXTURE_TRACEPARENT: caller.traceparent };
      // Asynchronous: the receiver answers on this event loop.
      const run = await new Promise<{ status: number | null; stderr: string }>((done) => {
        const child = spawn(process.execPath, ['-r', '@swc-node/register', resolve(__dirname, 'otlp-export.fixture.ts')], { env, cwd: resolve(__dirname, '../..') });
        let stderr = '';
        child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
        child.on('exit', (status) => done({ status, stderr }));
      });
      expect(run).toEqual({ status: 0, stderr: '' });
      const exports = received.filter((r) => r.url === '/v1/traces');
      expect(exports.length).toBeGreaterThan(0);
      const spans = exports.flatMap((r) => (JSON.parse(r.body) as { resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ spans: Array<{ traceId: string; parentSpanId?: string; name: string }> }> }> }).resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => ({ ...s, service: rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue })))));
      expect(spans).toEqual([expect.objectContaining({ name: 'fixture span', traceId: caller.traceId, parentSpanId: caller.spanId, service: 'otlp-fixture' })]);
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });
});
