/**
 * TELEMETRY_METRICS=off: no process serves /metrics (404), and the stack still sells exactly.
 * (Registries are per process and service, so this needs a jest file, i.e. a module registry, of its own.)
 */
import { startStack, Stack } from '../support/stack';
import { createSaleProduct } from '../support/catalog';
import { buyers, placeOrder } from '../support/orders';
import { scrape, stackPorts } from './prometheus';

let stack: Stack;
const saved = process.env.TELEMETRY_METRICS;
beforeAll(async () => {
  // Read from the process environment, as the processes of a real deployment do.
  process.env.TELEMETRY_METRICS = 'off';
  stack = await startStack();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  if (saved === undefined) delete process.env.TELEMETRY_METRICS;
  else process.env.TELEMETRY_METRICS = saved;
});

it('answers 404 on every /metrics and still places orders', async () => {
  for (const port of Object.values(stackPorts(stack))) expect((await scrape(port)).status).toBe(404);
  const product = await createSaleProduct(stack, { stock: 1 });
  const answers = await Promise.all((await buyers(stack, 3)).map((b) => placeOrder(stack, b, [{ productId: product.id, quantity: 1 }])));
  expect(answers.filter((a) => a.payload?.order)).toHaveLength(1);
});
