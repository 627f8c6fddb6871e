/**
 * The one bootstrap every subgraph uses: Express 5 + Apollo Server 5, identity from gateway-signed
 * headers, request ids, `GET /health` over the subgraph's dependencies, body-size limit, error
 * masking, and graceful shutdown (stop accepting, drain in-flight requests, then close pools).
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import express from 'express';
import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { GraphQLSchema } from 'graphql';
import { Config, ServiceName, servicePort } from './config';
import type { Logger } from './logger';
import { BaseContext } from './context';
import { makeFormatError, AppError } from './errors';
import { REQUEST_ID_HEADER, verifyIdentityHeaders } from './identity';
import { requestLogPlugin } from './request-log';

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
  /** Named dependency checks for GET /health; each resolves when the dependency answers. */
  health: Record<string, () => Promise<unknown>>;
  /** Extra HTTP routes (for example the JWKS document). */
  routes?: (app: express.Express) => void;
  /** Closes the subgraph's pools and workers after the HTTP server has drained. */
  close: () => Promise<void>;
  plugins?: ApolloServerPlugin<Ctx>[];
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

export function requestIdOf(header: string | string[] | undefined): string {
  const v = Array.isArray(header) ? header[0] : header;
  return v && SAFE_REQUEST_ID.test(v) ? v : randomUUID();
}

export async function healthHandler(checks: Record<string, () => Promise<unknown>>, timeoutMs = 2000) {
  const results: Record<string, string> = {};
  await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await Promise.race([check(), new Promise((_, rej) => setTimeout(() => rej(new Error('timed out')), timeoutMs).unref())]);
        results[name] = 'ok';
      } catch (err) {
        results[name] = `down: ${(err as Error).message}`.slice(0, 200);
      }
    }),
  );
  const ok = Object.values(results).every((r) => r === 'ok');
  return { ok, body: { status: ok ? 'ok' : 'degraded', checks: results } };
}

export async function serveSubgraph<Ctx extends BaseContext>(
  config: Config,
  identitySecret: string,
  logger: Logger,
  def: SubgraphDefinition<Ctx>,
): Promise<RunningServer> {
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
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
      ...(config.NODE_ENV === 'production' ? [ApolloServerPluginLandingPageDisabled()] : []),
      ...(def.plugins ?? []),
    ],
  });
  await server.start();

  app.get('/health', async (_req, res) => {
    const { ok, body } = await healthHandler(def.health);
    res.status(ok ? 200 : 503).json({ service: def.name, ...body });
  });
  def.routes?.(app);
  app.use(
    '/graphql',
    express.json({ limit: config.MAX_BODY_BYTES }),
    expressMiddleware(server, {
      context: async ({ req }) => {
        const requestId = requestIdOf(req.headers[REQUEST_ID_HEADER]);
        const reqLogger = logger.child({ requestId });
        let identity;
        try {
          identity = verifyIdentityHeaders(identitySecret, req.headers, requestId, config.IDENTITY_MAX_AGE_SECONDS);
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          reqLogger.warn({ reason: err.message }, 'rejected identity headers');
          // A refusal from the context function would otherwise be answered HTTP 500.
          throw new AppError(err.code, err.message, { http: { status: 401 } });
        }
        const clientIp = String(req.headers['x-client-ip'] ?? req.socket.remoteAddress ?? '');
        return def.context({ requestId, identity, clientIp, logger: reqLogger });
      },
    }),
  );

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
