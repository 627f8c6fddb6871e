/**
 * Waiting-room fixtures for e2e tests: a sale behind a line (scheduled through the real product
 * service over the gateway), and the edge routes of docs/WAITING-ROOM.md called over HTTP exactly
 * as a browser or k6 would.
 */
import { graphql } from '../gql';
import { adminToken, createSaleProduct, SaleProduct, SaleProductOptions } from './catalog';
import type { Stack } from './stack';
import type { JoinAnswer, LineStatus, TurnAnswer } from '../../web/src/waiting-room/line-documents';

const SCHEDULE_LINE_SALE = graphql(`
  mutation FixtureScheduleLineSale($productId: ID!, $opensAt: DateTime!, $closesAt: DateTime, $stock: Int!, $maxPerCustomer: Int) {
    scheduleSale(productId: $productId, opensAt: $opensAt, closesAt: $closesAt, stock: $stock, maxPerCustomer: $maxPerCustomer, waitingRoom: true) {
      product { id waitingRoomEnabled }
      userErrors { code message }
    }
  }
`);

/** A product whose sale is behind a waiting room (default: opened a minute ago, 10 units). */
export async function createLineSale(stack: Stack, opts: SaleProductOptions = {}): Promise<SaleProduct> {
  const product = await createSaleProduct(stack, { ...opts, opensAt: new Date(Date.now() - 3_600_000) });
  const opensAt = opts.opensAt ?? new Date(Date.now() - 60_000);
  const res = await stack.gql(
    SCHEDULE_LINE_SALE,
    { productId: product.id, opensAt: opensAt.toISOString(), closesAt: opts.closesAt?.toISOString() ?? null, stock: product.stock, maxPerCustomer: opts.maxPerCustomer ?? null },
    { token: await adminToken(stack) },
  );
  if (res.errors?.length || res.data?.scheduleSale.userErrors.length || !res.data?.scheduleSale.product?.waitingRoomEnabled) {
    throw new Error(`scheduleSale(waitingRoom: true) failed: ${JSON.stringify(res.errors ?? res.data)}`);
  }
  return product;
}

export interface EdgeAnswer<T> {
  status: number;
  body: T & { errors?: Array<{ message: string; extensions: { code: string; retryAfter?: number } }> };
  headers: Headers;
}

const origin = (stack: Stack) => new URL(stack.gatewayUrl).origin;

async function edge<T>(stack: Stack, method: string, path: string, token?: string): Promise<EdgeAnswer<T>> {
  const res = await fetch(`${origin(stack)}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: (await res.json()) as EdgeAnswer<T>['body'], headers: res.headers };
}

/** POST /waiting-room/{id}: join (or re-join) the line. */
export const joinLine = (stack: Stack, productId: string, token?: string) => edge<JoinAnswer>(stack, 'POST', `/waiting-room/${productId}`, token);

/** GET /waiting-room/{id}: the public status. */
export const lineStatus = (stack: Stack, productId: string) => edge<LineStatus>(stack, 'GET', `/waiting-room/${productId}`);

/** GET /waiting-room/{id}/turn: held until `number` is served (or the line has news), at most `wait` s. */
export const awaitTurn = (stack: Stack, productId: string, number: number | null, wait = 10) =>
  edge<TurnAnswer>(stack, 'GET', `/waiting-room/${productId}/turn?${number === null ? '' : `number=${number}&`}wait=${wait}`);

/**
 * Holds turn requests until `number` is served or the line has sold out or closed, and answers that
 * last turn; throws when neither has happened within `holds` requests.
 */
export async function finalTurn(stack: Stack, productId: string, number: number | null, wait = 10, holds = 20): Promise<TurnAnswer> {
  for (let i = 0; i < holds; i++) {
    const { body } = await awaitTurn(stack, productId, number, wait);
    if (body.served || body.state === 'SOLD_OUT' || body.state === 'CLOSED') return body;
  }
  throw new Error(`number ${number} neither served nor told the line ended after ${holds} turn requests`);
}
