/**
 * The offline GraphiQL explorer (gateway/src/explorer.ts): served from the project's own build at
 * /graphiql in development, with no reference to a CDN; absent in production. (The browser test
 * test/browser/storefront.browser.test.ts runs a query in it.)
 */
import { ensureWebBuild } from '../../scripts/storefront';
import { startStack, Stack } from '../support/stack';

const explorerUrl = (stack: Stack) => stack.gatewayUrl.replace(/\/graphql$/, '/graphiql');

describe('/graphiql', () => {
  beforeAll(() => ensureWebBuild());

  it('serves GraphiQL from local files in development', async () => {
    const stack = await startStack({ NODE_ENV: 'development' });
    try {
      const page = await fetch(explorerUrl(stack));
      const html = await page.text();
      expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
      const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
      expect(assets.length).toBeGreaterThan(0);
      expect(assets).toContain('/graphiql/favicon.svg');
      for (const asset of assets) {
        // Vite's hashed bundles and the copied public files (the favicon), all served under /graphiql.
        expect(asset).toMatch(/^\/graphiql\/(assets\/|favicon\.svg$)/);
        expect((await fetch(new URL(asset, explorerUrl(stack)))).status).toBe(200);
      }
    } finally {
      await stack.stop();
    }
  });

  it('is not served in production', async () => {
    const stack = await startStack({ NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:1' });
    try {
      expect((await fetch(explorerUrl(stack))).status).toBe(404);
    } finally {
      await stack.stop();
    }
  });
});
