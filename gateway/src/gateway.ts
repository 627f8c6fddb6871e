/**
 * The public entry point: an Apollo Gateway on Apollo Server 5, served by plain node:http (the
 * platform's http.ts). It verifies `Authorization: Bearer` access tokens (platform tokens.ts; pinned algorithm,
 * issuer, audience, expiry; each token verified once, then cached until its `exp`) into
 * `{ userId, roles }` and forwards that identity to subgraphs in HMAC-signed headers. A request
 * carrying a bad token is refused with UNAUTHENTICATED before any query planning or subgraph call.
 * Admission control runs before anything else: the excess is answered 503 SERVICE_UNAVAILABLE
 * with Retry-After at once, before its body is read or its token verified. The waiting room's
 * routes (waiting-room.ts) are served beside GraphQL, outside admission control.
 *
 * Over 300 lines on purpose: it is the one place where the gateway's parts (tokens, armor limits,
 * admission, rate limits, the waiting room, health, metrics, the explorer) are wired into one
 * request router, in the order a request meets them.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import cors from 'cors';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { rateLimitPlugin } from './rate-limit';
import { cachingVerifier } from './token-cache';
import { SubgraphFetcher, subgraphFetcher } from './subgraph-fetcher';
import { identitySigningFetcher } from './identity-signing';
import { explorerHandler } from './explorer';
import { telemetryFetcher } from './fetch-telemetry';
import { clientAddress } from './client-address';
import { WAITING_ROOM_PREFIX, WaitingRoomEdge } from './waiting-room';
import type { GatewayContext } from './context';
import {
  AdmissionController,
  HttpError,
  executeGraphQL,
  pathOf,
  readJsonBody,
  sendError,
  withAdmission,
  Config,
  Identity,
  Logger,
  RunningServer,
  SERVICES,
  ServiceName,
  REQUEST_ID_HEADER,
  healthRoutes,
  loadSecrets,
  makeFormatError,
  makeTokenChecker,
  requestIdOf,
  serviceUrl,
  IDENTITY_HEADERS,
  createRedis,
  requestLogPlugin,
  protocolErrorsPlugin,
  AccessTokenVerifier,
  ServiceMetrics,
  graphqlMetricsPlugin,
  metricsRoute,
  serviceMetrics,
  startTracing,
  tracedRequest,
  TicketSigner,
  WaitingLine,
  lineSettingsOf,
} from '@flashsale/platform';

export type { GatewayContext };

/** Verified tokens kept (about 1 KB each); a buyer's repeated requests skip ES256 verification. */
const TOKEN_CACHE_MAX = 20_000;
// One invalid document gets at most this many validation errors (then graphql-js's "Too many
// validation errors" and it stops): ten copies of an unknown directive no longer cost ten errors.
const MAX_VALIDATION_ERRORS = 5;

export const DEFAULT_SUPERGRAPH_PATH = resolve(__dirname, '../../schema/supergraph.graphql');

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/** Reads the bearer token; no header means anonymous, anything malformed or invalid is refused. */
export async function identityFromAuthorization(header: string | undefined, verify: AccessTokenVerifier): Promise<Identity | null> {
  if (header === undefined || header === '') return null;
  const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/.exec(header.trim());
  if (!match) throw unauthenticated('Authorization header must be "Bearer <access token>"');
  try {
    return await verify(match[1]);
  } catch {
    throw unauthenticated('Access token is invalid or expired');
  }
}

type FetcherResponse = Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0];

class IdentityForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(options: { url: string; name: string; fetcher: SubgraphFetcher['fetcher'] }, secret: string, metrics: ServiceMetrics) {
    // Not Apollo's default make-fetch-happen stack (3.4 ms of gateway CPU per placeOrder against
    // 2.4 ms with Node's fetch, docs/BENCHMARKS.md), nor Node's fetch: see subgraph-fetcher.ts.
    // Subgraphs send no cache-control hints worth parsing. Each fetch is signed where its body is
    // final (identity-signing.ts).
    super({ ...options, fetcher: telemetryFetcher(identitySigningFetcher(options.fetcher, secret), options.name, metrics), honorSubgraphCacheControlHeader: false });
  }

  /**
   * A subgraph's own admission control answers 503 SERVICE_UNAVAILABLE (or 429) with retryAfter:
   * pass that on as the same typed, retryable error (Apollo's default would be a code-less error,
   * masked as INTERNAL_SERVER_ERROR), without the subgraph's URL or body.
   */
  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    if (response.status === 503 || response.status === 429) {
      const body = (await response.json().catch(() => null)) as { errors?: Array<{ extensions?: { retryAfter?: unknown } }> } | null;
      const retryAfter = Math.max(1, Math.ceil(Number(body?.errors?.[0]?.extensions?.retryAfter ?? response.headers.get('retry-after') ?? 1) || 1));
      const code = response.status === 429 ? 'RATE_LIMITED' : 'SERVICE_UNAVAILABLE';
      return new GraphQLError('Service temporarily unavailable, please retry', { extensions: { code, retryAfter } });
    }
    return super.errorFromResponse(response);
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers || !('requestId' in context)) return; // health checks and schema fetches carry no caller
    headers.set(REQUEST_ID_HEADER, context.requestId);
    headers.set('x-client-ip', context.clientIp);
    // Only the caller here: the body is stringified after this hook, so the signature over it is
    // added by the fetcher (identity-signing.ts), once per subgraph fetch.
    if (context.identity) {
      headers.set(IDENTITY_HEADERS.user, context.identity.userId);
      headers.set(IDENTITY_HEADERS.roles, context.identity.roles.join(','));
    }
  }
}

/**
 * The gateway's accept queue: deep, because an opening brings thousands of new connections at
 * once and the kernel's queue keeps their order (see the listen call). The kernel caps it at
 * net.core.somaxconn; docker-compose.yml raises that for the gateway.
 */
export const LISTEN_BACKLOG = 65_535;

export async function startGateway(config: Config, logger: Logger, opts: { supergraphSdl?: string } = {}): Promise<RunningServer> {
  const secrets = loadSecrets(config);
  startTracing('gateway'); // a no-op unless OTEL_* asks for traces
  const metrics = serviceMetrics('gateway');
  const verify = cachingVerifier(
    makeTokenChecker(
      { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
      config.JWT_JWKS_URL ? { jwksUrl: config.JWT_JWKS_URL } : { publicKeyPem: secrets.jwtPublicKeyPem },
    ),
    { max: TOKEN_CACHE_MAX },
  );
  const urlOf = (name: string) => serviceUrl(config, name as ServiceName);
  // GATEWAY_SUBGRAPH_CLIENT=fetch keeps Node's global fetch (the A/B in docs/BENCHMARKS.md).
  const pooled = subgraphFetcher();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const fetcherFor = () => (config.GATEWAY_SUBGRAPH_CLIENT === 'fetch' ? (fetch as any) : pooled.fetcher);

  // Apollo Gateway sends anonymous usage telemetry to Apollo unless this is 'true' or '1': off by
  // default here; an operator who wants it sets APOLLO_TELEMETRY_DISABLED=false.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const gateway = new ApolloGateway({
    ...(config.SUPERGRAPH_SOURCE === 'introspect' && !opts.supergraphSdl
      ? { supergraphSdl: new IntrospectAndCompose({ subgraphs: SERVICES.map((name) => ({ name, url: urlOf(name) })), pollIntervalInMs: 10_000 }) }
      : { supergraphSdl: opts.supergraphSdl ?? readFileSync(config.SUPERGRAPH_PATH ?? DEFAULT_SUPERGRAPH_PATH, 'utf8') }),
    // Subgraph URLs come from configuration, not from the composed file, so ports can move.
    buildService: ({ name }) => new IdentityForwardingDataSource({ name, url: urlOf(name), fetcher: fetcherFor() }, secrets.identitySecret, metrics),
    logger,
  });

  const production = config.NODE_ENV === 'production';
  // Abuse limits, checked while validating the operation, so an over-limit request is refused
  // before any query plan runs or any subgraph is called. Validation results are cached per query.
  const armor = new ApolloArmor({
    maxDepth: { n: config.MAX_QUERY_DEPTH, ignoreIntrospection: true, flattenFragments: true, exposeLimits: true },
    // Every alias counts, `__typename` and introspection fields too (armor's default allow-list
    // exempts `__typename`, so 101 aliases of it were answered).
    maxAliases: { n: config.MAX_ALIASES, allowList: [], exposeLimits: true },
    costLimit: { maxCost: config.MAX_QUERY_COST, objectCost: 2, scalarCost: 1, depthCostFactor: 1.5, ignoreIntrospection: true, exposeLimits: true },
    maxDirectives: { n: 20, exposeLimits: true },
    // Token count is enforced by the parser itself (parseOptions below), so a syntax error stays a
    // 400 GRAPHQL_PARSE_FAILED (armor's token plugin re-parses in a hook and turns it into a 500).
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: production },
  });
  const protection = armor.protect();
  const redis = createRedis(config);
  redis.on('error', (err) => logger.debug({ err }, 'redis connection error'));
  const corsMiddleware = cors({ origin: config.CORS_ORIGINS, credentials: false, maxAge: 600 });
  const admission = new AdmissionController({
    maxInFlight: config.ADMISSION_MAX_IN_FLIGHT,
    maxQueue: config.ADMISSION_MAX_QUEUE,
    queueTimeoutMs: config.ADMISSION_QUEUE_TIMEOUT_MS,
    codel: { intervalMs: config.ADMISSION_CODEL_INTERVAL_MS, targetMs: config.ADMISSION_CODEL_TARGET_MS },
  });
  metrics.trackAdmission(admission);
  const graphql = withAdmission(admission, { base: config.ADMISSION_RETRY_AFTER_SECONDS, max: config.ADMISSION_RETRY_AFTER_MAX_SECONDS }, tracedRequest('gateway', async (req, res) => {
    const requestId = res.getHeader(REQUEST_ID_HEADER) as string;
    try {
      const body = req.method === 'POST' ? await readJsonBody(req, config.MAX_BODY_BYTES) : undefined;
      if (Array.isArray(body) && body.length > config.MAX_BATCH_SIZE) {
        throw new HttpError(400, `At most ${config.MAX_BATCH_SIZE} operation(s) per request`);
      }
      await executeGraphQL(server, req, res, body, async () => {
        const identity = await identityFromAuthorization(req.headers.authorization, verify);
        return { requestId, identity, clientIp: clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], config.TRUSTED_PROXIES) };
      });
    } catch (err) {
      if (err instanceof HttpError) return sendError(res, err);
      logger.error({ err, requestId }, 'request failed outside GraphQL');
      sendError(res, new HttpError(500, 'Internal server error', 'INTERNAL_SERVER_ERROR'));
    }
  }));
  // The waiting room's edge routes (waiting-room.ts): outside admission control and GraphQL.
  const waitingRoom = new WaitingRoomEdge({
    line: new WaitingLine(redis, lineSettingsOf(config)),
    signer: new TicketSigner(secrets.identitySecret),
    identify: (req) => identityFromAuthorization(req.headers.authorization, verify),
    metrics,
    logger,
    refreshMs: config.WAITING_ROOM_REFRESH_MS,
    joinBatchMs: config.WAITING_ROOM_JOIN_BATCH_MS,
    maxWatchers: config.WAITING_ROOM_MAX_WATCHERS,
  });
  const serveMetrics = metricsRoute(metrics);
  // /health asks every subgraph's /health. /health/ready checks nothing: the supergraph is composed
  // before the gateway listens, and rate limits fail open without Redis, so a listening gateway
  // can serve; a subgraph that is down is answered per field with a typed error.
  const subgraphChecks = Object.fromEntries(
    SERVICES.map((name) => [
      name,
      async () => {
        const r = await fetch(urlOf(name).replace(/\/graphql$/, '/health'));
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
      },
    ]),
  );
  const healthRoute = healthRoutes('gateway', { all: subgraphChecks, ready: {} });
  const explorer = production ? null : explorerHandler();
  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = pathOf(req);
    if (path === '/graphql' || path === '/graphql/') {
      // Echoed on every answer, the busy ones included.
      res.setHeader(REQUEST_ID_HEADER, requestIdOf(req.headers[REQUEST_ID_HEADER]));
      corsMiddleware(req, res, () => void graphql(req, res));
      return;
    }
    if (path.startsWith(WAITING_ROOM_PREFIX)) {
      corsMiddleware(req, res, () => waitingRoom.handle(req, res, path));
      return;
    }
    // Open in development; production may move it behind a token or another port (docs/OPERATIONS.md).
    if (path === '/metrics' && req.method === 'GET') {
      Promise.resolve(serveMetrics(req, res)).catch(() => sendError(res, new HttpError(500, 'Internal server error', 'INTERNAL_SERVER_ERROR')));
      return;
    }
    // /health, /health/ready and /health/live are never refused by admission control: an
    // orchestrator probing a busy gateway must get an answer.
    if (Object.hasOwn(healthRoute, path) && (req.method === 'GET' || req.method === 'HEAD')) {
      Promise.resolve(healthRoute[path](req, res)).catch(() => sendError(res, new HttpError(500, 'Internal server error', 'INTERNAL_SERVER_ERROR')));
      return;
    }
    // The offline GraphiQL explorer (issue 13), development only.
    if (explorer?.(req, res)) return;
    sendError(res, new HttpError(404, `Cannot ${req.method} ${path}`, 'NOT_FOUND'));
  };
  const httpServer = http.createServer();
  // Clients and load balancers keep sockets open between requests; Node's 5 s default closes
  // them just as a client reuses one.
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;
  const server = new ApolloServer<GatewayContext>({
    gateway,
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    // runMain owns SIGTERM/SIGINT: it drains this server and then closes pools in order.
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: config.MAX_BATCH_SIZE > 1,
    validationRules: protection.validationRules,
    validationOptions: { maxErrors: MAX_VALIDATION_ERRORS },
    parseOptions: { maxTokens: 2000 },
    formatError: makeFormatError(logger),
    plugins: [
      ...protection.plugins,
      protocolErrorsPlugin<GatewayContext>(),
      rateLimitPlugin(config.RATE_LIMITS, redis, logger),
      requestLogPlugin<GatewayContext>(logger),
      graphqlMetricsPlugin<GatewayContext>(metrics),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Subgraphs send no cache hints; the plugin would compute a policy for every answer.
      ApolloServerPluginCacheControlDisabled(),
      production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
    ],
  });
  await server.start();
  httpServer.on('request', handle);

  await new Promise<void>((res, rej) => {
    httpServer.once('error', rej);
    // The opening instant brings thousands of new connections at once: Node's default accept
    // backlog (511) drops the excess SYNs, and a dropped SYN is retried by the client a second
    // later (or, once SYN cookies kick in, the connection may be reset), which reorders buyers
    // before any code of ours sees them. The kernel's queue is first in, first out, so a deep one
    // keeps arrival order. It caps this at net.core.somaxconn (4096 by default on current kernels;
    // README "Operating" says to raise it on gateway hosts).
    httpServer.listen({ port: config.GATEWAY_PORT, host: config.HOST, backlog: LISTEN_BACKLOG }, () => res());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${config.HOST}:${port}/graphql`;
  logger.info({ url }, 'gateway ready');
  let closing: Promise<void> | undefined;
  return {
    name: 'gateway',
    url,
    port,
    close() {
      waitingRoom.close();
      closing ??= server.stop().finally(() => Promise.all([redis.quit().catch(() => redis.disconnect()), pooled.close().catch(() => undefined)]).then(() => undefined));
      return closing;
    },
  };
}
