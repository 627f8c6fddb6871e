/**
 * What the bench needs from the catalog, made the way an operator would: ADMIN mutations through
 * the gateway (so the product's Redis stock hash is written by the product subgraph exactly as in
 * production), with an ADMIN access token minted from the stack's signing key.
 */
import { randomUUID } from 'node:crypto';
import { makeSigner, signAccessToken } from '@flashsale/platform';
import type { GraphQLEndpoint } from './load';
import type { BenchStack } from './stack';

export interface SaleSpec {
  categoryId: string;
  name: string;
  stock: number;
  price?: number;
  opensAt: Date;
  maxPerCustomer?: number | null;
}

type Payload<K extends string, T> = Record<K, { userErrors: Array<{ code: string; message: string }> } & T>;

function accepted<K extends string, T>(data: Payload<K, T>, field: K): T {
  const payload = data[field];
  if (payload.userErrors.length) throw new Error(`${field} refused: ${JSON.stringify(payload.userErrors)}`);
  return payload;
}

export class Catalog {
  private constructor(
    private readonly gateway: GraphQLEndpoint,
    private readonly headers: Record<string, string>,
  ) {}

  static async admin(stack: BenchStack, gateway: GraphQLEndpoint): Promise<Catalog> {
    const { config, secrets } = stack;
    const signer = makeSigner(secrets.jwtPrivateKeyPem!, secrets.jwtKeyId, { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE }, 4 * 3600);
    const { token } = await signAccessToken(signer, { userId: randomUUID(), roles: ['ADMIN'] });
    return new Catalog(gateway, { authorization: `Bearer ${token}` });
  }

  async createCategory(name: string): Promise<string> {
    const data = await this.gateway.must<Payload<'createCategory', { category: { id: string } }>>(
      `mutation Cat($input: CreateCategoryInput!) { createCategory(input: $input) { category { id } userErrors { code message } } }`,
      { input: { name } },
      this.headers,
    );
    return accepted(data, 'createCategory').category.id;
  }

  /** A product whose sale opens at `opensAt` with `stock` units (createProduct writes the hash). */
  async createSaleProduct(spec: SaleSpec): Promise<string> {
    const input = {
      name: spec.name,
      description: 'Created by npm run bench',
      price: spec.price ?? 1999,
      currency: 'USD',
      categoryId: spec.categoryId,
      stock: spec.stock,
      saleOpensAt: spec.opensAt.toISOString(),
      maxPerCustomer: spec.maxPerCustomer ?? null,
    };
    const data = await this.gateway.must<Payload<'createProduct', { product: { id: string } }>>(
      `mutation Create($input: CreateProductInput!) { createProduct(input: $input) { product { id } userErrors { code message } } }`,
      { input },
      this.headers,
    );
    return accepted(data, 'createProduct').product.id;
  }

  /**
   * Schedules a product's sale again (ADMIN scheduleSale): its window, units and limit, and whether
   * a waiting room fronts it (docs/WAITING-ROOM.md).
   */
  async scheduleSale(productId: string, sale: { opensAt: Date; closesAt?: Date | null; stock: number; maxPerCustomer?: number | null; waitingRoom: boolean }): Promise<void> {
    const data = await this.gateway.must<Payload<'scheduleSale', { product: { id: string } }>>(
      `mutation Schedule($productId: ID!, $opensAt: DateTime!, $closesAt: DateTime, $stock: Int!, $maxPerCustomer: Int, $waitingRoom: Boolean) {
        scheduleSale(productId: $productId, opensAt: $opensAt, closesAt: $closesAt, stock: $stock, maxPerCustomer: $maxPerCustomer, waitingRoom: $waitingRoom) { product { id } userErrors { code message } }
      }`,
      {
        productId,
        opensAt: sale.opensAt.toISOString(),
        closesAt: sale.closesAt?.toISOString() ?? null,
        stock: sale.stock,
        maxPerCustomer: sale.maxPerCustomer ?? null,
        waitingRoom: sale.waitingRoom,
      },
      this.headers,
    );
    accepted(data, 'scheduleSale');
  }

  /** Hides a product from listings (a reused stack keeps the bench's products, inactive). */
  async deactivate(id: string): Promise<void> {
    const data = await this.gateway.must<Payload<'updateProduct', { product: { id: string } }>>(
      `mutation Hide($id: ID!) { updateProduct(id: $id, input: { active: false }) { product { id } userErrors { code message } } }`,
      { id },
      this.headers,
    );
    accepted(data, 'updateProduct');
  }
}
