/**
 * An order's life after placeOrder: payment (success, decline, twice, foreign, expired), the pay
 * versus expiry race, the sweeper, cancel, return, the daily job with a moved clock (including
 * catch-up and one runner across replicas), and every forbidden transition.
 *
 * Over 300 lines: every transition's scenario shares one stack started once for the file.
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { startStack, Stack } from '../support/stack';
import { createSaleProduct, readProductStock } from '../support/catalog';
import {
  Buyer,
  ManualClock,
  available,
  boughtBy,
  buyers,
  cancelOrder,
  eventually,
  payOrder,
  placed,
  replica,
  requestReturn,
  sql,
  stockEventsOf,
} from '../support/orders';
import { Order, OrderStatus, OrderItem, PaymentSimulator, ChargeRequest, OrderAction, TRANSITIONS } from '@flashsale/order-subgraph';

let stack: Stack;
let payments: PaymentSimulator;
beforeAll(async () => {
  stack = await startStack();
  payments = stack.order.services.payments as PaymentSimulator;
});
afterAll(() => stack?.stop());

const statusOf = async (id: string) => (await sql<{ status: string }>(stack, 'select status from `order` where id = ?', [id]))[0]?.status;
const hasRecord = async (id: string) => (await stack.order.services.reservations.allParts()).has(id);
const card = { success: '4242424242424242', decline: '4000000000000002' };

async function saleWithOrder(stock = 5, quantity = 2, price = 1500) {
  const product = await createSaleProduct(stack, { stock, price });
  const [buyer] = await buyers(stack, 1);
  const order = await placed(stack, buyer, [{ productId: product.id, quantity }]);
  return { product, buyer, order };
}

describe('payOrder', () => {
  it('with the success card: PREPARING with paidAt, a stock.sold event, units stay sold and product.stock follows', async () => {
    const { product, buyer, order } = await saleWithOrder(5, 2);
    const a = await payOrder(stack, buyer, order.id, card.success);
    expect(a.errors).toBeUndefined();
    expect(a.payload!.userErrors).toEqual([]);
    expect(a.payload!.order).toMatchObject({ id: order.id, status: 'PREPARING', paidAt: expect.any(String) });
    expect(await available(stack, product.id)).toBe(3);
    expect(await hasRecord(order.id)).toBe(false); // settled: the sweeper will never give these back
    expect(await stockEventsOf(stack, order.id)).toEqual([{ type: 'stock.sold', productId: product.id, quantity: 2 }]);
    expect(payments.captured(order.id)).toBe(3000);
    await eventually(async () => (await readProductStock(stack, product.id)) === 3);
  });

  it('with the decline card: PAYMENT_FAILED with PAYMENT_DECLINED, the units are back at once, nothing charged', async () => {
    const { product, buyer, order } = await saleWithOrder(5, 2);
    expect(await available(stack, product.id)).toBe(3);
    const a = await payOrder(stack, buyer, order.id, card.decline);
    expect(a.payload).toMatchObject({ order: { status: 'PAYMENT_FAILED' }, userErrors: [{ code: 'PAYMENT_DECLINED', field: 'payment.cardNumber' }] });
    expect(await available(stack, product.id)).toBe(5);
    expect(await boughtBy(stack, product.id, buyer.userId)).toBe(0);
    expect(await hasRecord(order.id)).toBe(false);
    expect(await stockEventsOf(stack, order.id)).toEqual([]);
    expect(payments.captured(order.id)).toBe(0);
    // A failed order stays failed.
    const again = await payOrder(stack, buyer, order.id, card.success);
    expect(again.payload!.userErrors[0].code).toBe('INVALID_STATE');
    expect(payments.captured(order.id)).toBe(0);
  });

  it('twice at the same moment and once more later charges once; the others answer ALREADY_PAID', async () => {
    const { buyer, order } = await saleWithOrder(5, 1);
    const [x, y] = await Promise.all([payOrder(stack, buyer, order.id), payOrder(stack, buyer, order.id)]);
    const codes = [x, y].map((a) => a.payload!.userErrors[0]?.code ?? 'OK').sort();
    expect(codes).toEqual(['ALREADY_PAID', 'OK']);
    const later = await payOrder(stack, buyer, order.id);
    expect(later.payload).toMatchObject({ order: { status: 'PREPARING' }, userErrors: [{ code: 'ALREADY_PAID' }] });
    expect([...payments.charges.values()].filter((c) => c.paymentKey === order.id)).toHaveLength(1);
    expect(await stockEventsOf(stack, order.id)).toHaveLength(1);
  });

  it("someone else's order and an unknown one answer the same NOT_FOUND and charge nothing", async () => {
    const { order } = await saleWithOrder(5, 1);
    const [stranger] = await buyers(stack, 1);
    const foreign = await payOrder(stack, stranger, order.id);
    const unknown = await payOrder(stack, stranger, randomUUID());
    expect(foreign.errors?.[0]).toMatchObject({ message: 'Order not found', extensions: { code: 'NOT_FOUND' } });
    expect(unknown.errors?.[0]).toMatchObject({ message: 'Order not found', extensions: { code: 'NOT_FOUND' } });
    expect(payments.captured(order.id)).toBe(0);
    expect(await statusOf(order.id)).toBe('PENDING_PAYMENT');
  });

  it('a malformed card number is BAD_USER_INPUT and changes nothing', async () => {
    const { buyer, order } = await saleWithOrder(5, 1);
    const a = await payOrder(stack, buyer, order.id, '4242');
    expect(a.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'payment.cardNumber' });
    expect(await statusOf(order.id)).toBe('PENDING_PAYMENT');
  });

  it('a payment slower than PAYMENT_TIMEOUT_MS fails the order and the late charge is voided', async () => {
    const { product, buyer, order } = await saleWithOrder(5, 1);
    const slow = new PaymentSimulator({ latencyMs: 300, failureRate: 0 });
    const ops = replica(stack, { payments: slow, config: { PAYMENT_TIMEOUT_MS: 50 } });
    const outcome = await ops.orders.payOrder(buyer, order.id, { cardNumber: card.success });
    expect(outcome.userErrors[0]).toMatchObject({ code: 'PAYMENT_DECLINED', message: 'The payment timed out' });
    expect(await statusOf(order.id)).toBe('PAYMENT_FAILED');
    expect(await available(stack, product.id)).toBe(5);
    await new Promise((r) => setTimeout(r, 350));
    expect(slow.captured(order.id)).toBe(0);
  });
});

describe('reservation expiry', () => {
  it('the sweeper expires an unpaid order past its reservation, returns its units once, and it can no longer be paid', async () => {
    const { product, buyer, order } = await saleWithOrder(5, 2);
    const clock = new ManualClock(new Date(Date.parse(order.reservationExpiresAt) - 1000));
    const ops = replica(stack, { clock });
    await ops.sweeper.sweep();
    expect(await statusOf(order.id)).toBe('PENDING_PAYMENT');

    clock.advance(2000);
    const swept = await ops.sweeper.sweep();
    expect(swept.expired).toBeGreaterThanOrEqual(1);
    expect(await statusOf(order.id)).toBe('EXPIRED');
    expect(await available(stack, product.id)).toBe(5);
    expect(await boughtBy(stack, product.id, buyer.userId)).toBe(0);

    clock.advance(3600_000); // well past the orphan grace too: nothing is given back twice
    await ops.sweeper.sweep();
    expect(await available(stack, product.id)).toBe(5);

    const late = await payOrder(stack, buyer, order.id);
    expect(late.payload).toMatchObject({ order: { status: 'EXPIRED' }, userErrors: [{ code: 'ORDER_EXPIRED' }] });
    expect(payments.captured(order.id)).toBe(0);
  });

  it('paying after the reservation ran out (before the sweeper came) answers ORDER_EXPIRED and charges nothing', async () => {
    const { product, buyer, order } = await saleWithOrder(5, 2);
    const ops = replica(stack, { clock: new ManualClock(new Date(Date.parse(order.reservationExpiresAt) + 1)) });
    const outcome = await ops.orders.payOrder(buyer, order.id, { cardNumber: card.success });
    expect(outcome.userErrors.map((e) => e.code)).toEqual(['ORDER_EXPIRED']);
    expect(outcome.order!.status).toBe('EXPIRED');
    expect(await available(stack, product.id)).toBe(5);
    expect(payments.captured(order.id)).toBe(0);
  });

  it('payments racing the sweeper at the deadline: every order ends paid or expired, never both, and the units add up', async () => {
    const product = await createSaleProduct(stack, { stock: 40 });
    const crowd = await buyers(stack, 20);
    const orders = await Promise.all(crowd.map((b) => placed(stack, b, [{ productId: product.id, quantity: 2 }])));
    const deadline = Date.parse(orders[0].reservationExpiresAt);
    // Replica A pays just before the deadline with a slow card network; replica B sweeps just after.
    const payer = replica(stack, { clock: new ManualClock(new Date(deadline - 5000)), payments: new PaymentSimulator({ latencyMs: 0, failureRate: 0 }) });
    const slowCharges = payer.payments as PaymentSimulator;
    const originalCharge = slowCharges.charge.bind(slowCharges);
    slowCharges.charge = async (req: ChargeRequest) => {
      await new Promise((r) => setTimeout(r, Math.random() * 40));
      return originalCharge(req);
    };
    const sweeper = replica(stack, { clock: new ManualClock(new Date(deadline + 60_000)) });
    const after = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const [answers] = await Promise.all([
      Promise.all(orders.map(async (o, i) => (await after(Math.random() * 80), payer.orders.payOrder(crowd[i], o.id, { cardNumber: card.success })))),
      Promise.all([0, 15, 30, 45].map((ms) => after(ms).then(() => sweeper.sweeper.sweep()))),
    ]);
    let paid = 0;
    for (const [i, o] of orders.entries()) {
      const status = await statusOf(o.id);
      expect(['PREPARING', 'EXPIRED']).toContain(status);
      if (status === 'PREPARING') {
        paid++;
        expect(answers[i].userErrors).toEqual([]);
        expect(slowCharges.captured(o.id)).toBe(o.total);
      } else {
        expect(answers[i].userErrors.map((e) => e.code)).toEqual(['ORDER_EXPIRED']);
        expect(slowCharges.captured(o.id)).toBe(0);
      }
    }
    // Paid units stay sold; expired ones are back on sale exactly once.
    expect(await available(stack, product.id)).toBe(40 - 2 * paid);
  });

  it('a payer whose lock ran out loses to the expiry through the version fence, and the charge is refunded', async () => {
    const { product, buyer, order } = await saleWithOrder(5, 2);
    const expirer = replica(stack, { clock: new ManualClock(new Date(Date.parse(order.reservationExpiresAt) + 1000)) });
    const sim = new PaymentSimulator({ latencyMs: 0, failureRate: 0 });
    // While the card network is busy, another process (not honouring the lock, as one whose lock
    // expired would) expires the order.
    const racing = {
      charge: async (req: ChargeRequest) => {
        expect(await expirer.orders.transitionIfStillDue(order.id, 'expire', new Date())).toBe(true);
        return sim.charge(req);
      },
      void: (k: string) => sim.void(k),
      refund: (id: string) => sim.refund(id),
    };
    const payer = replica(stack, { payments: racing });
    const outcome = await payer.orders.payOrder(buyer, order.id, { cardNumber: card.success });
    expect(outcome.userErrors.map((e) => e.code)).toEqual(['ORDER_EXPIRED']);
    expect(await statusOf(order.id)).toBe('EXPIRED');
    expect(sim.charges.get(order.id)?.status).toBe('refunded');
    expect(await available(stack, product.id)).toBe(5);
    expect(await stockEventsOf(stack, order.id)).toEqual([]);
  });
});

describe('cancelOrder', () => {
  it('cancels a PREPARING order: CANCELED, units back on sale at once, stock.returned restores product.stock', async () => {
    const { product, buyer, order } = await saleWithOrder(5, 2);
    await payOrder(stack, buyer, order.id);
    await eventually(async () => (await readProductStock(stack, product.id)) === 3);
    const a = await cancelOrder(stack, buyer, order.id);
    expect(a.payload).toMatchObject({ order: { status: 'CANCELED' }, userErrors: [] });
    expect(await available(stack, product.id)).toBe(5);
    expect(await boughtBy(stack, product.id, buyer.userId)).toBe(0);
    expect(await stockEventsOf(stack, order.id)).toEqual([
      { type: 'stock.sold', productId: product.id, quantity: 2 },
      { type: 'stock.returned', productId: product.id, quantity: 2 },
    ]);
    await eventually(async () => (await readProductStock(stack, product.id)) === 5);
    const again = await cancelOrder(stack, buyer, order.id);
    expect(again.payload!.userErrors[0].code).toBe('INVALID_STATE');
    expect(await available(stack, product.id)).toBe(5);
  });

  it('refuses an unpaid order with INVALID_STATE and a foreign one with NOT_FOUND, changing nothing', async () => {
    const { product, buyer, order } = await saleWithOrder(5, 2);
    const a = await cancelOrder(stack, buyer, order.id);
    expect(a.payload).toMatchObject({ order: { status: 'PENDING_PAYMENT' }, userErrors: [{ code: 'INVALID_STATE' }] });
    const [stranger] = await buyers(stack, 1);
    await payOrder(stack, buyer, order.id);
    const foreign = await cancelOrder(stack, stranger, order.id);
    expect(foreign.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(await statusOf(order.id)).toBe('PREPARING');
    expect(await available(stack, product.id)).toBe(3);
  });
});

describe('the daily job', () => {
  // Days counted from tomorrow's midnight (UTC, the default DAILY_JOB_TIMEZONE), at 00:00:05.
  const day = (n: number, plus = 5000) => new Date(DateTime.utc().startOf('day').plus({ days: n }).toMillis() + plus);
  const midnight = (n: number) => day(n, 0).toISOString();
  let clock: ManualClock;
  let product: { id: string };
  let buyer: Buyer;
  let first: string;
  let second: string;

  beforeAll(async () => {
    clock = new ManualClock(new Date());
    product = await createSaleProduct(stack, { stock: 20 });
    [buyer] = await buyers(stack, 1);
    first = (await placed(stack, buyer, [{ productId: product.id, quantity: 1 }])).id;
    second = (await placed(stack, buyer, [{ productId: product.id, quantity: 2 }])).id;
    await payOrder(stack, buyer, first);
    await payOrder(stack, buyer, second);
  });

  it('at midnight ships what was paid before it; running again the same day moves nothing', async () => {
    const ops = replica(stack, { clock });
    clock.set(day(1));
    const run = await ops.dailyJob.runDue();
    expect(run.dates).toEqual([midnight(1).slice(0, 10)]);
    expect(await statusOf(first)).toBe('SHIPPING');
    expect(await statusOf(second)).toBe('SHIPPING');
    expect(await ops.dailyJob.runDue()).toMatchObject({ dates: [] });
    expect(await statusOf(first)).toBe('SHIPPING');
    // Forbidden on the way: no return before delivery, no cancel once shipped, no second payment.
    expect((await requestReturn(stack, buyer, first)).payload!.userErrors[0].code).toBe('INVALID_STATE');
    expect((await cancelOrder(stack, buyer, first)).payload!.userErrors[0].code).toBe('INVALID_STATE');
    expect((await payOrder(stack, buyer, first)).payload!.userErrors[0].code).toBe('ALREADY_PAID');
  });

  it('the next midnight delivers, stamping deliveredAt; returns are accepted for 24 hours after it', async () => {
    const ops = replica(stack, { clock });
    clock.set(day(2));
    await ops.dailyJob.runDue();
    const rows = await sql<{ id: string; status: string; delivered_at: Date }>(stack, 'select id, status, delivered_at from `order` where id in (?, ?)', [first, second]);
    for (const r of rows) {
      expect(r.status).toBe('DELIVERED');
      expect(new Date(r.delivered_at).toISOString()).toBe(midnight(2));
    }
    clock.set(day(2, 23 * 3600_000));
    expect(await ops.orders.requestReturn(buyer, first)).toMatchObject({ order: { status: OrderStatus.RETURN_REQUESTED }, userErrors: [] });
    clock.set(day(3, 1000));
    const late = await ops.orders.requestReturn(buyer, second);
    expect(late.userErrors.map((e) => e.code)).toEqual(['RETURN_WINDOW_CLOSED']);
    expect(await statusOf(second)).toBe('DELIVERED');
  });

  it('a return completes at the first midnight a day after it was requested, with restock in Redis and by event', async () => {
    const ops = replica(stack, { clock });
    const before = (await available(stack, product.id))!;
    clock.set(day(3));
    await ops.dailyJob.runDue();
    expect(await statusOf(first)).toBe('RETURN_REQUESTED'); // requested 1 hour before this midnight
    clock.set(day(4));
    await ops.dailyJob.runDue();
    expect(await statusOf(first)).toBe('RETURNED');
    expect(await available(stack, product.id)).toBe(before + 1);
    expect((await stockEventsOf(stack, first)).map((e) => e.type)).toEqual(['stock.sold', 'stock.returned']);
    await eventually(async () => (await readProductStock(stack, product.id)) === 20 - 2);
  });

  it('after missed midnights it catches up day by day: an order paid before them is shipped, then delivered', async () => {
    const ops = replica(stack, { clock });
    const late = await placed(stack, buyer, [{ productId: product.id, quantity: 1 }]);
    await payOrder(stack, buyer, late.id);
    clock.set(day(8)); // days 5, 6, 7, 8 were missed
    const run = await ops.dailyJob.runDue();
    expect(run.dates).toEqual([5, 6, 7, 8].map((n) => midnight(n).slice(0, 10)));
    const [row] = await sql<{ status: string; delivered_at: Date }>(stack, 'select status, delivered_at from `order` where id = ?', [late.id]);
    expect(row.status).toBe('DELIVERED');
    expect(new Date(row.delivered_at).toISOString()).toBe(midnight(6));
  });

  it('two replicas at the same midnight: it runs once', async () => {
    const order = await placed(stack, buyer, [{ productId: product.id, quantity: 1 }]);
    await payOrder(stack, buyer, order.id);
    clock.set(day(10));
    const [a, b] = [replica(stack, { clock }), replica(stack, { clock })];
    const runs = await Promise.all([a.dailyJob.runDue(), b.dailyJob.runDue(), a.dailyJob.runDue()]);
    const dates = runs.flatMap((r) => r.dates);
    expect(dates.sort()).toEqual([9, 10].map((n) => midnight(n).slice(0, 10)));
    expect(runs.reduce((n, r) => n + r.moved.ship + r.moved.deliver, 0)).toBe(2);
    expect(await statusOf(order.id)).toBe('DELIVERED');
  });
});

describe('the transition table', () => {
  it('allows exactly its transitions; every other (status, action) is refused and changes nothing', async () => {
    const ops = replica(stack, { clock: new ManualClock() });
    const em = stack.order.deps.orm.em.fork();
    const productId = randomUUID();
    const make = (status: OrderStatus) => {
      const now = new Date();
      const o = em.create(Order, { userId: randomUUID(), idempotencyKey: randomUUID(), total: 100, currency: 'USD', reservationExpiresAt: now, statusChangedAt: now, status });
      em.create(OrderItem, { order: o, productId, quantity: 1, unitPrice: 100 });
      return o;
    };
    const actions = Object.keys(TRANSITIONS) as OrderAction[];
    const cases = Object.values(OrderStatus).flatMap((status) => actions.map((action) => ({ status, action, order: make(status) })));
    await em.flush();
    for (const { status, action, order } of cases) {
      const allowed = TRANSITIONS[action].from === status;
      expect({ status, action, moved: await ops.orders.transitionIfStillDue(order.id, action, new Date()) }).toEqual({ status, action, moved: allowed });
      expect({ status, action, now: await statusOf(order.id) }).toEqual({ status, action, now: allowed ? TRANSITIONS[action].to : status });
    }
    expect(cases.filter((c) => TRANSITIONS[c.action].from === c.status)).toHaveLength(actions.length);
  });
});
