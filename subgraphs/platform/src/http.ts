/**
 * The HTTP layer shared by the gateway and every subgraph: plain `node:http` driving Apollo
 * Server's integration API (`executeHTTPGraphQLRequest`), as Apollo's own standalone server does,
 * without Express, its router and body-parser. It reads a JSON body with a byte limit (413), answers
 * a malformed one 400, refuses over-limit traffic 503 through admission control, and writes every
 * error it produces itself in the GraphQL shape `{ errors: [{ message, extensions: { code } }] }`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGunzip, createInflate, createBrotliDecompress } from 'node:zlib';
import type { Readable } from 'node:stream';
import { ApolloServer, BaseContext as ApolloContext, HeaderMap, HTTPGraphQLRequest } from '@apollo/server';
import { AdmissionController, AdmissionRefused, Release } from './admission';
import { AnswerError } from './errors';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** An error answered to the client as `{ errors: [{ message, extensions }] }` with this status. */
export class HttpError extends AnswerError {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string = 'BAD_REQUEST',
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJsonText(res, status, JSON.stringify(body), headers);
}

/** Like sendJson, for a body already serialized (a document built once and sent to many). */
export function sendJsonText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.statusCode = status;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

export function sendError(res: ServerResponse, err: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, err.status, { errors: [{ message: err.message, extensions: { code: err.code, ...err.extensions } }] }, err.headers);
}

/** The 503 every admission refusal (and any other busy answer) gets: typed, retryable, with Retry-After. */
export function busyError(retryAfterSeconds: number, message?: string): HttpError {
  const retryAfter = Math.max(1, Math.ceil(retryAfterSeconds));
  return new HttpError(503, message ?? `Too busy right now; retry in ${retryAfter}s`, 'SERVICE_UNAVAILABLE', { retryAfter }, { 'retry-after': String(retryAfter) });
}

/** `retryAfter` of a busy answer: at least `base` seconds, spread up to `max` with the overload. */
export interface RetryAfter {
  base: number;
  max: number;
}

/**
 * Runs `handler` once admission control lets the request in; answers 503 at once when the queue
 * is full, or when the request waited past its deadline, with a retryAfter that spreads the
 * refused over the seconds it takes to serve them (AdmissionController.retryAfterSeconds). The
 * slot is held until the response is finished or the connection closed, whichever comes first.
 */
export function withAdmission(admission: AdmissionController | undefined, retryAfter: RetryAfter, handler: RouteHandler): RouteHandler {
  if (!admission) return handler;
  const busy = () => busyError(admission.retryAfterSeconds(retryAfter.base, retryAfter.max));
  // The slot is held until the handler is done (answered, or failed), not merely until the client
  // hangs up: work a client gave up on still occupies the machine.
  const run = (req: IncomingMessage, res: ServerResponse, release: Release) => {
    let done: void | Promise<void>;
    try {
      done = handler(req, res);
    } catch {
      release();
      return;
    }
    if (done) done.then(release, release);
    else release();
  };
  return (req, res) => {
    let got: Release | Promise<Release>;
    try {
      got = admission.acquire({ onCancel: (cb) => res.once('close', cb) });
    } catch (err) {
      if (err instanceof AdmissionRefused) return sendError(res, busy());
      throw err;
    }
    if (typeof got === 'function') return run(req, res, got);
    return got.then(
      (release) => (res.destroyed || res.writableEnded ? release() : run(req, res, release)),
      (err: unknown) => {
        if (err instanceof AdmissionRefused && err.reason === 'cancelled') return;
        sendError(res, busy());
      },
    );
  };
}

/** The longest a request body may take to arrive once its headers have. */
export const BODY_READ_TIMEOUT_MS = 10_000;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([\w-]+)"?/i;

/**
 * Reads the request body: parsed JSON for a JSON content type, `undefined` for no body or another
 * content type (Apollo Server then answers 400 itself). Never reads more than `limitBytes`
 * (decompressed, when the body is gzip/deflate/br encoded): 413 beyond it, 400 for bad JSON,
 * 415 for a charset other than UTF-8 or an unknown content encoding, 408 when the body has not
 * arrived within BODY_READ_TIMEOUT_MS. `onBytes` is given the body bytes read (after content
 * decoding, before parsing): subgraphs check the gateway's signed body digest against them.
 */
export async function readJsonBody(req: IncomingMessage, limitBytes: number, onBytes?: (bytes: Buffer) => void): Promise<unknown> {
  const declared = req.headers['content-length'];
  const tooLarge = () => new HttpError(413, `Request body is larger than ${limitBytes} bytes`);
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (declared !== undefined && encoding === 'identity' && Number(declared) > limitBytes) {
    req.resume(); // discard without buffering; the answer goes out at once
    throw tooLarge();
  }
  const type = req.headers['content-type'];
  const hasBody = declared !== undefined ? Number(declared) > 0 : req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return undefined;
  if (!type || !JSON_TYPE.test(type)) {
    req.resume();
    return undefined;
  }
  const charset = CHARSET.exec(type)?.[1]?.toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    req.resume();
    throw new HttpError(415, `Unsupported charset "${charset.toUpperCase()}"`);
  }
  let stream: Readable = req;
  if (encoding === 'gzip' || encoding === 'x-gzip') stream = req.pipe(createGunzip());
  else if (encoding === 'deflate') stream = req.pipe(createInflate());
  else if (encoding === 'br') stream = req.pipe(createBrotliDecompress());
  else if (encoding !== 'identity') {
    req.resume();
    throw new HttpError(415, `Unsupported content encoding "${encoding}"`);
  }

  const bytes = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // A client that trickles its body would hold an admission slot for as long as it likes.
    const timer = setTimeout(() => fail(new HttpError(408, `Request body not received within ${BODY_READ_TIMEOUT_MS / 1000}s`)), BODY_READ_TIMEOUT_MS);
    const fail = (err: HttpError) => {
      clearTimeout(timer);
      stream.removeAllListeners('data');
      req.resume();
      reject(err);
    };
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) return fail(tooLarge());
      chunks.push(chunk);
    });
    stream.once('end', () => {
      clearTimeout(timer);
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    });
    stream.once('error', () => fail(new HttpError(400, 'Malformed request body')));
    req.once('aborted', () => fail(new HttpError(400, 'Request body was cut short')));
    if (stream !== req) req.once('error', () => fail(new HttpError(400, 'Malformed request body')));
  });
  onBytes?.(bytes);
  const text = bytes.toString('utf8');
  // Like body-parser's strict mode: a GraphQL request body is an object or an array.
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') throw new HttpError(400, 'Malformed request body');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'Malformed request body');
  }
}

/** The path part of a request URL, without the query string. */
export function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function searchOf(req: IncomingMessage): string {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return q === -1 ? '' : url.slice(q);
}

/**
 * Hands a request (body already read) to Apollo Server and writes its answer. An error thrown by
 * `context` with `extensions.http.status` is answered by Apollo Server with that status.
 */
export async function executeGraphQL<Ctx extends ApolloContext>(
  server: ApolloServer<Ctx>,
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
  context: () => Promise<Ctx>,
): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const httpGraphQLRequest: HTTPGraphQLRequest = { method: (req.method ?? 'GET').toUpperCase(), headers, search: searchOf(req), body };
  const answer = await server.executeHTTPGraphQLRequest({ httpGraphQLRequest, context });
  for (const [key, value] of answer.headers) res.setHeader(key, value);
  res.statusCode = answer.status ?? 200;
  if (answer.body.kind === 'complete') {
    res.end(answer.body.string);
    return;
  }
  for await (const chunk of answer.body.asyncIterator) res.write(chunk);
  res.end();
}
