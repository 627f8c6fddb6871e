import http from 'node:http';
import { AddressInfo } from 'node:net';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { staticFiles } from './static-files';

describe('staticFiles', () => {
  let root: string;
  let secretDir: string;
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    secretDir = mkdtempSync(join(tmpdir(), 'static-'));
    root = join(secretDir, 'site');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(secretDir, 'secret.txt'), 'do not serve');
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>spa</title>');
    writeFileSync(join(root, 'assets', 'app-abc123.js'), 'console.log(1)');
    const spa = staticFiles(root, { index: 'index.html', spaFallback: true });
    const mounted = staticFiles(root, { index: 'index.html', spaFallback: false, mount: '/graphiql' });
    server = http.createServer((req, res) => {
      if ((req.url ?? '').startsWith('/graphiql')) mounted(req, res);
      else spa(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(secretDir, { recursive: true, force: true });
  });

  it('serves hashed assets as immutable with their content type, and index.html as no-cache', async () => {
    const js = await fetch(`${base}/assets/app-abc123.js`);
    expect([js.status, js.headers.get('content-type'), js.headers.get('cache-control')]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
    const html = await fetch(`${base}/`);
    expect([html.status, html.headers.get('content-type'), html.headers.get('cache-control'), await html.text()]).toEqual([200, 'text/html; charset=utf-8', 'no-cache', '<!doctype html><title>spa</title>']);
  });

  it('answers index.html for unknown app paths (SPA fallback) but 404 for missing files', async () => {
    const deep = await fetch(`${base}/products/123`);
    expect([deep.status, await deep.text()]).toEqual([200, '<!doctype html><title>spa</title>']);
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${base}/graphiql/products/123`)).status).toBe(404);
    expect((await fetch(`${base}/graphiql/assets/app-abc123.js`)).status).toBe(200);
  });

  it('never reads outside its directory', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/graphiql/%2e%2e/%2e%2e/secret.txt']) {
      const res = await fetch(`${base}${path}`);
      expect(await res.text()).not.toContain('do not serve');
    }
  });

  it('refuses methods other than GET and HEAD', async () => {
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
  });
});
