/**
 * Serves a directory of built web files (the storefront's production build, the explorer's) over
 * node:http: correct content types, `immutable` caching for Vite's hashed files under `assets/`,
 * `no-cache` for everything else (index.html must be re-checked so a new build is picked up), and
 * optionally a single-page-app fallback to the index file for unknown paths without an extension.
 *
 * Invariant: a request never reads outside `root` (paths are normalised and checked against it).
 */
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type http from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticOptions {
  /** The file answered for `/` (and, with `spaFallback`, for unknown extension-less paths). */
  index: string;
  spaFallback: boolean;
  /** URL prefix the directory is mounted at, e.g. '/graphiql'. Default: '/'. */
  mount?: string;
}

function fileAt(root: string, relative: string): string | null {
  const full = resolve(root, normalize(relative).replace(/^([/\\])+/, ''));
  if (full !== root && !full.startsWith(root + sep)) return null;
  try {
    return statSync(full).isFile() ? full : null;
  } catch {
    return null;
  }
}

/** A handler answering GET/HEAD from `dir`; it returns false (nothing sent) for paths outside its mount. */
export function staticFiles(dir: string, opts: StaticOptions): (req: http.IncomingMessage, res: http.ServerResponse) => boolean {
  const root = resolve(dir);
  const mount = (opts.mount ?? '/').replace(/\/$/, '');
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      path = url.pathname;
    }
    if (mount && path !== mount && !path.startsWith(`${mount}/`)) return false;
    const relative = path.slice(mount.length).replace(/^\/+/, '');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('Method not allowed');
      return true;
    }
    let file = fileAt(root, relative === '' ? opts.index : relative);
    if (!file && opts.spaFallback && extname(relative) === '') file = fileAt(root, opts.index);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
      return true;
    }
    const hashed = file.startsWith(join(root, 'assets') + sep);
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
    return true;
  };
}
