/**
 * Every storefront page loads in a real browser (Debian's Chromium via playwright-core, the real
 * stack behind it) with a quiet console: no console error, no uncaught exception, no failed request
 * and no HTTP error answer — for a visitor, a signed-in buyer and an admin. Chromium used to log
 * `Failed to load resource: 404` on every page for the missing favicon.
 *
 * Each visit gets a fresh tab, so requests a previous page had in flight (aborted when it closes)
 * never count against the next one. The web app manifest is checked as Chromium itself parses it
 * (DevTools protocol Page.getAppManifest: no parse errors), and each of its icons answers an image.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { createCategory, createSaleProduct } from '../support/catalog';
import { createTestUser } from '../support/users';
import { Rig, signIn, startRig } from './harness';

jest.setTimeout(120_000);

let rig: Rig;
const paths: Record<string, string> = {};

beforeAll(async () => {
  rig = await startRig();
  const category = await createCategory(rig.stack);
  const open = await createSaleProduct(rig.stack, { categoryId: category.id, name: 'Quiet Open Sneaker', stock: 5 });
  const upcoming = await createSaleProduct(rig.stack, { categoryId: category.id, name: 'Quiet Upcoming Sneaker', stock: 5, opensAt: new Date(Date.now() + 3_600_000) });
  Object.assign(paths, {
    catalog: '',
    category: `?category=${category.id}`,
    'open product': `products/${open.id}`,
    'product before its sale': `products/${upcoming.id}`,
    'sign in': 'signin',
    'sign up': 'signup',
    orders: 'orders',
    cart: 'cart',
    'unknown page': 'no-such-page',
  });
});
afterAll(async () => {
  await rig?.stop();
});

interface Visit {
  problems: string[];
  /** Every answered URL with its status. */
  answers: Map<string, number>;
}

/** Opens `path` in a fresh tab of `context`, waits until the page settled, and lists what went wrong. */
async function visit(context: BrowserContext, path: string): Promise<Visit> {
  const page: Page = await context.newPage();
  const problems: string[] = [];
  const answers = new Map<string, number>();
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.method()} ${req.url()}: ${req.failure()?.errorText}`));
  page.on('response', (res) => {
    answers.set(res.url(), res.status());
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.request().method()} ${res.url()}`);
  });
  try {
    await page.goto(rig.url + path, { waitUntil: 'networkidle' });
    await page.locator('main > *').first().waitFor();
    // Late requests (a countdown's refresh, the favicon) get a moment to fail too.
    await page.waitForTimeout(400);
  } finally {
    await page.close();
  }
  return { problems, answers };
}

describe('every storefront page loads with a quiet console', () => {
  it('for a visitor: no console error and no failed request on any page; the favicon answers', async () => {
    const context = await rig.context();
    const found: Record<string, string[]> = {};
    let favicon: number | undefined;
    for (const [name, path] of Object.entries(paths)) {
      const seen = await visit(context, path);
      found[name] = seen.problems;
      favicon ??= seen.answers.get(`${rig.url}favicon.svg`);
    }
    await context.close();
    expect(found).toEqual(Object.fromEntries(Object.keys(paths).map((name) => [name, []])));
    expect(favicon).toBe(200);
  });

  it('for a signed-in buyer and for an admin (the admin page too)', async () => {
    const buyer = await createTestUser(rig.stack);
    const admin = await createTestUser(rig.stack, { roles: ['ADMIN'] });
    const found: Record<string, string[]> = {};
    for (const [who, user, pages] of [
      ['buyer', buyer, ['catalog', 'open product', 'orders', 'cart']],
      ['admin', admin, ['catalog', 'orders']],
    ] as const) {
      const context = await rig.context();
      const page = await context.newPage();
      await signIn(page, rig, user.email, user.password);
      await page.close();
      for (const name of pages) found[`${who}: ${name}`] = (await visit(context, paths[name])).problems;
      if (who === 'admin') found['admin: admin'] = (await visit(context, 'admin')).problems;
      await context.close();
    }
    expect(Object.keys(found)).toHaveLength(7);
    for (const [name, problems] of Object.entries(found)) expect({ name, problems }).toEqual({ name, problems: [] });
  });

  it('links a web app manifest that Chromium parses without errors, whose icons all answer images', async () => {
    const context = await rig.context();
    const page = await context.newPage();
    await page.goto(rig.url, { waitUntil: 'networkidle' });
    const cdp = await context.newCDPSession(page);
    const manifest = (await cdp.send('Page.getAppManifest')) as { url: string; errors: Array<{ message: string }>; data?: string };
    expect(manifest.url).toBe(`${rig.url}manifest.webmanifest`);
    expect(manifest.errors).toEqual([]);
    const data = JSON.parse(manifest.data ?? '{}') as { name: string; start_url: string; display: string; icons: Array<{ src: string; type: string; sizes: string }> };
    expect(data).toMatchObject({ name: 'Flash Sale storefront', start_url: '/', display: 'standalone' });
    expect(data.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['any', '192x192', '512x512']));
    const manifestAnswer = await page.request.get(manifest.url);
    expect(manifestAnswer.headers()['content-type']).toMatch(/^application\/manifest\+json/);
    for (const icon of data.icons) {
      const res = await page.request.get(new URL(icon.src, manifest.url).href);
      expect({ src: icon.src, status: res.status(), type: res.headers()['content-type'] }).toEqual({ src: icon.src, status: 200, type: icon.type });
    }
    await context.close();
  });
});
