/**
 * The storefront in a real browser (Debian's Chromium via playwright-core) against the real stack:
 * the buyer journey from sign-up (code read from a real SMTP server) to cancel and return, the
 * cart, a sale opening during the test (Buy now turns on by itself), two visitors racing for the
 * last unit (exactly one order, checked in MySQL and Redis), the admin scheduling a sale, the
 * offline explorer, and an axe-core scan of every page. Screenshots go to docs/img.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { createCategory, createSaleProduct, readStockHash } from '../support/catalog';
import { createTestUser, TEST_PASSWORD } from '../support/users';
import { buyers, payOrder, placed, sql, unitsIn } from '../support/orders';
import { Rig, screenshot, seriousViolations, signIn, startRig } from './harness';

jest.setTimeout(120_000);

let rig: Rig;
const scans: Record<string, string[]> = {};

beforeAll(async () => {
  rig = await startRig({ RATE_LIMITS: 'placeOrder:user:50/10,payOrder:user:50/10' });
});
afterAll(async () => {
  await rig?.stop();
});

async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function scan(page: Page, name: string): Promise<void> {
  scans[name] = await seriousViolations(page);
}

async function buyAndPay(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Buy now' }).click();
  await page.getByLabel('Card number').fill('4242424242424242');
  await page.getByRole('button', { name: 'Pay' }).click();
  await page.getByText('Preparing').first().waitFor();
}

describe('the storefront in a browser', () => {
  it('walks the buyer journey: sign up with the mailed code, browse, buy, pay, cancel, return, and the cart', async () => {
    const category = await createCategory(rig.stack, `Journey ${randomUUID().slice(0, 6)}`);
    const product = await createSaleProduct(rig.stack, { categoryId: category.id, name: `Journey Sneaker ${randomUUID().slice(0, 6)}`, stock: 20, price: 12900 });
    const page = await rig.page();
    const email = `buyer-${randomUUID()}@example.test`;

    await page.goto(rig.url);
    await page.getByRole('link', { name: 'Sign up' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send code' }).click();
    const code = await rig.mail.waitForCode(email, { timeoutMs: 10_000 });
    await page.getByLabel('Verification code').fill(code);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByLabel('Name').fill('Browser Buyer');
    await page.getByLabel('Phone').fill('+1 555 0100');
    await page.getByLabel('Address').fill('1 Test Street');
    await scan(page, 'sign-up');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    // Catalog → category (13 products: two pages of 12) → product.
    for (let i = 0; i < 12; i++) await createSaleProduct(rig.stack, { categoryId: category.id, name: `Filler ${i} ${randomUUID().slice(0, 4)}` });
    await page.getByRole('link', { name: category.name }).click();
    await page.getByRole('link', { name: /^Filler 11 / }).waitFor();
    expect(await page.getByRole('link', { name: product.name }).count()).toBe(0); // the oldest: on page two
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByRole('link', { name: product.name }).waitFor();
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await scan(page, 'catalog');
    await page.getByRole('link', { name: product.name }).click();
    await page.getByRole('heading', { name: product.name }).waitFor();
    expect(await page.getByText('$129.00').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('available').textContent()).toBe('20');

    await buyAndPay(page);
    await scan(page, 'product-paid');
    expect(await unitsIn(rig.stack, product.id, ['PREPARING'])).toBe(1);

    // My orders: Cancel while preparing.
    await page.getByRole('link', { name: 'My orders' }).click();
    await page.getByRole('heading', { name: 'My orders' }).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByText('Canceled').first().waitFor();
    const [canceled] = await sql<{ status: string }>(rig.stack, 'select o.status from `order` o join order_item i on i.order_id = o.id where i.product_id = ?', [product.id]);
    expect(canceled.status).toBe('CANCELED');

    // A second order, delivered an hour ago: Return is offered and works.
    await page.goto(`${rig.url}products/${product.id}`);
    await buyAndPay(page);
    const [paid] = await sql<{ id: string }>(rig.stack, "select o.id from `order` o join order_item i on i.order_id = o.id where i.product_id = ? and o.status = 'PREPARING'", [product.id]);
    await sql(rig.stack, "update `order` set status = 'DELIVERED', delivered_at = ?, status_changed_at = ?, version = version + 1 where id = ?", [new Date(Date.now() - 3600_000), new Date(Date.now() - 3600_000), paid.id]);
    await page.getByRole('link', { name: 'My orders' }).click();
    await page.getByRole('button', { name: 'Return' }).click();
    await page.getByText('Return requested').first().waitFor();
    await screenshot(page, 'orders');
    await scan(page, 'orders');

    // The cart: add, increase, order the cart, pay.
    await page.goto(`${rig.url}products/${product.id}`);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('1 in your cart').waitFor();
    await page.getByRole('link', { name: 'Cart' }).click();
    await page.getByRole('button', { name: `Increase quantity of ${product.name}` }).click();
    await page.getByRole('cell', { name: '$258.00' }).waitFor();
    await scan(page, 'cart');
    await page.getByRole('button', { name: 'Order the cart' }).click();
    await page.getByLabel('Card number').fill('4242424242424242');
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.getByText('Preparing').first().waitFor();
    expect(await unitsIn(rig.stack, product.id, ['PREPARING'])).toBe(2);

    await page.getByRole('button', { name: 'Sign out' }).click();
    const header = page.getByRole('navigation', { name: 'Main' });
    await header.getByRole('link', { name: 'Sign in' }).click();
    await scan(page, 'sign-in');
    await page.context().close();
  });

  it('turns Buy now on by itself when the sale opens a few seconds into the test', async () => {
    const opensAt = new Date(Date.now() + 6000);
    const product = await createSaleProduct(rig.stack, { opensAt, stock: 5, maxPerCustomer: 1, name: `Opening Soon ${randomUUID().slice(0, 6)}` });
    const buyer = await createTestUser(rig.stack);
    const page = await rig.page();
    await signIn(page, rig, buyer.email, buyer.password);
    await page.goto(`${rig.url}products/${product.id}`);
    const buy = page.getByRole('button', { name: 'Buy now' });
    await buy.waitFor();
    expect(await buy.isDisabled()).toBe(true);
    await page.getByRole('timer').waitFor();
    await screenshot(page, 'product-countdown');
    await scan(page, 'product-countdown');
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    await until('Buy now is enabled', () => buy.isEnabled(), 15_000);
    // Enabled at the opening (server clock; a little slack for the poll), never before, no reload.
    expect(Date.now()).toBeGreaterThanOrEqual(opensAt.getTime() - 1000);
    expect(navigations).toEqual([]);
    await buy.click();
    await page.getByLabel('Card number').waitFor();
    // The limit is one per customer: a second Buy now is refused with its own message.
    await buy.click();
    await page.getByText('Limit per customer reached: at most 1 per customer.').waitFor();
    await page.context().close();
  });

  it('retries a Buy now whose answer was lost with the same idempotency key, so only one order exists', async () => {
    const product = await createSaleProduct(rig.stack, { stock: 5, name: `Flaky Network ${randomUUID().slice(0, 6)}` });
    const buyer = await createTestUser(rig.stack);
    const page = await rig.page();
    await signIn(page, rig, buyer.email, buyer.password);
    const keys: string[] = [];
    let lost = 0;
    // The first placeOrder reaches the gateway (the order is placed) but its answer never arrives.
    await page.route(rig.stack.gatewayUrl, async (route) => {
      const body = route.request().postData() ?? '';
      if (!body.includes('mutation PlaceOrder')) return route.continue();
      keys.push((JSON.parse(body) as { variables: { input: { idempotencyKey: string } } }).variables.input.idempotencyKey);
      if (lost++ > 0) return route.continue();
      await route.fetch();
      await route.abort('connectionreset');
    });
    await page.goto(`${rig.url}products/${product.id}`);
    const buy = page.getByRole('button', { name: 'Buy now' });
    await until('Buy now is enabled', () => buy.isEnabled());
    await buy.click();
    await page.getByText(/Network problem/).waitFor();
    await buy.click();
    await page.getByLabel('Card number').waitFor();
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect(await unitsIn(rig.stack, product.id, ['PENDING_PAYMENT'])).toBe(1);
    await page.context().close();
  });

  it('lets exactly one of two visitors racing for the last unit buy it', async () => {
    const product = await createSaleProduct(rig.stack, { stock: 1, name: `Last Unit ${randomUUID().slice(0, 6)}` });
    const pages = await Promise.all(
      [0, 1].map(async () => {
        const buyer = await createTestUser(rig.stack);
        const page = await rig.page();
        await signIn(page, rig, buyer.email, buyer.password);
        await page.goto(`${rig.url}products/${product.id}`);
        await until('Buy now is enabled', () => page.getByRole('button', { name: 'Buy now' }).isEnabled());
        return page;
      }),
    );
    await Promise.all(pages.map((p) => p.getByRole('button', { name: 'Buy now' }).click()));
    const outcomes = await Promise.all(
      pages.map(async (p) => {
        const won = p.getByLabel('Card number');
        const lost = p.getByText(/Sold out: only 0 left/);
        await until('an outcome shows', async () => (await won.count()) + (await lost.count()) > 0);
        return (await won.count()) > 0 ? 'won' : 'sold out';
      }),
    );
    expect(outcomes.sort()).toEqual(['sold out', 'won']);
    const [{ orders }] = await sql<{ orders: number }>(rig.stack, 'select count(*) as orders from order_item where product_id = ?', [product.id]);
    expect(Number(orders)).toBe(1);
    expect((await readStockHash(rig.stack, product.id))?.available).toBe(0);
    await Promise.all(pages.map((p) => p.context().close()));
  });

  it('lets an admin create a category and a product, schedule a sale and watch it', async () => {
    const admin = await createTestUser(rig.stack, { roles: ['ADMIN'] });
    const page = await rig.page(await rig.browser.newContext({ timezoneId: 'UTC', viewport: { width: 1200, height: 1000 } }));
    await signIn(page, rig, admin.email, admin.password);
    await page.getByRole('link', { name: 'Admin' }).click();
    const suffix = randomUUID().slice(0, 6);
    await page.getByLabel('Category name').fill(`Admin Cat ${suffix}`);
    await page.getByRole('button', { name: 'Create category' }).click();
    await page.getByText('Category created.').waitFor();
    await page.getByLabel('Product name').fill(`Admin Product ${suffix}`);
    await page.getByLabel('Price (USD)').fill('49.90');
    await page.getByLabel('Category', { exact: true }).selectOption({ label: `Admin Cat ${suffix}` });
    await page.getByRole('button', { name: 'Create product' }).click();
    await page.getByText('Product created.').waitFor();
    const opensAt = new Date(Math.ceil((Date.now() + 3600_000) / 1000) * 1000);
    await page.getByLabel('Product', { exact: true }).selectOption({ label: `Admin Product ${suffix}` });
    await page.getByLabel('Opens at').fill(opensAt.toISOString().slice(0, 19));
    await page.getByLabel('Stock', { exact: true }).fill('42');
    await page.getByLabel('Limit per customer').fill('2');
    await page.getByRole('button', { name: 'Schedule sale' }).click();
    await page.getByText('Sale scheduled.').waitFor();
    // A running sale with one paid and one unpaid order, watched live.
    const running = await createSaleProduct(rig.stack, { stock: 30, name: `Running Sale ${suffix}` });
    const [a, b] = await buyers(rig.stack, 2);
    await payOrder(rig.stack, a, (await placed(rig.stack, a, [{ productId: running.id, quantity: 2 }])).id);
    await placed(rig.stack, b, [{ productId: running.id, quantity: 1 }]);
    await page.reload();
    await page.getByLabel('Watch product').selectOption({ label: `Running Sale ${suffix}` });
    const live = page.getByRole('definition');
    await live.filter({ hasText: /^27$/ }).waitFor(); // available: 30 − 2 paid − 1 reserved
    // product.stock follows the paid units through the stock.sold event (outbox → stream → product
    // subgraph), a moment later on a busy machine; the live view polls until it shows.
    await live.filter({ hasText: /^28$/ }).waitFor();
    expect(await live.allInnerTexts()).toEqual(['OPEN', '27', '28', '2', '1 (2 units)', '1']);
    await screenshot(page, 'admin');
    await scan(page, 'admin');

    const list = await rig.stack.gql<{ products: { edges: Array<{ node: { name: string; price: number; stock: number; saleOpensAt: string; maxPerCustomer: number; available: number } }> } }>(
      `{ products(first: 100) { edges { node { name price stock saleOpensAt maxPerCustomer available } } } }`,
    );
    const created = list.data!.products.edges.map((e) => e.node).find((n) => n.name === `Admin Product ${suffix}`);
    expect(created).toMatchObject({ price: 4990, stock: 42, available: 42, maxPerCustomer: 2, saleOpensAt: opensAt.toISOString() });
    await page.context().close();
  });

  it('serves the GraphiQL explorer at /graphiql and runs a query without leaving 127.0.0.1', async () => {
    const page = await rig.page();
    // GraphiQL is ready once it has introspected the schema.
    const introspected = page.waitForResponse((r) => r.url() === rig.stack.gatewayUrl && (r.request().postData() ?? '').includes('__schema'), { timeout: 20_000 });
    await page.goto(rig.stack.gatewayUrl.replace(/\/graphql$/, '/graphiql'));
    await introspected;
    const execute = page.getByRole('button', { name: /Execute query/ });
    await execute.waitFor();
    // The editor loads its default query a moment after the button shows (later on a busy
    // machine), and a click before that sends nothing: click until the query goes out.
    const sent = async () => {
      for (let attempt = 0; attempt < 10; attempt++) {
        const answer = page.waitForResponse((r) => r.url() === rig.stack.gatewayUrl && (r.request().postData() ?? '').includes('query Catalog'), { timeout: 3000 }).catch(() => null);
        await execute.click();
        const response = await answer;
        if (response) return response;
      }
      throw new Error('GraphiQL never sent its query');
    };
    // The products made by the tests above, shown in the result pane.
    const body = (await (await sent()).json()) as { data: { products: { edges: Array<{ node: { name: string } }> } } };
    expect(body.data.products.edges.length).toBeGreaterThan(0);
    await page.getByText(body.data.products.edges[0].node.name).first().waitFor();
    await screenshot(page, 'graphiql');
    await page.context().close();
  });

  it('shows the catalog home and has no serious or critical axe violation on any page', async () => {
    await createSaleProduct(rig.stack, { name: 'Aurora Limited Sneaker', price: 18900, stock: 100, opensAt: new Date(Date.now() + 300_000) });
    const page = await rig.page();
    await page.goto(rig.url);
    // The home page's flash-sale banner: the upcoming sale with a running countdown.
    const banner = page.getByRole('region', { name: 'Flash sales opening soon' });
    await banner.getByRole('link', { name: 'Aurora Limited Sneaker' }).waitFor();
    const timer = banner.getByRole('timer', { name: 'Aurora Limited Sneaker opens in' });
    const first = await timer.innerText();
    expect(first).toMatch(/^Opens in [45]:\d\d$/);
    await until('the countdown moves', async () => (await timer.innerText()) !== first, 3000);
    await screenshot(page, 'catalog');
    await scan(page, 'catalog-home');
    expect(Object.keys(scans).sort()).toEqual(['admin', 'cart', 'catalog', 'catalog-home', 'orders', 'product-countdown', 'product-paid', 'sign-in', 'sign-up']);
    expect(scans).toEqual(Object.fromEntries(Object.keys(scans).map((k) => [k, []])));
    // Everything every page fetched, the explorer's assets and queries included, stayed local.
    const outside = rig.requests.filter((u) => !/^(http:\/\/127\.0\.0\.1[:/]|data:|blob:)/.test(u));
    expect(rig.requests.length).toBeGreaterThan(20);
    expect(outside).toEqual([]);
    await page.context().close();
  });
});
