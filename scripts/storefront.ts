/**
 * The storefront for `npm start` and the browser tests: builds web/dist when stale and serves it
 * with gateway/src/storefront-server.ts (the image's storefront process uses the same server) on its
 * own origin — http://127.0.0.1:5173/ by default, STOREFRONT_PORT to move it — with an SPA fallback to
 * index.html, and answers /config.json with the gateway URL (the stack's, or
 * STOREFRONT_GATEWAY_URL), so the bundle never
 * hard-codes where the API is. The SPA reaches the gateway through CORS like any deployed SPA.
 *
 *   npm run storefront              build the web app when stale, then serve it
 *
 * `npm start` calls `storefrontAfterStart` (scripts/start.js); the browser tests call
 * `ensureWebBuild` and `startStorefront` on a free port.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { startStorefront } from '../gateway/src/storefront-server';

export const WEB_DIR = resolve(__dirname, '../web');
const SOURCES = [join(WEB_DIR, 'src'), join(WEB_DIR, 'public'), join(WEB_DIR, 'index.html'), join(WEB_DIR, 'explorer.html'), join(WEB_DIR, 'vite.config.mts'), join(WEB_DIR, 'package.json')];
const OUTPUTS: Array<{ mode: string; dir: string; entry: string }> = [
  { mode: 'production', dir: join(WEB_DIR, 'dist'), entry: 'index.html' },
  { mode: 'explorer', dir: join(WEB_DIR, 'dist-explorer'), entry: 'explorer.html' },
];

function newestMtime(path: string): number {
  const s = statSync(path, { throwIfNoEntry: false });
  if (!s) return 0;
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((f) => newestMtime(join(path, f))));
}

const BUILD_LOCK = join(WEB_DIR, '.build.lock');
const STALE_LOCK_MS = 180_000;

/** Runs `fn` holding web/.build.lock, so parallel test files never build into one directory at once. */
function withBuildLock(fn: () => void): void {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      closeSync(openSync(BUILD_LOCK, 'wx'));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const heldSince = statSync(BUILD_LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - heldSince > STALE_LOCK_MS) rmSync(BUILD_LOCK, { force: true });
      else Atomics.wait(sleeper, 0, 0, 200);
    }
  }
  try {
    fn();
  } finally {
    rmSync(BUILD_LOCK, { force: true });
  }
}

/** Builds web/dist and web/dist-explorer with Vite unless both are newer than every source file. */
export function ensureWebBuild(log: (msg: string) => void = () => undefined): void {
  withBuildLock(() => {
    const sourcesAt = Math.max(...SOURCES.map(newestMtime));
    for (const out of OUTPUTS) {
      const builtAt = statSync(join(out.dir, out.entry), { throwIfNoEntry: false })?.mtimeMs ?? 0;
      if (builtAt > sourcesAt) continue;
      log(`building the web app (vite build --mode ${out.mode})…`);
      const vite = join(dirname(require.resolve('vite/package.json')), 'bin/vite.js');
      const r = spawnSync(process.execPath, [vite, 'build', '--mode', out.mode, '--logLevel', 'warn'], { cwd: WEB_DIR, stdio: 'inherit' });
      if (r.status !== 0) throw new Error(`vite build --mode ${out.mode} failed`);
    }
  });
}

export { startStorefront, type Storefront } from '../gateway/src/storefront-server';

/** The gateway's catalog is empty (a fresh machine): nothing to show yet. */
async function catalogIsEmpty(gatewayUrl: string): Promise<boolean> {
  const res = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true' },
    body: JSON.stringify({ query: '{ products(first: 1) { edges { cursor } } }' }),
  });
  const body = (await res.json()) as { data?: { products: { edges: unknown[] } } };
  return body.data?.products.edges.length === 0;
}

/**
 * For `npm start` (the launcher's afterStart hook): outside production, seed the demo catalog when
 * the catalog is empty (`npm run seed`: its flash sale opens 5 minutes later, so a fresh start
 * shows a running countdown); build the web app when stale; serve it on STOREFRONT_PORT (5173)
 * against this stack's gateway, and print its URL.
 */
export async function storefrontAfterStart(stack: { env: NodeJS.ProcessEnv; gatewayUrl: string }): Promise<{ stop: () => Promise<void> }> {
  const say = (m: string) => process.stdout.write(`[start] ${m}\n`);
  const env = stack.env;
  if (env.NODE_ENV !== 'production' && (await catalogIsEmpty(stack.gatewayUrl))) {
    say('the catalog is empty: seeding the demo catalog (npm run seed)…');
    const r = spawnSync(process.execPath, ['-r', '@swc-node/register', resolve(__dirname, 'seed.ts')], { cwd: resolve(__dirname, '..'), env, stdio: 'inherit' });
    if (r.status !== 0) say('seeding failed; the storefront starts with an empty catalog');
  }
  ensureWebBuild(say);
  const storefront = await startStorefront({
    port: Number(env.STOREFRONT_PORT ?? 5173),
    host: env.STOREFRONT_HOST ?? '127.0.0.1',
    gatewayUrl: env.STOREFRONT_GATEWAY_URL ?? stack.gatewayUrl,
  });
  say(`ready: storefront at ${storefront.url}` + (env.NODE_ENV === 'production' ? '' : ` (GraphiQL explorer at ${stack.gatewayUrl.replace(/\/graphql$/, '/graphiql')})`));
  return { stop: () => storefront.close() };
}

if (require.main === module) {
  ensureWebBuild(console.log);
  const gatewayUrl = process.env.STOREFRONT_GATEWAY_URL ?? `http://127.0.0.1:${process.env.GATEWAY_PORT ?? 4000}/graphql`;
  startStorefront({ port: Number(process.env.STOREFRONT_PORT ?? 5173), host: process.env.STOREFRONT_HOST ?? '127.0.0.1', gatewayUrl })
    .then((s) => console.log(`storefront at ${s.url} (gateway ${gatewayUrl})`))
    .catch((err: Error) => {
      console.error(err.message);
      process.exit(1);
    });
}
