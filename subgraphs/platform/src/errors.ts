/**
 * The error catalogue. Expected business outcomes are typed results in the schema (payloads with
 * `userErrors`); everything else is a GraphQL error whose `extensions.code` is one of these.
 * Anything not raised through this catalogue is masked as INTERNAL_SERVER_ERROR so stack traces
 * and SQL never reach a client.
 */
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import type { Logger } from './logger';

export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * An expected refusal that is answered, never logged as a fault (a request not admitted, an HTTP
 * error answer): it captures no stack trace. Under overload busy answers are made by the thousand
 * a second, and capturing traces nobody reads cost more than the answers themselves.
 */
export class AnswerError extends Error {
  constructor(message: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extra } });
  }
  get code(): ErrorCode {
    return this.extensions.code as ErrorCode;
  }
}

export const unauthenticated = (message = 'Authentication required') => new AppError('UNAUTHENTICATED', message);
export const forbidden = (message = 'You are not allowed to do this') => new AppError('FORBIDDEN', message);
export const badInput = (message: string, field?: string) => new AppError('BAD_USER_INPUT', message, field ? { field } : {});
export const notFound = (message = 'Not found') => new AppError('NOT_FOUND', message);
export const rateLimited = (retryAfterSeconds: number) =>
  new AppError('RATE_LIMITED', `Too many attempts; retry in ${retryAfterSeconds}s`, { retryAfter: retryAfterSeconds });
/** Retryable: `retryAfter` (seconds) tells the client when (API.md, Overload). */
export const unavailable = (message = 'Service temporarily unavailable, please retry', retryAfterSeconds = 1) =>
  new AppError('SERVICE_UNAVAILABLE', message, { retryAfter: retryAfterSeconds });

/** Codes that Apollo Server itself produces for malformed requests; they carry no internals. */
export const PASSTHROUGH_CODES: ReadonlySet<string> = new Set<string>([
  ...ERROR_CODES,
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

// `Transaction query already complete`: knex refusing the rest of a transaction whose connection died under it.
// `Deadlock found` / `Lock wait timeout`: the database rolled back a transaction that a retry would pass.
// `fetch failed` (undici): a subgraph could not be reached or hung up mid-answer (the cause says which).
const INFRA_DOWN = /ECONNREFUSED|ETIMEDOUT|ECONNRESET|Connection is closed|Command timed out|Stream isn't writeable|PROTOCOL_CONNECTION_LOST|ER_CON_COUNT|max retries per request|connect ETIMEDOUT|Pool is closed|getaddrinfo|Transaction query already complete|fetch failed|UND_ERR_SOCKET|other side closed|Deadlock found|Lock wait timeout|CLUSTERDOWN|TRYAGAIN|Too many Cluster redirections|Failed to refresh slots cache|None of startup nodes is available|Cluster isn't ready/i;

/**
 * True when an error means Redis, MySQL or a subgraph is unreachable, which clients see as
 * SERVICE_UNAVAILABLE. Wrapped errors are judged by their causes too.
 */
export function isInfrastructureError(err: unknown, depth = 0): boolean {
  const e = err as { code?: string; message?: string; name?: string; cause?: unknown } | undefined;
  if (!e || depth > 3) return false;
  return INFRA_DOWN.test(`${e.code ?? ''} ${e.message ?? ''} ${e.name ?? ''}`) || isInfrastructureError(e.cause, depth + 1);
}

/**
 * Apollo `formatError`: keep catalogue errors and Apollo's request errors, answer BAD_USER_INPUT
 * with its message and field only, turn infrastructure outages into SERVICE_UNAVAILABLE, and mask the rest.
 */
export function makeFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = (error as GraphQLError)?.originalError ?? error;
    const code = formatted.extensions?.code as string | undefined;
    // Argument rules (validation.ts) and Apollo's variable coercion: the message and the field only.
    if (code === 'BAD_USER_INPUT') {
      return {
        message: formatted.message,
        path: formatted.path,
        extensions: { code: 'BAD_USER_INPUT', ...(formatted.extensions?.field ? { field: formatted.extensions.field } : {}) },
      };
    }
    if (original instanceof AppError || (code && PASSTHROUGH_CODES.has(code) && code !== 'INTERNAL_SERVER_ERROR')) {
      const { stacktrace: _ignored, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
      return { ...formatted, extensions };
    }
    if (isInfrastructureError(original)) {
      logger.error({ err: original, path: formatted.path }, 'dependency unavailable');
      return { message: 'Service temporarily unavailable, please retry', path: formatted.path, extensions: { code: 'SERVICE_UNAVAILABLE' } };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error');
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
