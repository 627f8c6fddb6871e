/**
 * The one bootstrap every subgraph uses: plain node:http + Apollo Server 5 (http.ts), identity
 * from gateway-signed headers, request ids, `GET /health` over the subgraph's dependencies,
 * body-size limit, admission control, error masking, and graceful shutdown (stop accepting, drain
 * in-flight requests, then close pools).
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { GraphQLSchema } from 'graphql';
import type Redis from 'ioredis';
import { Config, ServiceName, servicePort } from './config';
import type { Logger } from './logger';
import { BaseContext } from './context';
import { makeFormatError, AppError } from './errors';
import { REQUEST_ID_HEADER, bodyDigestOf, claimIdentityNonce, verifyIdentityHeaders } from './identity';
import { requestLogPlugin } from './request-log';
import { protocolErrorsPlugin } from './protocol';
import { AdmissionController } from './admission';
import { HttpError, RouteHandler, executeGraphQL, pathOf, readJsonBody, sendError, withAdmission } from './http';
import { healthRoutes } from './health';
import { serviceMetrics } from './telemetry/metrics';
import { graphqlMetricsPlugin, metricsRoute } from './telemetry/http-metrics';
import { SpanKind, contextFromHeaders, tracingEnabled, withSpan } from './telemetry/tracing';

export interface RunningServer {
  name: string;
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface SubgraphDefinition<Ctx extends BaseContext> {
  name: ServiceName;
  schema: GraphQLSchema;
  /** Adds the subgraph's own per-request state (entity manager fork, loaders) to the base context. */
  context: (base: BaseContext) => Ctx | Promise<Ctx>;
  /** Named dependency checks for GET /health and /health/ready; each resolves when the dependency answers. */
  health: Record<string, () => Promise<unknown>>;
  /** Extra GET routes by path (for example the JWKS document at /.well-known/jwks.json). */
  routes?: Record<string, RouteHandler>;
  /** Closes the subgraph's pools and workers after the HTTP server has drained. */
  close: () => Promise<void>;
  plugins?: ApolloServerPlugin<Ctx>[];
  /** The replay cache for signed identity (shared by replicas): each signed nonce is accepted once. */
  replayCache: Redis;
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

export function requestIdOf(header: string | string[] | undefined): string {
  const v = Array.isArray(header) ? header[0] : header;
  return v && SAFE_REQUEST_ID.test(v) ? v : randomUUID();
}

export async function serveSubgraph<Ctx extends BaseContext>(
  config: Config,
  identitySecret: string,
  logger: Logger,
  def: SubgraphDefinition<Ctx>,
): Promise<RunningServer> {
  // Sized for direct callers too: the gateway's own admission control keeps normal traffic far
  // below these, so they only bite when a subgraph is reached around the gateway.
  const admission = new AdmissionController({
    maxInFlight: config.SUBGRAPH_ADMISSION_MAX_IN_FLIGHT,
    maxQueue: config.SUBGRAPH_ADMISSION_MAX_QUEUE,
    queueTimeoutMs: config.SUBGRAPH_ADMISSION_QUEUE_TIMEOUT_MS,
    codel: { intervalMs: config.ADMISSION_CODEL_INTERVAL_MS, targetMs: config.ADMISSION_CODEL_TARGET_MS },
  });
  const metrics = serviceMetrics(def.name);
  metrics.trackAdmission(admission);
  const graphql = withAdmission(admission, { base: config.ADMISSION_RETRY_AFTER_SECONDS, max: config.ADMISSION_RETRY_AFTER_MAX_SECONDS }, tracedRequest(def.name, async (req, res) => {
    const requestId = requestIdOf(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    try {
      let bodyBytes: Buffer | undefined;
      const body = req.method === 'POST' ? await readJsonBody(req, config.MAX_BODY_BYTES, (b) => (bodyBytes = b)) : undefined;
      await executeGraphQL(server, req, res, body, async () => {
        const reqLogger = logger.child({ requestId });
        let identity = null;
        try {
          // Bound to this request: method, request target and the digest of the body bytes read.
          const received = { method: req.method ?? 'GET', path: req.url ?? '/', bodyDigest: bodyDigestOf(bodyBytes) };
          const verified = verifyIdentityHeaders(identitySecret, req.headers, requestId, received, config.IDENTITY_MAX_AGE_SECONDS);
          if (verified) {
            await claimIdentityNonce(def.replayCache, requestId, verified);
            identity = verified.identity;
          }
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          if (err.code === 'SERVICE_UNAVAILABLE') {
            // Fail closed: without the replay cache a signed request cannot be told from a replay.
            reqLogger.warn({ err: (err as { cause?: unknown }).cause, securityEvent: 'identity_replay_cache_unavailable' }, 'refused identity: replay cache unavailable');
            throw new AppError(err.code, err.message, { ...err.extensions, http: { status: 503, headers: new Map([['retry-after', String(err.extensions.retryAfter ?? 1)]]) } });
          }
          reqLogger.warn({ reason: err.message, securityEvent: 'identity_rejected', method: req.method, path: req.url }, 'rejected identity headers');
          // A refusal from the context function would otherwise be answered HTTP 500.
          throw new AppError(err.code, err.message, { http: { status: 401 } });
        }
        const clientIp = String(req.headers['x-client-ip'] ?? req.socket.remoteAddress ?? '');
        return def.context({ requestId, identity, clientIp, logger: reqLogger });
      });
    } catch (err) {
      if (err instanceof HttpError) return sendError(res, err);
      logger.error({ err, requestId }, 'request failed outside GraphQL');
      sendError(res, new HttpError(500, 'Internal server error', 'INTERNAL_SERVER_ERROR'));
    }
  }));
  const routes: Record<string, RouteHandler> = {
    // Open in development; production may move it behind a token or another port (docs/OPERATIONS.md).
    '/metrics': metricsRoute(metrics),
    // A subgraph's own dependencies are all it reaches, so /health and /health/ready check the same.
    ...healthRoutes(def.name, { all: def.health, ready: def.health }),
    ...def.routes,
  };
  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = pathOf(req);
    if (path === '/graphql' || path === '/graphql/') return void graphql(req, res);
    const route = routes[path];
    if (route && (req.method === 'GET' || req.method === 'HEAD')) {
      return void Promise.resolve(route(req, res)).catch((err: unknown) => {
        logger.error({ err, path }, 'route failed');
        sendError(res, new HttpError(500, 'Internal server error', 'INTERNAL_SERVER_ERROR'));
      });
    }
    sendError(res, new HttpError(404, `Cannot ${req.method} ${path}`, 'NOT_FOUND'));
  };
  const httpServer = http.createServer();
  // The gateway's fetcher keeps idle sockets open indefinitely; with Node's 5 s default the server
  // closes a socket just as the gateway reuses it (ECONNRESET -> SERVICE_UNAVAILABLE after any pause).
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;
  const server = new ApolloServer<Ctx>({
    schema: def.schema,
    introspection: config.NODE_ENV !== 'production',
    includeStacktraceInErrorResponses: false,
    // runMain owns SIGTERM/SIGINT: it drains this server and then closes pools in order.
    stopOnTerminationSignals: false,
    formatError: makeFormatError(logger),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginInlineTraceDisabled(),
      // No cache hints are used; the plugin would otherwise wrap every field resolver.
      ApolloServerPluginCacheControlDisabled(),
      requestLogPlugin<Ctx>(logger),
      protocolErrorsPlugin<Ctx>(),
      graphqlMetricsPlugin<Ctx>(metrics),
      ...(config.NODE_ENV === 'production' ? [ApolloServerPluginLandingPageDisabled()] : []),
      ...(def.plugins ?? []),
    ],
  });
  await server.start();
  httpServer.on('request', handle);

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(servicePort(config, def.name), config.HOST, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}/graphql`;
  logger.info({ url }, `${def.name} subgraph ready`);

  let closing: Promise<void> | undefined;
  return {
    name: def.name,
    url,
    port,
    close() {
      closing ??= (async () => {
        logger.info(`${def.name} subgraph shutting down`);
        await server.stop(); // stops accepting and drains in-flight requests
        await def.close();
      })();
      return closing;
    },
  };
}

/**
 * A request handler run inside a server span that continues the caller's W3C trace context
 * (telemetry/tracing.ts T3); the handler itself when tracing is off.
 */
export function tracedRequest(service: string, handler: RouteHandler): RouteHandler {
  return (req, res) => {
    if (!tracingEnabled()) return handler(req, res);
    const parent = contextFromHeaders(req.headers);
    return withSpan(`${service} ${req.method ?? 'GET'} /graphql`, { kind: SpanKind.SERVER, parent, attributes: { 'service.name': service, 'http.request.method': req.method ?? 'GET' } }, async (span) => {
      await handler(req, res);
      span?.setAttribute('http.response.status_code', res.statusCode);
    });
  };
}
