/**
 * npm run bench:storefront [-- --runs 15]
 * Time from opening a product page to an interactive Buy now, in Debian's Chromium against a real
 * stack and the production build (the browser-test rig, test/browser/harness.ts). Each run is a
 * fresh browser context (empty HTTP cache: the bundle is fetched and parsed every time) opening an
 * open sale's product page; the page's own performance marks give
 *   navigation → Buy now enabled   (performance mark `buy-interactive`, from navigation start)
 *   page mounted → Buy now enabled (measure `product-to-buy`: the product query's round trip)
 * Prints numbers only; nothing passes or fails on them.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { createSaleProduct } from '../test/support/catalog';
import { startRig } from '../test/browser/harness';

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const fmt = (xs: number[]) => `median ${quantile(xs, 0.5).toFixed(0)} ms, p90 ${quantile(xs, 0.9).toFixed(0)} ms, min ${Math.min(...xs).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;

async function main() {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
  const runs = Number(values.runs);
  const rig = await startRig({ LOG_LEVEL: 'silent' });
  try {
    const product = await createSaleProduct(rig.stack, { stock: 1000, name: 'Bench Sneaker' });
    const fromNavigation: number[] = [];
    const fromMount: number[] = [];
    for (let i = 0; i < runs; i++) {
      const context = await rig.context();
      const page = await context.newPage();
      await page.goto(`${rig.url}products/${product.id}`);
      await page.waitForFunction(() => performance.getEntriesByName('product-to-buy').length > 0, undefined, { timeout: 15_000 });
      const [nav, mount] = await page.evaluate(() => [performance.getEntriesByName('buy-interactive')[0].startTime, performance.getEntriesByName('product-to-buy')[0].duration]);
      fromNavigation.push(nav);
      fromMount.push(mount);
      await context.close();
    }
    console.log(`product page → interactive Buy now, ${runs} cold loads (fresh context each) of the production build:`);
    console.log(`  from navigation start: ${fmt(fromNavigation)}`);
    console.log(`  from page mount (product query round trip): ${fmt(fromMount)}`);
  } finally {
    await rig.stop();
  }
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(2);
});
