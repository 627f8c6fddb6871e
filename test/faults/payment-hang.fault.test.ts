/**
 * The payment provider hangs (the CI-sized `npm run chaos -- payment-hang`): its charges do not
 * answer until the test lets them. payOrder gives up after PAYMENT_TIMEOUT_MS and the order ends
 * in exactly one state, PAYMENT_FAILED, with its units back; the attempt is voided at the
 * provider, so when the hung charge finally goes through it is refunded, not kept.
 */
import { startStack, Stack } from '../support/stack';
import { createSaleProduct } from '../support/catalog';
import { available, buyers, payOrder, placed } from '../support/orders';
import { formatAudit, settledAudit } from '../../chaos/lib/audit';
import { PaymentSimulator } from '@flashsale/order-subgraph';
import { auditSources } from './support';

const PAYMENT_TIMEOUT_MS = 300;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ PAYMENT_TIMEOUT_MS: String(PAYMENT_TIMEOUT_MS) });
});
afterAll(() => stack?.stop());

it('charges that hang: payOrder answers PAYMENT_DECLINED in bounded time, the order is PAYMENT_FAILED, no money is kept', async () => {
  const STOCK = 10;
  const product = await createSaleProduct(stack, { stock: STOCK });
  const crowd = await buyers(stack, 4);
  const orders = await Promise.all(crowd.map((b) => placed(stack, b, [{ productId: product.id, quantity: 2 }])));
  expect(await available(stack, product.id)).toBe(2);

  // The provider stops answering.
  const provider = stack.order.services.payments as PaymentSimulator;
  const charge = provider.charge.bind(provider);
  let answer!: () => void;
  const hung = new Promise<void>((r) => (answer = r));
  const late: Array<Promise<unknown>> = [];
  provider.charge = (req) => {
    const result = hung.then(() => charge(req));
    late.push(result);
    return result;
  };
  try {
    const t0 = Date.now();
    const payments = await Promise.all(crowd.map((b, i) => payOrder(stack, b, orders[i].id)));
    expect(Date.now() - t0).toBeLessThan(PAYMENT_TIMEOUT_MS + 5000);
    for (const p of payments) {
      expect(p.payload!.userErrors.map((e) => e.code)).toEqual(['PAYMENT_DECLINED']);
      expect(p.payload!.order!.status).toBe('PAYMENT_FAILED');
    }
    // Their units are for sale again at once.
    expect(await available(stack, product.id)).toBe(STOCK);

    // The hung charges finally succeed at the provider: voided attempts are refunded.
    answer();
    await Promise.all(late);
    for (const o of orders) expect(provider.captured(o.id)).toBe(0);
    expect([...provider.charges.values()].filter((c) => orders.some((o) => o.id === c.paymentKey)).every((c) => c.status === 'refunded')).toBe(true);
  } finally {
    provider.charge = charge;
  }

  // The one defined state: paying again is refused and charges nothing.
  const again = await payOrder(stack, crowd[0], orders[0].id);
  expect(again.payload!.userErrors.map((e) => e.code)).toEqual(['INVALID_STATE']);
  expect(provider.captured(orders[0].id)).toBe(0);

  const audit = await settledAudit(auditSources(stack), { id: product.id, initialStock: STOCK }, orders.map((o) => o.id));
  if (!audit.exact) throw new Error(formatAudit(audit));
  expect(audit).toMatchObject({ sold: 0, pending: 0, available: STOCK, productStock: STOCK, orders: { PAYMENT_FAILED: 4 } });
});
