/**
 * productSalesStats (order subgraph, ADMIN): a product's orders so far by outcome, as the
 * storefront's live sale view shows them. Real orders through the gateway; exact counts.
 */
import { randomUUID } from 'node:crypto';
import { startStack, Stack } from '../support/stack';
import { adminToken, createSaleProduct } from '../support/catalog';
import { buyers, cancelOrder, payOrder, placed } from '../support/orders';
import { graphql } from '../gql';

const STATS = graphql(`
  query SalesStats($id: ID!) { productSalesStats(productId: $id) { productId ordersPlaced ordersPaid ordersAwaitingPayment unitsPaid } }
`);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('productSalesStats', () => {
  it('counts placed, paid and awaiting orders and the units paid', async () => {
    const product = await createSaleProduct(stack, { stock: 20 });
    const other = await createSaleProduct(stack, { stock: 20 });
    const [a, b, c] = await buyers(stack, 3);
    const paid = await placed(stack, a, [{ productId: product.id, quantity: 2 }, { productId: other.id, quantity: 1 }]);
    expect((await payOrder(stack, a, paid.id)).payload?.order?.status).toBe('PREPARING');
    await placed(stack, b, [{ productId: product.id, quantity: 3 }]);
    const canceled = await placed(stack, c, [{ productId: product.id, quantity: 1 }]);
    await payOrder(stack, c, canceled.id);
    expect((await cancelOrder(stack, c, canceled.id)).payload?.order?.status).toBe('CANCELED');

    const res = await stack.gql(STATS, { id: product.id }, { token: await adminToken(stack) });
    expect(res.errors).toBeUndefined();
    expect(res.data?.productSalesStats).toEqual({ productId: product.id, ordersPlaced: 3, ordersPaid: 1, ordersAwaitingPayment: 1, unitsPaid: 2 });
    const none = await stack.gql(STATS, { id: randomUUID() }, { token: await adminToken(stack) });
    expect(none.data?.productSalesStats).toMatchObject({ ordersPlaced: 0, ordersPaid: 0, ordersAwaitingPayment: 0, unitsPaid: 0 });
  });

  it('is for ADMINs only and refuses a malformed id', async () => {
    const [buyer] = await buyers(stack, 1);
    const id = randomUUID();
    expect((await stack.gql(STATS, { id }, { token: buyer.token })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await stack.gql(STATS, { id })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const bad = await stack.gql(STATS, { id: 'nope' }, { token: await adminToken(stack) });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
