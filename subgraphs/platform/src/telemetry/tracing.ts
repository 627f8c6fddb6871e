/**
 * OpenTelemetry tracing, off unless configured by the standard variables.
 *
 * Invariants:
 *   T1 Off by default: without OTEL_TRACES_EXPORTER=otlp (or an OTEL_EXPORTER_OTLP[_TRACES]_ENDPOINT
 *      with no exporter named) no SDK is loaded and every helper here calls its function directly
 *      (no span objects, no context switches). OTEL_SDK_DISABLED=true wins over everything.
 *   T2 One tracer provider per process (the test stack's in-process services share it); each
 *      server span carries `service.name` of the service that made it as an attribute, so spans
 *      stay attributable when several services share a process.
 *   T3 W3C trace context only (`traceparent`/`tracestate`): accepted at the gateway, injected into
 *      every subgraph fetch (after the identity signature, which does not cover these headers),
 *      stored with each outbox event so its consumption links to the placing trace.
 *   T4 Sampling follows OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (default parentbased_always_on).
 */
import {
  Context,
  Link,
  Span,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  isSpanContextValid,
  TextMapGetter,
} from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

const TRACER = 'flashsale';
let enabled = false;
let shutdown: (() => Promise<void>) | undefined;

/** Whether the environment asks for traces (T1). */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').toLowerCase() === 'true') return false;
  const exporter = (env.OTEL_TRACES_EXPORTER ?? '').toLowerCase();
  if (exporter) return exporter.split(',').some((e) => e.trim() === 'otlp');
  return !!(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT);
}

export const tracingEnabled = (): boolean => enabled;

/**
 * Registers the process's tracer provider with an OTLP/HTTP exporter when configured; a no-op
 * otherwise, and when called again. `serviceName` names the process (OTEL_SERVICE_NAME wins).
 * `exporter` replaces the OTLP one and turns tracing on whatever the environment says (tests
 * under jest, whose sandbox cannot run the OTLP transport's dynamic imports, export in memory).
 */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env, exporter?: SpanExporter): boolean {
  if (enabled || (!exporter && !tracingConfigured(env))) return enabled;
  // Loaded only when tracing is on, so an untraced process pays nothing for the SDK.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NodeTracerProvider, BatchSpanProcessor, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? serviceName }),
    spanProcessors: [exporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: Number(env.OTEL_BSP_SCHEDULE_DELAY ?? 1000) })],
  });
  provider.register(); // AsyncLocalStorage context manager + W3C trace context propagator
  enabled = true;
  shutdown = () => provider.shutdown();
  return true;
}

/** Flushes and stops the provider (process shutdown, tests). */
export async function stopTracing(): Promise<void> {
  const s = shutdown;
  shutdown = undefined;
  enabled = false;
  await s?.();
  trace.disable();
  context.disable();
  propagation.disable();
}

const tracer = () => trace.getTracer(TRACER);

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Record<string, string | number | boolean>;
  links?: Link[];
  /** Parent context (default: the active one). */
  parent?: Context;
}

/**
 * Runs `fn` inside a span named `name` (T1: just runs `fn` when tracing is off). The span ends
 * when `fn` settles; a throw marks it as an error.
 */
export function withSpan<T>(name: string, opts: SpanOptions, fn: (span: Span | undefined) => Promise<T>): Promise<T> {
  if (!enabled) return fn(undefined);
  const parent = opts.parent ?? context.active();
  return tracer().startActiveSpan(name, { kind: opts.kind ?? SpanKind.INTERNAL, attributes: opts.attributes, links: opts.links }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
      throw err;
    } finally {
      span.end();
    }
  });
}

const headerGetter: TextMapGetter<Record<string, string | string[] | undefined>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

/** The trace context a request's headers carry (T3); the active context when they carry none. */
export function contextFromHeaders(headers: Record<string, string | string[] | undefined>): Context {
  return propagation.extract(context.active(), headers, headerGetter);
}

/** Adds `traceparent` (and `tracestate`) of the active span to outgoing headers; none when off. */
export function injectTraceHeaders(headers: Record<string, string>): void {
  if (enabled) propagation.inject(context.active(), headers);
}

/** The active span's `traceparent`, for storing with an event; undefined when off or unsampled-invalid. */
export function currentTraceparent(): string | undefined {
  if (!enabled) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** A span link to the trace a stored `traceparent` names (undefined when absent or malformed). */
export function linkFromTraceparent(traceparent: string | undefined): Link | undefined {
  if (!enabled || !traceparent) return undefined;
  const spanContext = trace.getSpanContext(propagation.extract(context.active(), { traceparent }, headerGetter));
  return spanContext && isSpanContextValid(spanContext) ? { context: spanContext } : undefined;
}

/** The active trace id, for log lines; undefined when off or outside a span. */
export function activeTraceId(): string | undefined {
  if (!enabled) return undefined;
  const sc = trace.getActiveSpan()?.spanContext();
  return sc && isSpanContextValid(sc) ? sc.traceId : undefined;
}

export { SpanKind };
