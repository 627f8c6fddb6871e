/**
 * Starts the whole supergraph in this process for end-to-end tests: the four subgraphs and the
 * gateway on free ports, against the real MariaDB and Redis, in databases and a Redis key prefix
 * unique to this run (so parallel test files and a running `npm start` never disturb each other).
 * `stop()` closes everything and drops what the run created. The start, stop and clean-up are the
 * launcher's in-process mode (scripts/launcher/in-process.ts; the same launcher starts child
 * processes for the bench, chaos, `npm start` and the replica tests), the secrets its generator;
 * e2e tests run in process because they reach into services.
 */
import { randomBytes } from 'node:crypto';
import { Identity, makeSigner, signAccessToken, AccessTokenSigner } from '@flashsale/platform';
import { generatedSecretsEnv } from '../../scripts/launcher/secrets';
import { InProcessStack, launchInProcess } from '../../scripts/launcher/in-process';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
  headers: Headers;
}

/** The launcher's in-process stack, plus what tests call it with. */
export interface Stack extends InProcessStack {
  runId: string;
  signer: AccessTokenSigner;
  /** A fresh access token for `identity`, signed with this run's development key. */
  token(identity: Identity, ttlSeconds?: number): Promise<string>;
  /** POST a GraphQL operation to the gateway (or to `url`). */
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, opts?: { token?: string; url?: string; headers?: Record<string, string> }): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

/** Environment for a test run: unique names, free ports, keys generated in memory. */
export function testEnv(overrides: NodeJS.ProcessEnv = {}): { runId: string; env: NodeJS.ProcessEnv } {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const env: NodeJS.ProcessEnv = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    MYSQL_URL: process.env.MYSQL_URL,
    REDIS_URL: process.env.REDIS_URL,
    DB_PREFIX: `t_${runId}`,
    REDIS_PREFIX: `t:${runId}:`,
    GATEWAY_PORT: '0',
    USER_PORT: '0',
    PRODUCT_PORT: '0',
    CART_PORT: '0',
    ORDER_PORT: '0',
    MYSQL_POOL_SIZE: '10',
    ...generatedSecretsEnv('test1'),
    // Tests fire bursts of hundreds of requests at once and expect every one served: queue them all
    // (test/e2e/overload.e2e.test.ts sets tiny limits to test admission control itself).
    ADMISSION_MAX_QUEUE: '100000',
    ADMISSION_QUEUE_TIMEOUT_MS: '60000',
    SUBGRAPH_ADMISSION_MAX_QUEUE: '100000',
    SUBGRAPH_ADMISSION_QUEUE_TIMEOUT_MS: '60000',
    ...overrides,
  };
  return { runId, env };
}

export async function startStack(overrides: NodeJS.ProcessEnv = {}): Promise<Stack> {
  const { runId, env } = testEnv(overrides);
  const { config, user, product, cart, order, gateway, stop } = await launchInProcess(env);
  try {
    const signer = makeSigner(env.JWT_PRIVATE_KEY!, user.deps.secrets.jwtKeyId, { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE }, config.ACCESS_TOKEN_TTL_SECONDS);
    const gql: Stack['gql'] = async (query, variables, opts = {}) => {
      const res = await fetch(opts.url ?? gateway.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...opts.headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json().catch(() => ({}))) as { data?: never; errors?: never };
      return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
    };
    return {
      runId,
      config,
      env,
      gatewayUrl: gateway.url,
      user,
      product,
      cart,
      order,
      gateway,
      signer,
      token: async (identity, ttl) => (await signAccessToken(signer, identity, ttl)).token,
      gql,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
