import http from 'node:http';
import { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { HttpError, readJsonBody, sendError, sendJson } from './http';

/** A real server that answers what readJsonBody made of the request. */
let server: http.Server;
let url: string;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    readJsonBody(req, 1000).then(
      (body) => sendJson(res, 200, { body: body ?? null }),
      (err: HttpError) => sendError(res, err),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(() => new Promise((r) => server.close(r)));

type Body = RequestInit['body'];

async function post(body: Body, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers, body, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit);
  return { status: res.status, body: (await res.json()) as { body?: unknown; errors?: Array<{ message: string; extensions: { code: string } }> } };
}

describe('readJsonBody', () => {
  it('parses a JSON body (charset utf-8 or none, +json types)', async () => {
    expect(await post('{"query":"{ a }"}', { 'content-type': 'application/json' })).toEqual({ status: 200, body: { body: { query: '{ a }' } } });
    expect((await post('[{"query":"x"}]', { 'content-type': 'application/json; charset=utf-8' })).body.body).toEqual([{ query: 'x' }]);
    expect((await post('{"a":1}', { 'content-type': 'application/graphql-response+json' })).body.body).toEqual({ a: 1 });
  });

  it('leaves other content types and empty bodies to Apollo Server (undefined)', async () => {
    expect((await post('query { a }', { 'content-type': 'text/plain' })).body.body).toBeNull();
    expect((await post(undefined)).body.body).toBeNull();
  });

  it('answers malformed JSON and non-object JSON 400 BAD_REQUEST', async () => {
    for (const bad of ['{"query": ', '"just a string"', '42', 'null']) {
      const res = await post(bad, { 'content-type': 'application/json' });
      expect(res.status).toBe(400);
      expect(res.body.errors?.[0].extensions.code).toBe('BAD_REQUEST');
    }
  });

  it('answers 413 for a body over the limit, declared or streamed without a length', async () => {
    const big = JSON.stringify({ query: 'x'.repeat(2000) });
    expect((await post(big, { 'content-type': 'application/json' })).status).toBe(413);
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 20; i++) c.enqueue(new TextEncoder().encode(i === 0 ? '{"q":"' : 'x'.repeat(100)));
        c.close();
      },
    });
    const res = await post(stream as unknown as Body, { 'content-type': 'application/json' });
    expect(res.status).toBe(413);
    expect(res.body.errors?.[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('inflates gzip bodies and applies the limit to the inflated size', async () => {
    const small = gzipSync(JSON.stringify({ query: '{ a }' }));
    expect((await post(small, { 'content-type': 'application/json', 'content-encoding': 'gzip' })).body.body).toEqual({ query: '{ a }' });
    const bomb = gzipSync(JSON.stringify({ query: ' '.repeat(100_000) }));
    expect(bomb.length).toBeLessThan(1000);
    expect((await post(bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status).toBe(413);
  });

  it('refuses a charset other than UTF-8 and unknown encodings with 415', async () => {
    expect((await post('{}', { 'content-type': 'application/json; charset=latin1' })).status).toBe(415);
    expect((await post('{}', { 'content-type': 'application/json', 'content-encoding': 'zstd-ish' })).status).toBe(415);
  });
});
