/**
 * What deploy/kubernetes assumes of a process that gets SIGTERM, checked on a real gateway process:
 * it stops accepting at once, so GET /health (the readiness probe) fails from the first moment of
 * the drain; the request in flight still gets its answer; and the process exits on its own within
 * SHUTDOWN_GRACE_MS, inside the pod's terminationGracePeriodSeconds (test/deploy/kubernetes.test.ts
 * checks the manifests' side: grace > preStop sleep + SHUTDOWN_GRACE_MS).
 * The request in flight is a payOrder whose charge hangs at the payment provider until
 * PAYMENT_TIMEOUT_MS, so the drain has something to wait for.
 */
import { startStack, Stack } from '../support/stack';
import { createSaleProduct } from '../support/catalog';
import { buyers, eventually, payOrder, placed } from '../support/orders';
import { PaymentSimulator } from '@flashsale/order-subgraph';
import { childService, ChildService } from './support';

const PAYMENT_TIMEOUT_MS = 3000;

let stack: Stack;
let gateway: ChildService;
beforeAll(async () => {
  stack = await startStack({ PAYMENT_TIMEOUT_MS: String(PAYMENT_TIMEOUT_MS) });
  gateway = await childService(stack, 'gateway');
});
afterAll(async () => {
  await gateway?.stop();
  await stack?.stop();
});

/** Resolves with the ms until GET /health no longer connects (what a kubelet probe sees). */
async function healthRefusedWithin(url: string, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(500) });
    } catch {
      return Date.now() - t0;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`/health still answered ${timeoutMs} ms after SIGTERM`);
}

it('SIGTERM mid-request: /health refused at once, the payment in flight still answered, exit well within SHUTDOWN_GRACE_MS', async () => {
  const product = await createSaleProduct(stack, { stock: 1 });
  const [buyer] = await buyers(stack, 1);
  const order = await placed(stack, buyer, [{ productId: product.id, quantity: 1 }]);
  const health = gateway.url.replace(/\/graphql$/, '/health');
  expect((await fetch(health)).status).toBe(200);

  const provider = stack.order.services.payments as PaymentSimulator;
  const charge = provider.charge.bind(provider);
  let charging = 0;
  provider.charge = () => {
    charging++;
    return new Promise(() => undefined); // never answers: payOrder gives up after PAYMENT_TIMEOUT_MS
  };
  try {
    const throughChild = { ...stack, gql: ((query, variables, opts) => stack.gql(query, variables, { ...opts, url: gateway.url })) as Stack['gql'] };
    const inFlight = payOrder(throughChild, buyer, order.id);
    await eventually(async () => charging === 1);

    const t0 = Date.now();
    const exited = gateway.stop(); // SIGTERM, resolves when the process has exited
    const refusedAfterMs = await healthRefusedWithin(health, 1000);
    const answer = await inFlight;
    await exited;
    const exitedAfterMs = Date.now() - t0;

    expect(refusedAfterMs).toBeLessThan(1000);
    expect(answer.errors).toBeUndefined();
    expect(answer.payload!.userErrors.map((e) => e.code)).toEqual(['PAYMENT_DECLINED']);
    expect(exitedAfterMs).toBeGreaterThan(PAYMENT_TIMEOUT_MS / 2); // it waited for the request
    expect(exitedAfterMs).toBeLessThan(stack.config.SHUTDOWN_GRACE_MS); // and not for the forced exit
  } finally {
    provider.charge = charge;
  }
});
