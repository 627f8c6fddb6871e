/** The order state machine on its own: every allowed and refused transition, and each effect. No database. */
import { OrderStatus } from '../entities/order.entity';
import { InvalidTransitionError, ORDER_ACTIONS, OrderAction, TRANSITIONS, actionsFrom, planTransition } from './order-state-machine';

const STATUSES = Object.values(OrderStatus) as OrderStatus[];
const lines = [
  { productId: 'p1', quantity: 2 },
  { productId: 'p2', quantity: 1 },
];
const order = (status: OrderStatus) => ({ id: 'o1', status, lines });

describe('order state machine', () => {
  const expected: Record<OrderAction, [OrderStatus, OrderStatus]> = {
    pay: [OrderStatus.PENDING_PAYMENT, OrderStatus.PREPARING],
    decline: [OrderStatus.PENDING_PAYMENT, OrderStatus.PAYMENT_FAILED],
    expire: [OrderStatus.PENDING_PAYMENT, OrderStatus.EXPIRED],
    cancel: [OrderStatus.PREPARING, OrderStatus.CANCELED],
    ship: [OrderStatus.PREPARING, OrderStatus.SHIPPING],
    deliver: [OrderStatus.SHIPPING, OrderStatus.DELIVERED],
    requestReturn: [OrderStatus.DELIVERED, OrderStatus.RETURN_REQUESTED],
    completeReturn: [OrderStatus.RETURN_REQUESTED, OrderStatus.RETURNED],
  };

  it.each(STATUSES.flatMap((status) => ORDER_ACTIONS.map((action) => [status, action] as const)))('%s + %s: allowed only from its one status', (status, action) => {
    const [from, to] = expected[action];
    if (status === from) expect(planTransition(order(status), action).to).toBe(to);
    else expect(() => planTransition(order(status), action)).toThrow(new InvalidTransitionError(status, action));
  });

  it('final statuses allow nothing', () => {
    for (const status of [OrderStatus.PAYMENT_FAILED, OrderStatus.EXPIRED, OrderStatus.CANCELED, OrderStatus.RETURNED]) expect(actionsFrom(status)).toEqual([]);
    expect(actionsFrom(OrderStatus.PENDING_PAYMENT)).toEqual(['pay', 'decline', 'expire']);
    expect(actionsFrom(OrderStatus.PREPARING)).toEqual(['cancel', 'ship']);
  });

  it('pay sells the units: one stock.sold per line in the same unit of work, then settles the reservation', () => {
    expect(planTransition(order(OrderStatus.PENDING_PAYMENT), 'pay')).toEqual({
      action: 'pay',
      to: OrderStatus.PREPARING,
      stamps: ['statusChangedAt', 'paidAt'],
      events: [
        { type: 'stock.sold', productId: 'p1', quantity: 2, orderId: 'o1' },
        { type: 'stock.sold', productId: 'p2', quantity: 1, orderId: 'o1' },
      ],
      afterCommit: 'settle',
    });
  });

  it.each(['decline', 'expire'] as const)('%s gives unpaid units back to Redis only: no stock event', (action) => {
    const plan = planTransition(order(OrderStatus.PENDING_PAYMENT), action);
    expect(plan.events).toEqual([]);
    expect(plan.afterCommit).toBe('release');
    expect(plan.stamps).toEqual(['statusChangedAt']);
  });

  it.each([
    ['cancel', OrderStatus.PREPARING],
    ['completeReturn', OrderStatus.RETURN_REQUESTED],
  ] as const)('%s restocks paid units: one stock.returned per line, then Redis puts them back', (action, from) => {
    const plan = planTransition(order(from), action);
    expect(plan.events).toEqual(lines.map((l) => ({ type: 'stock.returned', ...l, orderId: 'o1' })));
    expect(plan.afterCommit).toBe('restock');
  });

  it.each([
    ['ship', OrderStatus.PREPARING, ['statusChangedAt']],
    ['deliver', OrderStatus.SHIPPING, ['statusChangedAt', 'deliveredAt']],
    ['requestReturn', OrderStatus.DELIVERED, ['statusChangedAt', 'returnRequestedAt']],
  ] as const)('%s (from %s) moves no units and sets only its own timestamps', (action, from, stamps) => {
    const plan = planTransition(order(from), action);
    expect(plan.events).toEqual([]);
    expect(plan.afterCommit).toBeNull();
    expect(plan.stamps).toEqual(stamps);
  });

  it('every unit effect is one of the three, and only pay sells', () => {
    const effects = ORDER_ACTIONS.map((a) => [a, TRANSITIONS[a].units ?? null]);
    expect(effects.filter(([, u]) => u === 'sold').map(([a]) => a)).toEqual(['pay']);
  });
});
