/**
 * Silent refresh in a real browser: access tokens that live 6 seconds, two tabs of one signed-in
 * visitor left open across several expiries. Each rotation must be spent by one tab only (refresh
 * tokens are single use and a reused one ends the session), the other tab picks up the result,
 * and both keep working without the visitor noticing. A 401 (a token the gateway refuses) is
 * refreshed once and the request retried. (This stack also allows one placeOrder a minute, to
 * show the rate-limited message with its wait.) A refresh whose answer is lost to a navigation is
 * retried by the next page without ending the session (the reuse grace).
 */
import { createSaleProduct } from '../support/catalog';
import { createTestUser } from '../support/users';
import { Rig, signIn, startRig, waitOrExplain } from './harness';

jest.setTimeout(90_000);

const TTL_SECONDS = 6;
let rig: Rig;

beforeAll(async () => {
  rig = await startRig({ ACCESS_TOKEN_TTL_SECONDS: String(TTL_SECONDS), RATE_LIMITS: 'placeOrder:user:1/60' });
});
afterAll(async () => {
  await rig?.stop();
});

it('refreshes expiring tokens silently, once per rotation across two tabs, and retries once after a 401', async () => {
  const buyer = await createTestUser(rig.stack);
  const context = await rig.context();
  const refreshBodies: string[] = [];
  context.on('request', (r) => {
    if (r.method() === 'POST' && (r.postData() ?? '').includes('refreshTokens(')) refreshBodies.push(r.postData()!);
  });
  const first = await rig.page(context);
  await signIn(first, rig, buyer.email, buyer.password);
  const second = await rig.page(context);
  await second.goto(`${rig.url}orders`);
  await second.getByRole('heading', { name: 'My orders' }).waitFor();

  // Three access-token lifetimes pass with both tabs open.
  await new Promise((r) => setTimeout(r, 3 * TTL_SECONDS * 1000 + 1000));
  for (const page of [first, second]) {
    await page.getByRole('link', { name: 'My orders' }).click();
    await page.getByText('No orders yet.').waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(1);
  }
  // Each rotation spent its refresh token exactly once (a reuse would have ended the session).
  const spent = refreshBodies.map((b) => (JSON.parse(b) as { variables: { refreshToken: string } }).variables.refreshToken);
  expect(spent.length).toBeGreaterThanOrEqual(3);
  expect(new Set(spent).size).toBe(spent.length);

  // A token the gateway refuses (401): one refresh, then the same request succeeds.
  const before = refreshBodies.length;
  await first.evaluate(() => {
    // Runs in the page (the test's tsconfig has no DOM types).
    const storage = (globalThis as unknown as { localStorage: { getItem(k: string): string | null; setItem(k: string, v: string): void } }).localStorage;
    const key = 'flashsale.session';
    const s = JSON.parse(storage.getItem(key)!) as { accessToken: string };
    storage.setItem(key, JSON.stringify({ ...s, accessToken: `${s.accessToken.slice(0, -4)}AAAA` }));
  });
  await first.getByRole('link', { name: 'Cart' }).click();
  await first.getByText('Your cart is empty.').waitFor();
  expect(refreshBodies.length).toBe(before + 1);
  await context.close();
});

it('tells a buyer over the rate limit how long to wait', async () => {
  const product = await createSaleProduct(rig.stack, { stock: 10 });
  const buyer = await createTestUser(rig.stack);
  const page = await rig.page();
  await signIn(page, rig, buyer.email, buyer.password);
  await page.goto(`${rig.url}products/${product.id}`);
  const buy = page.getByRole('button', { name: 'Buy now' });
  await buy.click();
  await waitOrExplain(page, page.getByLabel('Card number'));
  await buy.click();
  const message = await page.getByText(/^Too many requests: try again in \d+ s\.$/).innerText();
  expect(Number(/(\d+) s/.exec(message)![1])).toBeGreaterThan(0);
  await page.context().close();
});
