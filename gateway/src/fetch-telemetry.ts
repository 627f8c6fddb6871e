/**
 * The outermost layer of the gateway's subgraph fetcher: times each fetch into
 * `flashsale_subgraph_fetch_duration_seconds{subgraph,status}` and adds the active trace context
 * (`traceparent`) to its headers. It runs after identity signing, which covers method, path and
 * body only, so the added headers leave the signature valid. With tracing off it adds no header;
 * with metrics off it is the fetcher itself.
 */
import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { ServiceMetrics, injectTraceHeaders, tracingEnabled } from '@flashsale/platform';

type Fetcher = NonNullable<ConstructorParameters<typeof RemoteGraphQLDataSource>[0]>['fetcher'] & {};

export function telemetryFetcher(fetcher: Fetcher, subgraph: string, metrics: ServiceMetrics): Fetcher {
  if (!metrics.enabled && !tracingEnabled()) return fetcher;
  const duration = metrics.subgraphFetchDuration;
  return (async (url: string, init: Parameters<Fetcher>[1] = {}) => {
    let sent = init;
    if (tracingEnabled()) {
      const headers = { ...(init.headers as Record<string, string> | undefined) };
      injectTraceHeaders(headers);
      sent = { ...init, headers };
    }
    if (!metrics.enabled) return fetcher(url, sent);
    const started = process.hrtime.bigint();
    let status = 0;
    try {
      const response = await fetcher(url, sent);
      status = response.status;
      return response;
    } finally {
      duration.observe({ subgraph, status: String(status) }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }) as Fetcher;
}
