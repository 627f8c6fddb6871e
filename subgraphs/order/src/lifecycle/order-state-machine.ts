/**
 * The order state machine: which action moves an order from which status to which, and what each
 * move does to the units (decided here and nowhere else). Pure: no database, no Redis, no clock;
 * `OrderLifecycle` (order-lifecycle.ts) carries a plan out.
 *
 *   PENDING_PAYMENT --pay--> PREPARING --ship--> SHIPPING --deliver--> DELIVERED
 *          |                     |                                         |
 *          +--decline--> PAYMENT_FAILED                           requestReturn
 *          +--expire---> EXPIRED |                                         v
 *                                +--cancel--> CANCELED          RETURN_REQUESTED --completeReturn--> RETURNED
 *
 * Unit effects (O1, O6 in order.service.ts):
 *   sold     the order's stock.sold events (product.stock goes down) in the same unit of work as
 *            the status; afterwards Redis settles the reservation record (the units stay sold).
 *   release  unpaid units go back to Redis (the reservation record is given back); no event,
 *            product.stock never counted them.
 *   restock  paid units come back: stock.returned events in the same unit of work, then Redis
 *            puts the units back on sale and lowers the buyer's per-customer count.
 */
import { OrderStatus } from '../entities/order.entity';

export type OrderAction = 'pay' | 'decline' | 'expire' | 'cancel' | 'ship' | 'deliver' | 'requestReturn' | 'completeReturn';

export type UnitEffect = 'sold' | 'release' | 'restock';

export interface Transition {
  from: OrderStatus;
  to: OrderStatus;
  /** The timestamp this change sets (besides statusChangedAt). */
  stamp?: 'paidAt' | 'deliveredAt' | 'returnRequestedAt';
  units?: UnitEffect;
}

export const TRANSITIONS: Readonly<Record<OrderAction, Transition>> = {
  pay: { from: OrderStatus.PENDING_PAYMENT, to: OrderStatus.PREPARING, stamp: 'paidAt', units: 'sold' },
  decline: { from: OrderStatus.PENDING_PAYMENT, to: OrderStatus.PAYMENT_FAILED, units: 'release' },
  expire: { from: OrderStatus.PENDING_PAYMENT, to: OrderStatus.EXPIRED, units: 'release' },
  cancel: { from: OrderStatus.PREPARING, to: OrderStatus.CANCELED, units: 'restock' },
  ship: { from: OrderStatus.PREPARING, to: OrderStatus.SHIPPING },
  deliver: { from: OrderStatus.SHIPPING, to: OrderStatus.DELIVERED, stamp: 'deliveredAt' },
  requestReturn: { from: OrderStatus.DELIVERED, to: OrderStatus.RETURN_REQUESTED, stamp: 'returnRequestedAt' },
  completeReturn: { from: OrderStatus.RETURN_REQUESTED, to: OrderStatus.RETURNED, units: 'restock' },
};

export const ORDER_ACTIONS = Object.keys(TRANSITIONS) as OrderAction[];

/** Returns are accepted within this long after delivery. */
export const RETURN_WINDOW_MS = 24 * 3600 * 1000;

/** The order is not in the status the action starts from. */
export class InvalidTransitionError extends Error {
  constructor(
    readonly status: OrderStatus,
    readonly action: OrderAction,
  ) {
    super(`cannot ${action} an order in ${status}`);
  }
}

export interface OrderLine {
  productId: string;
  quantity: number;
}

/** What the stock stream receives in the unit of work that changes the status. */
export interface StockEvent {
  type: 'stock.sold' | 'stock.returned';
  productId: string;
  quantity: number;
  orderId: string;
}

/** Everything one transition does, decided before anything is written. */
export interface TransitionPlan {
  action: OrderAction;
  to: OrderStatus;
  /** The timestamps to set to the transition's time: always statusChangedAt, plus the action's stamp. */
  stamps: Array<'statusChangedAt' | 'paidAt' | 'deliveredAt' | 'returnRequestedAt'>;
  /** Written in the same unit of work as the status. */
  events: StockEvent[];
  /** What Redis does once the status has committed (never before: O1). */
  afterCommit: 'settle' | 'release' | 'restock' | null;
}

/** The actions an order in `status` allows. */
export function actionsFrom(status: OrderStatus): OrderAction[] {
  return ORDER_ACTIONS.filter((action) => TRANSITIONS[action].from === status);
}

/** Plans `action` for an order in `status` with these lines; throws InvalidTransitionError when it does not apply. */
export function planTransition(order: { id: string; status: OrderStatus; lines: readonly OrderLine[] }, action: OrderAction): TransitionPlan {
  const transition = TRANSITIONS[action];
  if (order.status !== transition.from) throw new InvalidTransitionError(order.status, action);
  const eventType = transition.units === 'sold' ? 'stock.sold' : transition.units === 'restock' ? 'stock.returned' : null;
  return {
    action,
    to: transition.to,
    stamps: transition.stamp ? ['statusChangedAt', transition.stamp] : ['statusChangedAt'],
    events: eventType ? order.lines.map((line) => ({ type: eventType, productId: line.productId, quantity: line.quantity, orderId: order.id })) : [],
    afterCommit: transition.units === 'sold' ? 'settle' : (transition.units ?? null),
  };
}
