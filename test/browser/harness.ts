/**
 * The real-browser test rig: the whole stack (test/support/stack.ts, free ports, its own databases)
 * with a real SMTP catcher, the storefront's production build served by the storefront server
 * (scripts/storefront.ts) on a free port — its origin added to the gateway's CORS_ORIGINS, its
 * /config.json pointing at this stack's gateway — and Debian's Chromium driven by playwright-core
 * (never a downloaded browser), each launch with a fresh temporary profile.
 *
 * Every request any page makes is recorded, so a test can assert that nothing left 127.0.0.1.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { startStack, type Stack } from '../support/stack';
import { startMailCatcher, type MailCatcher } from '../support/mail';
import { ensureWebBuild, startStorefront, type Storefront } from '../../scripts/storefront';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const SCREENSHOT_DIR = resolve(__dirname, '../../docs/img');

export interface Rig {
  stack: Stack;
  mail: MailCatcher;
  storefront: Storefront;
  /** The storefront's origin URL, ending in '/'. */
  url: string;
  browser: Browser;
  /** Every URL requested by any page of any context of this rig. */
  requests: string[];
  /** A fresh browser context (its own storage: a separate visitor). */
  context(): Promise<BrowserContext>;
  page(context?: BrowserContext): Promise<Page>;
  stop(): Promise<void>;
}

export async function startRig(overrides: NodeJS.ProcessEnv = {}): Promise<Rig> {
  ensureWebBuild();
  // The storefront listens first, on a port the system picks (a port probed free and bound later
  // can be taken in between by a parallel test); /config.json names the stack's gateway once it runs.
  let stackRef: Stack | undefined;
  const storefront = await startStorefront({ port: 0, host: '127.0.0.1', gatewayUrl: () => stackRef?.gatewayUrl ?? '' });
  const origin = new URL(storefront.url).origin;
  let mail: MailCatcher | undefined;
  let stack: Stack;
  try {
    mail = await startMailCatcher();
    stack = stackRef = await startStack({ SMTP_URL: mail.url, CORS_ORIGINS: origin, ...overrides });
  } catch (err) {
    await storefront.close();
    await mail?.stop();
    throw err;
  }
  let browser: Browser;
  try {
    // playwright's launch() gives Chromium a fresh temporary profile (--user-data-dir) and deletes it on close.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  } catch (err) {
    await storefront.close();
    await stack.stop();
    await mail.stop();
    throw err;
  }
  const requests: string[] = [];
  const context = async () => {
    const ctx = await browser.newContext({ viewport: { width: 1200, height: 860 } });
    ctx.on('request', (r) => requests.push(r.url()));
    return ctx;
  };
  return {
    stack,
    mail,
    storefront,
    url: storefront.url,
    browser,
    requests,
    context,
    page: async (ctx) => (ctx ?? (await context())).newPage(),
    stop: async () => {
      await browser.close().catch(() => undefined);
      await storefront.close();
      await stack.stop();
      await mail.stop();
    },
  };
}

/** Serious or critical axe-core violations on the page as it is now (rule id and first target). */
export async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes[0]?.target.join(' ')}`);
}

/** Saves docs/img/storefront-<name>.png (committed; the README shows two of them). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `storefront-${name}.png`), fullPage: false });
}

/** Signs in through the Sign in page. */
export async function signIn(page: Page, rig: Rig, email: string, password: string): Promise<void> {
  await page.goto(`${rig.url}signin`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/**
 * Waits for `target`; when it does not appear, fails saying what the page's status and alert
 * regions showed instead (a refusal, a busy answer, an error), not only that the wait timed out.
 */
export async function waitOrExplain(page: Page, target: Locator, timeoutMs = 30_000): Promise<void> {
  try {
    await target.waitFor({ timeout: timeoutMs });
  } catch (err) {
    const said = await page.locator('[role=status], [role=alert]').allInnerTexts().catch(() => ['(the page could not be read)']);
    throw new Error(`${(err as Error).message.split('\n')[0]} at ${page.url()}; its status and alert regions said: ${JSON.stringify(said)}`);
  }
}
