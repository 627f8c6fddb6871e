/**
 * The storefront server: the SPA's production build (web/dist) on its own origin, with an SPA
 * fallback to index.html, and /config.json naming the gateway the SPA calls (through CORS), so one
 * build works against any gateway. `npm start` and the browser tests start it through
 * scripts/storefront.ts; the container image runs it as its own process (storefront-main.ts).
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { staticFiles } from './static-files';

/** web/dist from gateway/src (sources) and gateway/dist (compiled, as in the image) alike. */
export const STOREFRONT_DIST = resolve(__dirname, '../../web/dist');

export interface Storefront {
  url: string;
  close(): Promise<void>;
}

/**
 * `gatewayUrl` may be a function, read at each /config.json request: a caller can then listen on a
 * port the system picks (port 0) before the gateway it points at has started (the browser tests).
 */
export async function startStorefront(opts: { port: number; host: string; gatewayUrl: string | (() => string); dir?: string }): Promise<Storefront> {
  const serve = staticFiles(opts.dir ?? STOREFRONT_DIST, { index: 'index.html', spaFallback: true });
  const gatewayUrl = opts.gatewayUrl;
  const config = () => JSON.stringify({ gatewayUrl: typeof gatewayUrl === 'function' ? gatewayUrl() : gatewayUrl });
  const server = http.createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(config());
      return;
    }
    serve(req, res);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port, opts.host, () => ok());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host;
  return {
    url: `http://${host}:${port}/`,
    close: () => new Promise<void>((ok) => {
      server.close(() => ok());
      server.closeAllConnections();
    }),
  };
}
