/**
 * Buyers and an operator talking to the gateway the way clients do: access tokens minted with the
 * run's signing key, plain fetch with a client-side timeout (a request that hangs is recorded as
 * such instead of hanging the scenario), every answer reduced to an outcome with its latency.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Config, Identity, Secrets, makeSigner, signAccessToken } from '@flashsale/platform';

export interface Outcome {
  /** `ORDER`, a userError code (SOLD_OUT, PAYMENT_DECLINED, …), an error code, or NETWORK_<code>. */
  kind: string;
  orderId?: string;
  status?: string;
  message?: string;
  /** The whole answer as sent, when it carried errors (checks that nothing internal leaks read it). */
  errorBody?: string;
  ms: number;
}

export interface Buyer extends Identity {
  token: string;
}

const ORDER = `order { id status items { quantity product { id } } } userErrors { code message }`;
export const PLACE_ORDER = `mutation PlaceOrder($input: PlaceOrderInput!) { placeOrder(input: $input) { ${ORDER} } }`;
export const PAY_ORDER = `mutation PayOrder($id: ID!, $card: String!) { payOrder(orderId: $id, payment: { cardNumber: $card }) { ${ORDER} } }`;
export const TEST_CARD = '4242424242424242';

function networkKind(err: unknown): string {
  const e = err as { name?: string; cause?: { code?: string; name?: string } };
  if (e?.name === 'TimeoutError') return 'CLIENT_TIMEOUT';
  return `NETWORK_${e?.cause?.code ?? e?.cause?.name ?? e?.name ?? 'ERROR'}`;
}

export class Client {
  private constructor(
    readonly url: string,
    private readonly signer: ReturnType<typeof makeSigner>,
    private readonly timeoutMs: number,
  ) {}

  static for(url: string, config: Config, secrets: Secrets, timeoutMs = 60_000): Client {
    const signer = makeSigner(secrets.jwtPrivateKeyPem!, secrets.jwtKeyId, { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE }, 4 * 3600);
    return new Client(url, signer, timeoutMs);
  }

  async identity(roles: Identity['roles'] = ['CUSTOMER']): Promise<Buyer> {
    const identity: Identity = { userId: randomUUID(), roles };
    return { ...identity, token: (await signAccessToken(this.signer, identity)).token };
  }

  buyers(n: number): Promise<Buyer[]> {
    return Promise.all(Array.from({ length: n }, () => this.identity()));
  }

  /** POSTs one operation; never throws (a failure is an outcome). */
  async call<T = Record<string, unknown>>(query: string, variables: Record<string, unknown>, token?: string): Promise<{ data?: T; outcome: Outcome }> {
    const t0 = performance.now();
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await res.text();
      const ms = performance.now() - t0;
      let body: { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> } = {};
      try {
        body = JSON.parse(text);
      } catch {
        return { outcome: { kind: `HTTP_${res.status}`, ms } };
      }
      if (body.errors?.length) return { data: body.data, outcome: { kind: body.errors[0].extensions?.code ?? `HTTP_${res.status}`, message: body.errors[0].message, errorBody: text, ms } };
      return { data: body.data, outcome: { kind: 'OK', ms } };
    } catch (err) {
      return { outcome: { kind: networkKind(err), ms: performance.now() - t0 } };
    }
  }

  /** placeOrder for one line; `kind` is ORDER, the first userError code, or the error. */
  async placeOrder(buyer: Buyer, productId: string, quantity = 1, idempotencyKey: string = randomUUID()): Promise<Outcome> {
    type P = { placeOrder?: { order: { id: string; status: string } | null; userErrors: Array<{ code: string; message: string }> } };
    const { data, outcome } = await this.call<P>(PLACE_ORDER, { input: { items: [{ productId, quantity }], idempotencyKey } }, buyer.token);
    return payloadOutcome(data?.placeOrder, outcome);
  }

  async payOrder(buyer: Buyer, orderId: string, card = TEST_CARD): Promise<Outcome> {
    type P = { payOrder?: { order: { id: string; status: string } | null; userErrors: Array<{ code: string; message: string }> } };
    const { data, outcome } = await this.call<P>(PAY_ORDER, { id: orderId, card }, buyer.token);
    return payloadOutcome(data?.payOrder, outcome, true);
  }

  /** Runs an ADMIN mutation; throws on any error (setup steps, not measurements). */
  async admin<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const admin = (this.adminIdentity ??= this.identity(['ADMIN']));
    const { data, outcome } = await this.call<T>(query, variables, (await admin).token);
    if (outcome.kind !== 'OK' || !data) throw new Error(`admin operation failed: ${outcome.kind} ${outcome.message ?? ''}`);
    return data;
  }
  private adminIdentity?: Promise<Buyer>;

  /** A product on sale now with `stock` units (createProduct writes its Redis stock hash). */
  async saleProduct(stock: number, opts: { maxPerCustomer?: number; price?: number } = {}): Promise<string> {
    type C = { createCategory: { category: { id: string } | null; userErrors: unknown[] } };
    const cat = await this.admin<C>(`mutation($input: CreateCategoryInput!) { createCategory(input: $input) { category { id } userErrors { code message } } }`, {
      input: { name: `Chaos ${randomUUID().slice(0, 8)}` },
    });
    if (!cat.createCategory.category) throw new Error(`createCategory refused: ${JSON.stringify(cat.createCategory.userErrors)}`);
    type P = { createProduct: { product: { id: string } | null; userErrors: unknown[] } };
    const res = await this.admin<P>(`mutation($input: CreateProductInput!) { createProduct(input: $input) { product { id } userErrors { code message } } }`, {
      input: {
        name: `Chaos product ${randomUUID().slice(0, 8)}`,
        price: opts.price ?? 1500,
        currency: 'USD',
        categoryId: cat.createCategory.category.id,
        stock,
        saleOpensAt: new Date(Date.now() - 60_000).toISOString(),
        maxPerCustomer: opts.maxPerCustomer ?? null,
      },
    });
    if (!res.createProduct.product) throw new Error(`createProduct refused: ${JSON.stringify(res.createProduct.userErrors)}`);
    return res.createProduct.product.id;
  }
}

function payloadOutcome(
  payload: { order: { id: string; status: string } | null; userErrors: Array<{ code: string; message: string }> } | null | undefined,
  outcome: Outcome,
  userErrorsWin = false,
): Outcome {
  if (outcome.kind !== 'OK' || !payload) return outcome.kind === 'OK' ? { ...outcome, kind: 'EMPTY' } : outcome;
  // payOrder answers the order alongside a userError (e.g. declined: the order is PAYMENT_FAILED).
  if (payload.userErrors.length && (userErrorsWin || !payload.order)) {
    return { kind: payload.userErrors[0].code, message: payload.userErrors[0].message, orderId: payload.order?.id, status: payload.order?.status, ms: outcome.ms };
  }
  if (payload.order) return { kind: 'ORDER', orderId: payload.order.id, status: payload.order.status, ms: outcome.ms };
  return { ...outcome, kind: 'EMPTY' };
}

/** Runs `fire(i)` for i in [0, n) with at most `concurrency` in flight; outcomes in index order. */
export async function crowd<T>(n: number, concurrency: number, fire: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(n);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) out[i] = await fire(i);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, concurrency)) }, worker));
  return out;
}

/** Counts of each outcome kind, e.g. { ORDER: 40, SOLD_OUT: 10 }. */
export function tally(outcomes: ReadonlyArray<{ kind: string }>): Record<string, number> {
  const t: Record<string, number> = {};
  for (const o of outcomes) t[o.kind] = (t[o.kind] ?? 0) + 1;
  return t;
}

export function latency(outcomes: ReadonlyArray<{ ms: number }>): { min: number; p50: number; max: number } {
  if (!outcomes.length) return { min: 0, p50: 0, max: 0 };
  const ms = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  return { min: Math.round(ms[0]), p50: Math.round(ms[Math.floor(ms.length / 2)]), max: Math.round(ms[ms.length - 1]) };
}
