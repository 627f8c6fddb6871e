/**
 * Order fixtures for e2e tests: buyers with tokens, the typed order mutations (placeOrder, payOrder,
 * cancelOrder, requestReturn) over the gateway, a clock tests move by hand, and order services
 * built on a stack's own connections (for driving the sweeper and the daily job at a moved time,
 * as a second replica would).
 */
import { randomUUID } from 'node:crypto';
import { type Identity, redisKeys } from '@flashsale/platform';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { GraphQLResponse, Stack } from './stack';
import { graphql } from '../gql';
import type { CancelOrderMutation, OrderErrorFieldsFragment, OrderFieldsFragment, PayOrderMutation, PlaceOrderMutation, RequestReturnMutation } from '../gql/graphql';
import { createOrderServices, OrderServiceOverrides, OrderServices, type Clock, orderKeys } from '@flashsale/order-subgraph';

export class ManualClock implements Clock {
  private t: number;
  constructor(start: Date = new Date()) {
    this.t = start.getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  set(at: Date): void {
    this.t = at.getTime();
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface Buyer extends Identity {
  token: string;
}

export async function buyers(stack: Stack, n: number): Promise<Buyer[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const identity: Identity = { userId: randomUUID(), roles: ['CUSTOMER'] };
      return { ...identity, token: await stack.token(identity) };
    }),
  );
}

graphql(`
  fragment OrderFields on Order {
    id status total currency reservationExpiresAt paidAt deliveredAt returnRequestedAt createdAt
    items { quantity unitPrice product { id } }
  }
`);
graphql(`
  fragment OrderErrorFields on OrderError {
    code message field productId available opensAt closesAt limit reason place
  }
`);

// Each order mutation is named after its root field, as an anonymous one would be counted in the
// gateway's metrics (operation="placeOrder", which test/telemetry/metrics.e2e.test.ts reads).
const PLACE_ORDER = graphql(`
  mutation placeOrder($input: PlaceOrderInput!) {
    placeOrder(input: $input) { order { ...OrderFields } userErrors { ...OrderErrorFields } }
  }
`);
const PAY_ORDER = graphql(`
  mutation payOrder($id: ID!, $card: String!) {
    payOrder(orderId: $id, payment: { cardNumber: $card }) { order { ...OrderFields } userErrors { ...OrderErrorFields } }
  }
`);
const CANCEL_ORDER = graphql(`
  mutation cancelOrder($id: ID!) {
    cancelOrder(orderId: $id) { order { ...OrderFields } userErrors { ...OrderErrorFields } }
  }
`);
const REQUEST_RETURN = graphql(`
  mutation requestReturn($id: ID!) {
    requestReturn(orderId: $id) { order { ...OrderFields } userErrors { ...OrderErrorFields } }
  }
`);

/** placeOrder answering only the order's id, for tests about what placing an order causes elsewhere. */
export const PLACE_ORDER_RETURNING_ID = graphql(`
  mutation PlaceOrderReturningId($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } userErrors { code message } } }
`);

export type OrderView = OrderFieldsFragment;
export type OrderErrorView = OrderErrorFieldsFragment;
/** What every order mutation answers: the order (when it was changed) and the userErrors. */
export type Payload = PlaceOrderMutation['placeOrder'] | PayOrderMutation['payOrder'] | CancelOrderMutation['cancelOrder'] | RequestReturnMutation['requestReturn'];
export interface Answer {
  payload: Payload | null;
  errors?: GraphQLResponse['errors'];
}

async function orderMutation<TData, TVariables>(
  stack: Stack,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  payloadOf: (data: TData) => Payload,
  token?: string,
): Promise<Answer> {
  const res = await stack.gql(document, variables, { token });
  return { payload: res.data ? payloadOf(res.data) ?? null : null, errors: res.errors };
}

export type Lines = Array<{ productId: string; quantity: number }>;

export function placeOrder(stack: Stack, buyer: { token: string }, items: Lines, idempotencyKey: string = randomUUID(), waitingRoomTicket?: string | null): Promise<Answer> {
  return orderMutation(stack, PLACE_ORDER, { input: { items, idempotencyKey, waitingRoomTicket } }, (data) => data.placeOrder, buyer.token);
}

export function payOrder(stack: Stack, buyer: { token: string }, orderId: string, cardNumber = '4242424242424242'): Promise<Answer> {
  return orderMutation(stack, PAY_ORDER, { id: orderId, card: cardNumber }, (data) => data.payOrder, buyer.token);
}

export function cancelOrder(stack: Stack, buyer: { token: string }, orderId: string): Promise<Answer> {
  return orderMutation(stack, CANCEL_ORDER, { id: orderId }, (data) => data.cancelOrder, buyer.token);
}

export function requestReturn(stack: Stack, buyer: { token: string }, orderId: string): Promise<Answer> {
  return orderMutation(stack, REQUEST_RETURN, { id: orderId }, (data) => data.requestReturn, buyer.token);
}

/** Places an order and fails loudly unless it was placed. */
export async function placed(stack: Stack, buyer: { token: string }, items: Lines): Promise<OrderView> {
  const a = await placeOrder(stack, buyer, items);
  if (!a.payload?.order) throw new Error(`placeOrder failed: ${JSON.stringify(a)}`);
  return a.payload.order;
}

/** Order services on the stack's own MySQL/Redis, as another replica with its own clock would run them. */
export function replica(stack: Stack, overrides: OrderServiceOverrides = {}): OrderServices {
  const services = createOrderServices(stack.order.deps, overrides);
  services.outbox.attach(stack.order.services.outbox);
  return services;
}

export async function available(stack: Stack, productId: string): Promise<number | null> {
  const v = await stack.order.deps.redis.hget(redisKeys.productStock(productId), 'available');
  return v === null ? null : Number(v);
}

export async function boughtBy(stack: Stack, productId: string, userId: string): Promise<number> {
  return Number((await stack.order.deps.redis.hget(orderKeys.bought(productId), userId)) ?? 0);
}

/** Reservations held in Redis (each counted once, however many products' parts it has). */
export async function reservationCount(stack: Stack): Promise<number> {
  return (await stack.order.services.reservations.allParts()).size;
}

export async function sql<T = Record<string, unknown>>(stack: Stack, query: string, params: unknown[] = []): Promise<T[]> {
  return stack.order.deps.orm.em.getConnection().execute<T[]>(query, params);
}

/** Units of `productId` in orders of the given statuses, from the order database. */
export async function unitsIn(stack: Stack, productId: string, statuses: string[]): Promise<number> {
  const rows = await sql<{ units: number | null }>(
    stack,
    `select sum(i.quantity) as units from order_item i join \`order\` o on o.id = i.order_id where i.product_id = ? and o.status in (${statuses.map(() => '?').join(',')})`,
    [productId, ...statuses],
  );
  return Number(rows[0]?.units ?? 0);
}

/** Stock events for an order written to the outbox (the relay publishes them to the product subgraph). */
export async function stockEventsOf(stack: Stack, orderId: string): Promise<Array<{ type: string; productId: string; quantity: number }>> {
  const rows = await sql<{ type: string; payload: string | Record<string, unknown> }>(stack, `select type, payload from outbox where stream = ? order by id`, [redisKeys.stockEvents]);
  return rows
    .map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as { type: string; productId: string; quantity: number; orderId: string })
    .filter((p) => p.orderId === orderId)
    .map(({ type, productId, quantity }) => ({ type, productId, quantity }));
}

/** Waits until `check` returns true (events travel through the outbox relay and a consumer). */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
