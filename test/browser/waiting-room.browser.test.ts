/**
 * The waiting room in a real browser (Debian's Chromium via playwright-core) against the real
 * stack (docs/WAITING-ROOM.md; names from ../shared/API.md "Storefront: accessible names"):
 * an admin schedules a sale behind a line in the Admin page, other buyers take the first numbers
 * over HTTP, the browser buyer presses Join the line and sees its place and the progress bar,
 * keeps its place across a reload and a second tab, is served when units come back, buys with its
 * ticket and pays; the admin's live view shows the line. A second sale opening during the test
 * shows the pre-queue and its number drawn at the opening; a signed-out visitor is asked to sign
 * in, and a busy answer to a join is said in words and retried after its retryAfter. Screenshots
 * go to docs/img.
 *
 * How a buyer is made to wait, deterministically: no no-show margin (WAITING_ROOM_NO_SHOW_MARGIN=0),
 * so the line serves at most as many numbers as there are units; with 2 units the first two numbers
 * are served and the rest wait until the admin adds units.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { graphql } from '../gql';
import { adminToken, createSaleProduct } from '../support/catalog';
import { buyers, eventually, sql } from '../support/orders';
import { createTestUser } from '../support/users';
import { createLineSale, joinLine } from '../support/waiting-room';
import { Rig, SCREENSHOT_DIR, screenshot, seriousViolations, signIn, startRig, waitOrExplain } from './harness';

jest.setTimeout(120_000);

const ADD_UNITS = graphql(`
  mutation BrowserLineAddUnits($id: ID!, $stock: Int!) {
    updateProduct(id: $id, input: { stock: $stock }) { product { id stock } userErrors { code message } }
  }
`);

let rig: Rig;

beforeAll(async () => {
  rig = await startRig({ WAITING_ROOM_NO_SHOW_MARGIN: '0' });
});
afterAll(async () => {
  await rig?.stop();
});

/** The stored place of the signed-in buyer for `productId` (ticket-store.ts), as the page keeps it. */
async function storedPlace(page: Page, userId: string, productId: string): Promise<{ ticket: string; number: number | null; orderId: string | null } | null> {
  const raw = (await page.evaluate(`localStorage.getItem(${JSON.stringify(`flashsale.line.${userId}.${productId}`)})`)) as string | null;
  return raw ? (JSON.parse(raw) as { ticket: string; number: number | null; orderId: string | null }) : null;
}

it('lines a buyer up, keeps the place across a reload and a second tab, serves it when units come back, and sells it one unit with its ticket', async () => {
  const suffix = randomUUID().slice(0, 6);
  const product = await createSaleProduct(rig.stack, { name: `Line Sneaker ${suffix}`, stock: 10, price: 15900 });

  // The admin puts the sale behind a line in the Admin page: opened a minute ago, 2 units.
  const admin = await createTestUser(rig.stack, { roles: ['ADMIN'] });
  const adminPage = await rig.page(await rig.browser.newContext({ timezoneId: 'UTC', viewport: { width: 1200, height: 1300 } }));
  await signIn(adminPage, rig, admin.email, admin.password);
  await adminPage.getByRole('link', { name: 'Admin' }).click();
  const opensAt = new Date(Math.floor((Date.now() - 60_000) / 1000) * 1000);
  await adminPage.getByLabel('Product', { exact: true }).selectOption({ label: product.name });
  await adminPage.getByLabel('Opens at').fill(opensAt.toISOString().slice(0, 19));
  await adminPage.getByLabel('Stock', { exact: true }).fill('2');
  await adminPage.getByRole('checkbox', { name: 'Waiting room' }).check();
  await adminPage.getByRole('button', { name: 'Schedule sale' }).click();
  await adminPage.getByText('Sale scheduled.').waitFor();
  expect(await adminPage.getByRole('checkbox', { name: 'Waiting room' }).isChecked()).toBe(false); // the form was reset

  // Four buyers take numbers 1-4 over HTTP; 1 and 2 are served (2 units), 3 and 4 wait.
  const crowd = await buyers(rig.stack, 4);
  for (const b of crowd) expect((await joinLine(rig.stack, product.id, b.token)).status).toBe(200);

  // The browser buyer joins: number 5, place 3 (numbers 3, 4 and 5 are not served).
  const buyer = await createTestUser(rig.stack);
  const context = await rig.context();
  const page = await rig.page(context);
  await signIn(page, rig, buyer.email, buyer.password);
  await page.goto(`${rig.url}products/${product.id}`);
  await page.getByRole('heading', { name: product.name }).waitFor();
  const buy = page.getByRole('button', { name: 'Buy now' });
  expect(await buy.isDisabled()).toBe(true); // not before the buyer's turn
  const joins: string[] = [];
  page.on('request', (r) => r.url().includes('/waiting-room/') && joins.push(`${r.method()} ${new URL(r.url()).pathname}${new URL(r.url()).search}`));
  await page.getByRole('button', { name: 'Join the line' }).click();
  await waitOrExplain(page, page.getByText('Place 3 in line'));
  const bar = page.getByRole('progressbar', { name: /place in line/i });
  await bar.waitFor();
  expect(Number(await bar.getAttribute('aria-valuemax'))).toBe(3);
  expect(Number(await bar.getAttribute('aria-valuenow'))).toBe(0);
  // Both units are held by numbers 1 and 2: no time estimate, but the truth in words.
  await waitOrExplain(page, page.getByText('Every unit left is held by buyers served before you.'));
  expect(await page.getByText(/Estimated wait/).count()).toBe(0);
  expect(await buy.isDisabled()).toBe(true);
  const place = await storedPlace(page, buyer.id, product.id);
  expect(place).toMatchObject({ number: 5, orderId: null });
  expect(place!.ticket).toMatch(/^wr1\./);
  // The page waits with a held turn request for its number, not by polling.
  expect(joins).toContain(`POST /waiting-room/${product.id}`);
  const turnRequests = () => joins.filter((j) => j.startsWith(`GET /waiting-room/${product.id}/turn?`));
  await eventually(async () => turnRequests().length > 0, 10_000).catch(() => undefined);
  expect(turnRequests().at(-1)).toMatch(/number=5/);
  await screenshot(page, 'waiting-room');
  const violations = await seriousViolations(page);

  // A reload keeps the place (the same ticket and number, refreshed by joining again) ...
  const productQueries: string[] = [];
  page.on('request', (r) => (r.postData() ?? '').includes('query Product(') && productQueries.push(r.url()));
  await page.reload();
  await waitOrExplain(page, page.getByText('Place 3 in line'));
  expect(await storedPlace(page, buyer.id, product.id)).toEqual(place);
  // ... and so does a second tab.
  const second = await rig.page(context);
  await second.goto(`${rig.url}products/${product.id}`);
  await waitOrExplain(second, second.getByText('Place 3 in line'));
  expect(await second.getByRole('button', { name: 'Join the line' }).count()).toBe(0);

  // The crowd in line reads the edge, not GraphQL: the product query ran once, for the first
  // render, and is not polled (it would be every 2 s on a plain sale).
  await new Promise((r) => setTimeout(r, 2500));
  expect(productQueries).toHaveLength(1);
  expect(await page.getByText('Place 3 in line').count()).toBe(1);

  // The admin adds 3 units: numbers 3, 4 and 5 are served, and the held request says so at once.
  const added = await rig.stack.gql(ADD_UNITS, { id: product.id, stock: 5 }, { token: await adminToken(rig.stack) });
  expect(added.data?.updateProduct.userErrors).toEqual([]);
  await waitOrExplain(page, page.getByText(/It.s your turn/i), 10_000);
  await page.getByRole('timer', { name: 'Time left to buy' }).waitFor();
  expect(await page.getByRole('timer', { name: 'Time left to buy' }).innerText()).toMatch(/^[45]:\d\d left to buy$/); // the 300 s window
  await second.getByText(/It.s your turn/i).waitFor();
  expect(await buy.isEnabled()).toBe(true);
  await screenshot(page, 'waiting-room-turn');

  // Buy now sends the ticket; then the payment as for any sale.
  const orderBodies: string[] = [];
  page.on('request', (r) => (r.postData() ?? '').includes('mutation PlaceOrder') && orderBodies.push(r.postData()!));
  await buy.click();
  await waitOrExplain(page, page.getByLabel('Card number'));
  expect((JSON.parse(orderBodies[0]) as { variables: { input: { waitingRoomTicket: string } } }).variables.input.waitingRoomTicket).toBe(place!.ticket);
  await page.getByLabel('Card number').fill('4242424242424242');
  await page.getByRole('button', { name: 'Pay' }).click();
  await waitOrExplain(page, page.getByText('Preparing').first());
  const orders = await sql<{ status: string; user_id: string }>(rig.stack, 'select o.status, o.user_id from `order` o join order_item i on i.order_id = o.id where i.product_id = ?', [product.id]);
  expect(orders).toEqual([{ status: 'PREPARING', user_id: buyer.id }]);
  await page.getByText('You ordered with your place in line').waitFor();
  expect(await buy.isDisabled()).toBe(true); // a ticket buys once
  expect((await storedPlace(page, buyer.id, product.id))?.orderId).toBeTruthy();

  // The admin's live view shows the line: 5 numbers given, all served, 1 ticket used.
  await adminPage.reload();
  await adminPage.getByLabel('Watch product').selectOption({ label: product.name });
  const lineView = adminPage.getByLabel(`Line of ${product.name}`);
  await lineView.waitFor();
  // Line, waiting, served (now serving), numbers given, tickets used, no-shows (the view polls).
  const figures = () => lineView.getByRole('definition').allInnerTexts();
  const deadline = Date.now() + 10_000;
  while ((await figures()).slice(0, 6).join('|') !== 'Open|0|5|5|1|0' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  expect((await figures()).slice(0, 6)).toEqual(['Open', '0', '5', '5', '1', '0']);
  await adminPage.getByRole('region', { name: 'Live sale' }).screenshot({ path: join(SCREENSHOT_DIR, 'storefront-admin-line.png') });
  violations.push(...(await seriousViolations(page)), ...(await seriousViolations(adminPage)));
  expect(violations).toEqual([]);
  await Promise.all([context.close(), adminPage.context().close()]);
});

it('keeps a buyer who joins before the opening in the pre-queue, and gives it a number at the opening', async () => {
  const product = await createLineSale(rig.stack, { name: `Pre-queue Boot ${randomUUID().slice(0, 6)}`, stock: 5, opensAt: new Date(Date.now() + 8000) });
  const buyer = await createTestUser(rig.stack);
  const page = await rig.page();
  await signIn(page, rig, buyer.email, buyer.password);
  await page.goto(`${rig.url}products/${product.id}`);
  await page.getByRole('timer', { name: 'Sale opens in' }).waitFor();
  await page.getByRole('button', { name: 'Join the line' }).click(); // enabled before the opening
  await waitOrExplain(page, page.getByText('You are in the pre-queue; numbers are drawn at the opening.'));
  expect(await storedPlace(page, buyer.id, product.id)).toMatchObject({ number: null });
  expect(await page.getByRole('button', { name: 'Buy now' }).isDisabled()).toBe(true);
  // At the opening the held request without a number answers, the page joins again and learns
  // number 1, which is served at once (5 units).
  await waitOrExplain(page, page.getByText(/It.s your turn/i), 20_000);
  expect(await storedPlace(page, buyer.id, product.id)).toMatchObject({ number: 1 });
  expect(await page.getByRole('button', { name: 'Buy now' }).isEnabled()).toBe(true);
  await page.context().close();
});

it('asks a signed-out visitor to sign in, says a busy line in words and joins once its retryAfter has passed', async () => {
  const product = await createLineSale(rig.stack, { name: `Busy Line ${randomUUID().slice(0, 6)}`, stock: 5 });
  const page = await rig.page();
  await page.goto(`${rig.url}products/${product.id}`);
  await page.getByRole('button', { name: 'Join the line' }).click();
  await page.getByRole('alert').filter({ hasText: 'Please sign in to join the line.' }).waitFor();

  const buyer = await createTestUser(rig.stack);
  await signIn(page, rig, buyer.email, buyer.password);
  // The gateway's first answer to the join is a busy one (as when Redis is being recovered).
  let joins = 0;
  await page.route(`**/waiting-room/${product.id}`, async (route) => {
    if (route.request().method() !== 'POST' || joins++ > 0) return route.fallback();
    await route.fulfill({
      status: 503,
      headers: { 'content-type': 'application/json', 'retry-after': '2', 'access-control-allow-origin': new URL(rig.url).origin },
      body: JSON.stringify({ errors: [{ message: 'The line is being recovered; retry in a moment', extensions: { code: 'SERVICE_UNAVAILABLE', retryAfter: 2 } }] }),
    });
  });
  await page.goto(`${rig.url}products/${product.id}`);
  await page.getByRole('button', { name: 'Join the line' }).click();
  await page.getByText('The line is busy right now: trying again in 2 s.').waitFor();
  await waitOrExplain(page, page.getByText(/It.s your turn/i), 10_000);
  expect(joins).toBe(2); // the refused one, and the one after 2 s that was answered
  expect(await storedPlace(page, buyer.id, product.id)).toMatchObject({ number: 1 });
  await page.context().close();
});
