/**
 * The cart's argument rules (declared on the argument classes, run by the platform's validation as
 * the schema runs them) and CartService's event filtering, which decide before any database or Redis work
 * (the service is built with an ORM and Redis that throw if touched; registering the stock scripts
 * with defineCommand, which sends nothing, and asking whether the client is a cluster are allowed).
 * The stateful rules are covered end to end in test/e2e/cart*.test.ts.
 */
import type { MikroORM } from '@mikro-orm/mysql';
import type Redis from 'ioredis';
import { AppError, assertValid, createLogger, loadConfig } from '@flashsale/platform';
import { AddToCartArgs, ChangeCartQuantityArgs, RemoveFromCartArgs } from '../types/cart.types';
import { CartService } from './cart.service';
import { ProductListings } from './product-listings';

const untouchable = <T extends object>(name: string, allowed: Record<string, unknown> = {}) =>
  new Proxy(allowed, {
    get: (t, prop) => {
      if (typeof prop === 'string' && prop in t) return t[prop];
      throw new Error(`${name}.${String(prop)} must not be used`);
    },
  }) as T;

const logger = createLogger(loadConfig({ LOG_LEVEL: 'silent' }), 'cart-test');
const service = new CartService(untouchable<MikroORM>('orm'), new ProductListings(untouchable<Redis>('redis', { defineCommand: () => undefined, isCluster: false })), logger);
const user = '8d3c5f0e-8f5e-4a43-9a55-3f3a4f1c7e01';
const product = '0f7b3a52-4c1e-4d8f-b7a4-2d1e6f9c8b10';

async function rejection(p: Promise<unknown>): Promise<{ code: string; field?: unknown }> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  return { code: (err as AppError).code, field: (err as AppError).extensions.field };
}

const addToCart = (productId: string, quantity: number) => assertValid(Object.assign(new AddToCartArgs(), { productId, quantity }));
const changeCartQuantity = (productId: string, delta: number) => assertValid(Object.assign(new ChangeCartQuantityArgs(), { productId, delta }));
const removeFromCart = (productId: string) => assertValid(Object.assign(new RemoveFromCartArgs(), { productId }));

describe('cart argument rules (BAD_USER_INPUT before anything is read or written)', () => {
  it.each([0, -1, 100, 1.5, Number.MAX_SAFE_INTEGER])('addToCart quantity %p', async (q) => {
    expect(await rejection(addToCart(product, q))).toEqual({ code: 'BAD_USER_INPUT', field: 'quantity' });
  });

  it.each([0, 100, -100, 2.5])('changeCartQuantity delta %p', async (d) => {
    expect(await rejection(changeCartQuantity(product, d))).toEqual({ code: 'BAD_USER_INPUT', field: 'delta' });
  });

  it.each(['', 'abc', `${product}0`, 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', "'; drop table cart_item; --"])('product id %p', async (id) => {
    for (const call of [addToCart(id, 1), changeCartQuantity(id, 1), removeFromCart(id)]) {
      expect(await rejection(call)).toEqual({ code: 'BAD_USER_INPUT', field: 'productId' });
    }
  });

  it('a well-formed call passes (quantity may be left out)', async () => {
    await expect(addToCart(product, 99)).resolves.toBeUndefined();
    await expect(assertValid(Object.assign(new AddToCartArgs(), { productId: product, quantity: null }))).resolves.toBeUndefined();
    await expect(changeCartQuantity(product, -99)).resolves.toBeUndefined();
    await expect(removeFromCart(product.toUpperCase())).resolves.toBeUndefined();
  });
});

describe('CartService order events', () => {
  const em = untouchable<Parameters<CartService['applyOrderEvents']>[0]>('em');

  it('ignores other event types', async () => {
    await expect(service.applyOrderEvents(em, [{ type: 'order.paid' }, null, { type: 'order.cancelled' }])).resolves.toBeUndefined();
  });

  it.each([
    ['a negative quantity', { items: [{ productId: product, quantity: -1 }] }],
    ['a product id that is not a UUID', { items: [{ productId: 'x', quantity: 1 }] }],
    ['no items list', { items: undefined }],
    ['a user id that is not a UUID', { userId: 'nobody' }],
  ])('skips an order.placed event with %s without touching the database', async (_name, patch) => {
    const event = { type: 'order.placed', orderId: 'o1', userId: user, items: [{ productId: product, quantity: 1 }], ...patch };
    await expect(service.applyOrderEvents(em, [event])).resolves.toBeUndefined();
  });

  it('a batch of malformed events and an order with no items reads nothing either', async () => {
    const bad = { type: 'order.placed', orderId: 'o1', userId: user, items: [{ productId: product, quantity: 0 }] };
    const empty = { type: 'order.placed', orderId: 'o2', userId: user, items: [] };
    await expect(service.applyOrderEvents(em, [bad, empty, { type: 'order.paid' }])).resolves.toBeUndefined();
  });
});
