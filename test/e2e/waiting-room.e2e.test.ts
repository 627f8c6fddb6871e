/**
 * The waiting room (docs/WAITING-ROOM.md) end to end: the gateway's edge routes over HTTP, orders
 * through the gateway (and once straight at the order subgraph), exact counts in MySQL and Redis.
 * The stack serves one number ahead while the pace is unknown, with no no-show margin and a
 * 3-second order window, so each rule of the line shows with a handful of buyers.
 */
import { randomUUID } from 'node:crypto';
import { lineKeys, TicketSigner } from '@flashsale/platform';
import { startStack, Stack } from '../support/stack';
import { createSaleProduct } from '../support/catalog';
import { available, Buyer, buyers, eventually, payOrder, placeOrder, reservationCount, sql } from '../support/orders';
import { awaitTurn, createLineSale, finalTurn, joinLine, lineStatus } from '../support/waiting-room';
import { signedHeaders } from '../support/signed';
import { createLogger } from '@flashsale/platform';
import { startGateway } from '../../gateway/src/gateway';
import { graphql } from '../gql';

const ORDER_WINDOW_SECONDS = 3;
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    WAITING_ROOM_MIN_SERVING: '1',
    WAITING_ROOM_NO_SHOW_MARGIN: '0',
    WAITING_ROOM_SERVE_AHEAD_SECONDS: '1',
    WAITING_ROOM_ORDER_WINDOW_SECONDS: String(ORDER_WINDOW_SECONDS),
    WAITING_ROOM_REFRESH_MS: '50',
    WAITING_ROOM_PREQUEUE_SECONDS: '600',
  });
});
afterAll(() => stack?.stop());

const PRODUCT_LINE = graphql(`
  query ProductLine($id: ID!) { product(id: $id) { id waitingRoomEnabled waitingRoom { state nowServing waiting admitPerSecond issued used noShows holding } } }
`);

const line = (productId: string) => [{ productId, quantity: 1 }];
const ordersOf = async (productId: string) =>
  Number((await sql<{ n: number }>(stack, 'select count(distinct o.id) as n from `order` o join order_item i on i.order_id = o.id where i.product_id = ?', [productId]))[0].n);

/** Joins in this order, one after the other, and answers each buyer's number and ticket. */
async function joinAll(productId: string, crowd: Buyer[]) {
  const tickets: Array<{ number: number | null; ticket: string }> = [];
  for (const b of crowd) {
    const res = await joinLine(stack, productId, b.token);
    expect(res.status).toBe(200);
    tickets.push({ number: res.body.number, ticket: res.body.ticket! });
  }
  return tickets;
}

/**
 * Asserts the public status once it shows `expected`: it is served from memory refreshed a few
 * times a second (WAITING_ROOM_REFRESH_MS), so a change shows within a refresh or two (2 s allowed
 * for a loaded test machine).
 */
async function statusBecomes(productId: string, expected: Record<string, unknown>) {
  const shows = async () => {
    const body: Record<string, unknown> = { ...(await lineStatus(stack, productId)).body };
    return Object.entries(expected).every(([k, v]) => body[k] === v);
  };
  await eventually(shows, 2000).catch(() => undefined);
  expect((await lineStatus(stack, productId)).body).toMatchObject(expected);
}

/** Waits (held turn requests) until `number` is served; fails if the line sells out or closes first. */
async function served(productId: string, number: number) {
  const turn = await finalTurn(stack, productId, number, 5);
  if (!turn.served) throw new Error(`line ${turn.state} before number ${number}`);
  return turn;
}

describe('joining the line', () => {
  it('gives numbers in arrival order, one per account (joining again answers the same ticket and number), and a public status from memory', async () => {
    const product = await createLineSale(stack, { stock: 5 });
    const crowd = await buyers(stack, 4);
    const first = await joinAll(product.id, crowd);
    expect(first.map((t) => t.number)).toEqual([1, 2, 3, 4]);
    const again = await joinLine(stack, product.id, crowd[2].token);
    expect(again.body).toMatchObject({ number: 3, ticket: first[2].ticket, state: 'OPEN', orderWindowSeconds: ORDER_WINDOW_SECONDS, waitsForReturns: false });
    expect(new Set(first.map((t) => t.ticket)).size).toBe(4);

    const status = await lineStatus(stack, product.id);
    expect(status.status).toBe(200);
    expect(status.headers.get('cache-control')).toBe('public, max-age=1');
    expect(status.body).toMatchObject({ productId: product.id, state: 'OPEN', available: 5 });
    expect(status.body.nowServing).toBeGreaterThanOrEqual(1);
    expect(status.body.waiting + status.body.nowServing).toBe(4);

    const graph = await stack.gql(PRODUCT_LINE, { id: product.id });
    expect(graph.data?.product).toMatchObject({ waitingRoomEnabled: true, waitingRoom: { state: 'OPEN', issued: 4 } });
  });

  it('answers typed errors: 401 without a token, 404 for a sale without a line or an unknown product, 400 for a bad turn request', async () => {
    const withLine = await createLineSale(stack);
    const plain = await createSaleProduct(stack);
    expect((await joinLine(stack, withLine.id)).body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await joinLine(stack, withLine.id, 'not.a.token')).status).toBe(401);
    const [buyer] = await buyers(stack, 1);
    const noLine = await joinLine(stack, plain.id, buyer.token);
    expect(noLine.status).toBe(404);
    expect(noLine.body.errors?.[0].extensions.code).toBe('NOT_FOUND');
    expect((await lineStatus(stack, randomUUID())).status).toBe(404);
    expect((await awaitTurn(stack, withLine.id, -1)).status).toBe(400);
    const graph = await stack.gql(PRODUCT_LINE, { id: plain.id });
    expect(graph.data?.product).toMatchObject({ waitingRoomEnabled: false, waitingRoom: null });
  });

  it('numbers a pre-queue of 200 joins in a random permutation at the opening, before anyone who joins after it', async () => {
    const opensAt = new Date(Date.now() + 4000);
    const product = await createLineSale(stack, { stock: 3, opensAt });
    const early = await buyers(stack, 200);
    const preQueue = await Promise.all(early.map((b) => joinLine(stack, product.id, b.token)));
    expect(preQueue.every((j) => j.status === 200 && j.body.state === 'NOT_OPEN' && j.body.preQueue && j.body.number === null && j.body.ticket)).toBe(true);
    await statusBecomes(product.id, { state: 'NOT_OPEN', waiting: 200, nowServing: 0 });

    // A held turn request without a number answers at the opening.
    const opening = await awaitTurn(stack, product.id, null, 10);
    expect(opening.body.state).toBe('OPEN');
    expect(Date.now()).toBeGreaterThanOrEqual(opensAt.getTime() - 50);

    const [late] = await buyers(stack, 1);
    expect((await joinLine(stack, product.id, late.token)).body.number).toBe(201);
    // Join order here is the order the joins were answered in (sequential re-joins just read the numbers).
    const numbers: number[] = [];
    for (const b of early) numbers.push((await joinLine(stack, product.id, b.token)).body.number!);
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    // Not the order of arrival: count the buyers who kept the number of their join position.
    const joinOrder = [...preQueue.keys()];
    const kept = joinOrder.filter((i) => numbers[i] === i + 1).length;
    expect(kept).toBeLessThan(20);
  });
});

describe('the line lives in Redis, not in a gateway', () => {
  it('a second gateway replica (as after a restart) answers every buyer the same number and ticket, and the same watermark', async () => {
    const product = await createLineSale(stack, { stock: 2 });
    const crowd = await buyers(stack, 5);
    const first = await joinAll(product.id, crowd);
    await served(product.id, 2);
    const replica = await startGateway({ ...stack.config, GATEWAY_PORT: 0 }, createLogger({ LOG_LEVEL: 'silent', NODE_ENV: 'test' }, 'gateway'));
    try {
      const origin = new URL(replica.url).origin;
      for (const [i, b] of crowd.entries()) {
        const res = await fetch(`${origin}/waiting-room/${product.id}`, { method: 'POST', headers: { authorization: `Bearer ${b.token}` } });
        expect(await res.json()).toMatchObject({ number: first[i].number, ticket: first[i].ticket });
      }
      const status = (await (await fetch(`${origin}/waiting-room/${product.id}`)).json()) as { nowServing: number; waiting: number };
      expect(status).toMatchObject({ nowServing: 2, waiting: 3 });
      // A ticket the first gateway gave buys through the order path behind the second.
      const res = await fetch(replica.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${crowd[0].token}` },
        body: JSON.stringify({ query: 'mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { order { status } userErrors { code reason } } }', variables: { i: { items: line(product.id), idempotencyKey: randomUUID(), waitingRoomTicket: first[0].ticket } } }),
      });
      expect(((await res.json()) as { data: { placeOrder: { order: { status: string } } } }).data.placeOrder.order.status).toBe('PENDING_PAYMENT');
    } finally {
      await replica.close();
    }
  });
});

describe('ordering through the line', () => {
  it('refuses skipping the line and every bad ticket with NOT_ADMITTED and changes nothing', async () => {
    const product = await createLineSale(stack, { stock: 3 });
    const other = await createLineSale(stack, { stock: 3 });
    const [a, b, c] = await buyers(stack, 3);
    void c;
    const [ta] = await joinAll(product.id, [a]);
    const [tOther] = await joinAll(other.id, [a]);
    await joinAll(product.id, [b, c]);
    await served(product.id, ta.number!);
    const signer = new TicketSigner(stack.product.deps.secrets.identitySecret);
    const [head, claims, mac] = ta.ticket.split('.');
    const alteredClaims = Buffer.from(JSON.stringify({ p: product.id, u: b.userId })).toString('base64url');

    const cases: Array<[string, Buyer, string | null, string]> = [
      ['no ticket', a, null, 'NO_TICKET'],
      ['a forged ticket', a, `${head}.${claims}.${'A'.repeat(43)}`, 'INVALID'],
      ['an altered ticket (another buyer named, old signature)', b, `${head}.${alteredClaims}.${mac}`, 'INVALID'],
      ['a ticket signed with another key', a, new TicketSigner('x'.repeat(40)).sign({ productId: product.id, buyer: a.userId }), 'INVALID'],
      ["another user's ticket", b, ta.ticket, 'INVALID'],
      ["another product's ticket", a, tOther.ticket, 'INVALID'],
      ['garbage', a, 'wr1.garbage', 'INVALID'],
    ];
    for (const [name, buyer, ticket, reason] of cases) {
      const answer = await placeOrder(stack, buyer, line(product.id), randomUUID(), ticket);
      expect({ name, errors: answer.errors, order: answer.payload?.order, error: answer.payload?.userErrors[0] && { code: answer.payload.userErrors[0].code, reason: answer.payload.userErrors[0].reason } }).toEqual({
        name,
        errors: undefined,
        order: null,
        error: { code: 'NOT_ADMITTED', reason },
      });
    }
    // A signed ticket for a buyer with no number in this line.
    const [d] = await buyers(stack, 1);
    const notInLine = await placeOrder(stack, d, line(product.id), randomUUID(), signer.sign({ productId: product.id, buyer: d.userId }));
    expect(notInLine.payload?.userErrors[0]).toMatchObject({ code: 'NOT_ADMITTED', reason: 'NOT_IN_LINE' });

    // Straight at the order subgraph (identity signed as the gateway would): the line holds there too.
    const body = { query: 'mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { order { id } userErrors { code reason } } }', variables: { i: { items: line(product.id), idempotencyKey: randomUUID() } } };
    const direct = await fetch(stack.order.url, { method: 'POST', headers: { 'content-type': 'application/json', ...signedHeaders(stack.order.deps.secrets.identitySecret, a, stack.order.url, body) }, body: JSON.stringify(body) });
    expect(((await direct.json()) as { data: { placeOrder: { userErrors: Array<{ code: string; reason: string }> } } }).data.placeOrder.userErrors[0]).toMatchObject({ code: 'NOT_ADMITTED', reason: 'NO_TICKET' });

    expect(await available(stack, product.id)).toBe(3);
    expect(await ordersOf(product.id)).toBe(0);
    expect(await stack.order.deps.redis.zcard(lineKeys.used(product.id))).toBe(0);
  });

  it('a ticket not yet served is told its place; a served ticket buys once (a replay answers the same order; a second order is refused USED)', async () => {
    const product = await createLineSale(stack, { stock: 1 });
    const crowd = await buyers(stack, 3);
    const tickets = await joinAll(product.id, crowd);
    // One unit, no margin: only number 1 is served.
    await served(product.id, 1);
    const waiting = await placeOrder(stack, crowd[2], line(product.id), randomUUID(), tickets[2].ticket);
    expect(waiting.payload?.userErrors[0]).toMatchObject({ code: 'NOT_ADMITTED', reason: 'WAITING', place: 2 });
    // The one unit is held by number 1: numbers 2 and 3 are told their turn depends on it coming
    // back, with no time estimate (not "a few seconds").
    await statusBecomes(product.id, { available: 1, holding: 1, nowServing: 1 });
    expect((await joinLine(stack, product.id, crowd[2].token)).body).toMatchObject({ number: 3, waitsForReturns: true, estimatedWaitSeconds: null });
    expect((await awaitTurn(stack, product.id, 2, 0)).body).toMatchObject({ served: false, waitsForReturns: true, estimatedWaitSeconds: null });
    expect((await stack.gql(PRODUCT_LINE, { id: product.id })).data?.product?.waitingRoom).toMatchObject({ holding: 1, nowServing: 1 });

    const key = randomUUID();
    const bought = await placeOrder(stack, crowd[0], line(product.id), key, tickets[0].ticket);
    expect(bought.payload?.order?.status).toBe('PENDING_PAYMENT');
    const replay = await placeOrder(stack, crowd[0], line(product.id), key, tickets[0].ticket);
    expect(replay.payload?.order?.id).toBe(bought.payload!.order!.id);
    // Sold out now: whatever the ticket, the truth is SOLD_OUT.
    const second = await placeOrder(stack, crowd[0], line(product.id), randomUUID(), tickets[0].ticket);
    expect(second.payload?.userErrors[0]?.code).toBe('SOLD_OUT');
    expect(await ordersOf(product.id)).toBe(1);
    await statusBecomes(product.id, { state: 'SOLD_OUT' });
  });

  it('a second order on a used ticket is refused USED while units remain, with nothing changed', async () => {
    const product = await createLineSale(stack, { stock: 5 });
    const [a] = await buyers(stack, 1);
    const [t] = await joinAll(product.id, [a]);
    await served(product.id, t.number!);
    expect((await placeOrder(stack, a, line(product.id), randomUUID(), t.ticket)).payload?.order).toBeTruthy();
    const again = await placeOrder(stack, a, line(product.id), randomUUID(), t.ticket);
    expect(again.payload?.userErrors[0]).toMatchObject({ code: 'NOT_ADMITTED', reason: 'USED' });
    expect(await available(stack, product.id)).toBe(4);
    expect(await ordersOf(product.id)).toBe(1);
  });

  it('a served buyer who never orders gives the unit to the next number when the order window passes (the ticket then expires)', async () => {
    const product = await createLineSale(stack, { stock: 1 });
    const [noShow, next] = await buyers(stack, 2);
    const [t1, t2] = await joinAll(product.id, [noShow, next]);
    await served(product.id, 1);
    await statusBecomes(product.id, { nowServing: 1 });
    const startedWaiting = Date.now();
    await served(product.id, 2);
    expect(Date.now() - startedWaiting).toBeGreaterThanOrEqual(ORDER_WINDOW_SECONDS * 1000 - 1500);
    const late = await placeOrder(stack, noShow, line(product.id), randomUUID(), t1.ticket);
    expect(late.payload?.userErrors[0]).toMatchObject({ code: 'NOT_ADMITTED', reason: 'EXPIRED' });
    expect((await placeOrder(stack, next, line(product.id), randomUUID(), t2.ticket)).payload?.order?.status).toBe('PENDING_PAYMENT');
    const graph = await stack.gql(PRODUCT_LINE, { id: product.id });
    expect(graph.data?.product?.waitingRoom).toMatchObject({ noShows: 1, used: 1 });
  });

  it('a unit that comes back (a declined payment) serves the next number', async () => {
    const product = await createLineSale(stack, { stock: 1 });
    const [first, second] = await buyers(stack, 2);
    const [t1, t2] = await joinAll(product.id, [first, second]);
    await served(product.id, 1);
    const order = await placeOrder(stack, first, line(product.id), randomUUID(), t1.ticket);
    expect(order.payload?.order).toBeTruthy();
    // Sold out: the second buyer's held turn request answers SOLD_OUT at once.
    const turn = await awaitTurn(stack, product.id, t2.number, 5);
    expect(turn.body).toMatchObject({ state: 'SOLD_OUT', served: false });
    const declined = await payOrder(stack, first, order.payload!.order!.id, '4000000000000002');
    expect(declined.payload?.order?.status).toBe('PAYMENT_FAILED');
    // The unit is back: within a refresh the line is OPEN again and serves number 2.
    await eventually(async () => (await lineStatus(stack, product.id)).body.state === 'OPEN', 5000);
    await served(product.id, 2);
    expect((await placeOrder(stack, second, line(product.id), randomUUID(), t2.ticket)).payload?.order?.status).toBe('PENDING_PAYMENT');
    expect(await available(stack, product.id)).toBe(0);
  });

  it('30 buyers in line for 10 units, each ordering when told it is served: the first 10 numbers buy, the other 20 learn SOLD_OUT, and MySQL and Redis agree', async () => {
    const product = await createLineSale(stack, { stock: 10 });
    const crowd = await buyers(stack, 30);
    const tickets = await joinAll(product.id, crowd);
    const outcomes = await Promise.all(
      crowd.map(async (buyer, i) => {
        const turn = await finalTurn(stack, product.id, tickets[i].number);
        if (turn.state === 'SOLD_OUT' || turn.state === 'CLOSED') return 'sold out';
        const answer = await placeOrder(stack, buyer, line(product.id), `key-${i}`, tickets[i].ticket);
        return answer.payload?.order ? 'order' : (answer.payload?.userErrors[0]?.code ?? 'error');
      }),
    );
    expect(outcomes.slice(0, 10)).toEqual(Array(10).fill('order'));
    expect(outcomes.slice(10).every((o) => o === 'sold out' || o === 'SOLD_OUT')).toBe(true);
    expect(await available(stack, product.id)).toBe(0);
    expect(await ordersOf(product.id)).toBe(10);
    expect(await stack.order.deps.redis.zcard(lineKeys.used(product.id))).toBe(10);
    expect(await reservationCount(stack)).toBeGreaterThanOrEqual(10);
    const status = await lineStatus(stack, product.id);
    expect(status.body).toMatchObject({ state: 'SOLD_OUT', available: 0 });
    expect(status.body.nowServing).toBeLessThanOrEqual(10);
  });
});
