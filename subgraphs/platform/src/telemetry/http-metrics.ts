/**
 * The request-side instruments every process shares: the Apollo plugin timing each GraphQL
 * request by operation and outcome, and the GET /metrics route.
 *
 * The operation label is the client's operation name, or for an anonymous operation its first
 * root field's name; bounded by ServiceMetrics.operationLabel.
 * The outcome of a request is, in order: the code of its first GraphQL error (from the error
 * catalogue or Apollo's own codes; anything else reads OTHER), else the code of the first
 * `userErrors` entry of its first root field (the typed business answers: SOLD_OUT,
 * LIMIT_EXCEEDED, ...; schema enums, so bounded), else "ok".
 */
import type { ApolloServerPlugin, BaseContext as ApolloContext } from '@apollo/server';
import { Kind } from 'graphql';
import type { RouteHandler } from '../http';
import { PASSTHROUGH_CODES } from '../errors';
import { ServiceMetrics } from './metrics';

const USER_ERROR_CODE = /^[A-Z][A-Z_]{0,39}$/;

/** The outcome label of an answer (see the file comment). */
export function outcomeOf(errors: ReadonlyArray<{ extensions?: Record<string, unknown> }> | undefined, data: unknown): string {
  if (errors?.length) {
    const code = String(errors[0].extensions?.code ?? 'INTERNAL_SERVER_ERROR');
    return PASSTHROUGH_CODES.has(code) ? code : 'OTHER';
  }
  if (data && typeof data === 'object') {
    for (const key in data) {
      const userErrors = ((data as Record<string, unknown>)[key] as { userErrors?: Array<{ code?: unknown }> } | null)?.userErrors;
      const code = Array.isArray(userErrors) && userErrors.length ? String(userErrors[0]?.code ?? '') : '';
      return USER_ERROR_CODE.test(code) ? code : 'ok';
    }
  }
  return 'ok';
}

/** Times every GraphQL request from its start to its answer into `flashsale_graphql_request_duration_seconds`. */
export function graphqlMetricsPlugin<C extends ApolloContext>(metrics: ServiceMetrics): ApolloServerPlugin<C> {
  if (!metrics.enabled) return {};
  const { graphqlDuration } = metrics;
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operationName, operation, errors, response }) {
          const body = response.body;
          const data = body.kind === 'single' ? body.singleResult.data : undefined;
          // An anonymous operation is named by its first root field (a schema name, not an alias).
          const first = operation?.selectionSet.selections[0];
          const name = operationName ?? (first?.kind === Kind.FIELD ? first.name.value : undefined);
          graphqlDuration.observe(
            { operation: metrics.operationLabel(name), outcome: outcomeOf(errors, data) },
            Number(process.hrtime.bigint() - started) / 1e9,
          );
        },
      };
    },
  };
}

/** GET /metrics: the service's registry in the Prometheus text format (404 when metrics are off). */
export function metricsRoute(metrics: ServiceMetrics): RouteHandler {
  return async (_req, res) => {
    if (!metrics.enabled) {
      res.statusCode = 404;
      res.end('metrics are off (TELEMETRY_METRICS=off)\n');
      return;
    }
    const text = await metrics.exposition();
    res.statusCode = 200;
    res.setHeader('content-type', metrics.registry.contentType);
    res.end(text);
  };
}
