/**
 * Catalog fixtures for any e2e test: categories, products and sales created through the real
 * product service over the gateway (ADMIN mutations), so the Redis stock hash is written exactly
 * as in production. Keep these signatures stable: other subgraphs' tests depend on them.
 *
 *   const p = await createSaleProduct(stack, { stock: 100, price: 2500, maxPerCustomer: 2 });
 *   // p.id is on sale now (opened a minute ago, never closes) with 100 units available.
 */
import { randomUUID } from 'node:crypto';
import type { StockHash } from '@flashsale/platform';
import { redisKeys, stockHashFields } from '@flashsale/platform';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { getOperationAST } from 'graphql';
import type { Stack } from './stack';
import { graphql } from '../gql';

export interface SaleProductOptions {
  /** Units for sale (product.stock and the hash's `available`). Default 10. */
  stock?: number;
  /** Smallest currency unit. Default 1000. */
  price?: number;
  /** Default: one minute ago (the sale is open). */
  opensAt?: Date;
  /** Default: none (the sale never closes). A past date makes a closed sale. */
  closesAt?: Date | null;
  /** Default: none (no per-customer limit). */
  maxPerCustomer?: number | null;
  name?: string;
  /** Default: a fresh category. */
  categoryId?: string;
  currency?: string;
}

export interface SaleProduct {
  id: string;
  categoryId: string;
  name: string;
  price: number;
  stock: number;
}

const adminTokens = new WeakMap<Stack, Promise<string>>();

/** An ADMIN access token for this stack (minted with the run's signing key). */
export function adminToken(stack: Stack): Promise<string> {
  let t = adminTokens.get(stack);
  if (!t) {
    t = stack.token({ userId: randomUUID(), roles: ['ADMIN'] });
    adminTokens.set(stack, t);
  }
  return t;
}

/** Every category's id: the smallest query any caller may send (for tests about who may call at all). */
export const CATEGORY_IDS = graphql(`
  query CategoryIds { categories { id } }
`);

const CREATE_CATEGORY = graphql(`
  mutation FixtureCreateCategory($input: CreateCategoryInput!) {
    createCategory(input: $input) { category { id name } userErrors { code message field } }
  }
`);
const CREATE_PRODUCT = graphql(`
  mutation FixtureCreateProduct($input: CreateProductInput!) {
    createProduct(input: $input) { product { id } userErrors { code message field } }
  }
`);

/** Runs an ADMIN mutation and fails loudly on GraphQL errors or userErrors; answers the payload. */
async function adminMutation<TData, TVariables, TPayload extends { userErrors: unknown[] }>(
  stack: Stack,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  payloadOf: (data: TData) => TPayload,
): Promise<TPayload> {
  const res = await stack.gql(document, variables, { token: await adminToken(stack) });
  const payload = res.data ? payloadOf(res.data) : undefined;
  if (res.errors?.length || !payload || payload.userErrors.length) {
    throw new Error(`${getOperationAST(document)?.name?.value} failed: ${JSON.stringify(res.errors ?? payload?.userErrors ?? res)}`);
  }
  return payload;
}

export async function createCategory(stack: Stack, name = `Category ${randomUUID().slice(0, 8)}`, parentId?: string): Promise<{ id: string; name: string }> {
  const payload = await adminMutation(stack, CREATE_CATEGORY, { input: { name, parentId } }, (data) => data.createCategory);
  return payload.category!;
}

/** A product on sale, created with `createProduct` (which writes its Redis stock hash). */
export async function createSaleProduct(stack: Stack, opts: SaleProductOptions = {}): Promise<SaleProduct> {
  const categoryId = opts.categoryId ?? (await createCategory(stack)).id;
  const input = {
    name: opts.name ?? `Product ${randomUUID().slice(0, 8)}`,
    price: opts.price ?? 1000,
    currency: opts.currency ?? 'USD',
    categoryId,
    stock: opts.stock ?? 10,
    saleOpensAt: (opts.opensAt ?? new Date(Date.now() - 60_000)).toISOString(),
    saleClosesAt: opts.closesAt ? opts.closesAt.toISOString() : null,
    maxPerCustomer: opts.maxPerCustomer ?? null,
  };
  const payload = await adminMutation(stack, CREATE_PRODUCT, { input }, (data) => data.createProduct);
  return { id: payload.product!.id, categoryId, name: input.name, price: input.price, stock: input.stock };
}

/** The product's Redis stock hash as numbers (null when missing), read with the stack's prefix. */
export async function readStockHash(stack: Stack, productId: string): Promise<StockHash | null> {
  const raw = await stack.product.deps.redis.hgetall(redisKeys.productStock(productId));
  // Unlike the ledger's read, a hash holding only listing fields is returned too (available NaN).
  if (!raw || !Object.keys(raw).length) return null;
  return stockHashFields(raw);
}

/** product.stock in the product database (the truth: units not yet sold). */
export async function readProductStock(stack: Stack, productId: string): Promise<number | null> {
  const rows = await stack.product.deps.orm.em.getConnection().execute<Array<{ stock: number }>>('select stock from product where id = ?', [productId]);
  return rows.length ? Number(rows[0].stock) : null;
}
