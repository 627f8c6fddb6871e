/**
 * The exact audit after a fault: every unit of a product is accounted for, from the order
 * database, the product database and Redis, with nothing taken on trust from what clients saw.
 *
 * For a product put on sale with S units:
 *   sold      units of paid orders still out (PREPARING, SHIPPING, DELIVERED, RETURN_REQUESTED)
 *   pending   units of PENDING_PAYMENT orders (held by their reservation)
 *   orphaned  units of reservation records in Redis whose order never committed or has ended
 *             without payment (a sweeper gives them back once they are overdue)
 * must satisfy
 *   oversold       = max(0, sold + pending - S)                        = 0  (promised beyond stock)
 *   stockDrift     = product.stock - (S - sold)                         = 0  (every stock event applied once)
 *   phantom / lost = available - (product.stock - pending - orphaned)   = 0  (Redis would sell units that
 *                    do not exist / units nobody can ever buy again)
 *   boughtDrift    per buyer, Redis `bought` = units in live orders + orphaned units   (the limit)
 *   missingRecords PENDING orders without their reservation record     = 0  (expiry returns their units)
 *   answeredMissing orders clients were given that the database lacks  = 0
 * A missing stock hash (Redis lost it, nothing has rebuilt it yet) is reported, not guessed.
 */
import type Redis from 'ioredis';
import { redisKeys } from '@flashsale/platform';
import { orderKeys, ReservationRecord } from '../../subgraphs/order/src/services/reservation.service';
import type { InProcessStack } from '../../scripts/launcher/in-process';

export type Query = <T>(sql: string, params?: unknown[]) => Promise<T[]>;

export interface AuditSources {
  /** Runs SQL in the order subgraph's database. */
  orders: Query;
  /** Runs SQL in the product subgraph's database. */
  products: Query;
  /** The order subgraph's Redis (with its key prefix). */
  redis: Redis;
}

const SOLD = ['PREPARING', 'SHIPPING', 'DELIVERED', 'RETURN_REQUESTED'];
const LIVE = ['PENDING_PAYMENT', ...SOLD];

export interface ProductAudit {
  productId: string;
  initialStock: number;
  productStock: number;
  available: number | null;
  sold: number;
  pending: number;
  orphaned: number;
  orders: Record<string, number>;
  oversold: number;
  stockDrift: number;
  phantom: number;
  lost: number;
  boughtDrift: number;
  missingRecords: number;
  answeredMissing: number;
  /** True when every figure that must be zero is zero and the hash exists. */
  exact: boolean;
}

export async function auditProduct(src: AuditSources, product: { id: string; initialStock: number }, answered: Iterable<string> = []): Promise<ProductAudit> {
  const rows = await src.orders<{ id: string; user_id: string; status: string; quantity: number }>(
    'select o.id, o.user_id, o.status, i.quantity from `order` o join order_item i on i.order_id = o.id where i.product_id = ?',
    [product.id],
  );
  const [stockRow] = await src.products<{ stock: number }>('select stock from product where id = ?', [product.id]);
  const [availableRaw, boughtRaw, recordsRaw] = await Promise.all([
    src.redis.hget(redisKeys.productStock(product.id), 'available'),
    src.redis.hgetall(orderKeys.bought(product.id)),
    src.redis.hgetall(orderKeys.reservations(product.id)),
  ]);

  const statusOf = new Map(rows.map((r) => [r.id, r.status]));
  const orders: Record<string, number> = {};
  let sold = 0;
  let pending = 0;
  const expectBought = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, n: number) => m.set(k, (m.get(k) ?? 0) + n);
  for (const r of rows) {
    const q = Number(r.quantity);
    orders[r.status] = (orders[r.status] ?? 0) + 1;
    if (SOLD.includes(r.status)) sold += q;
    if (r.status === 'PENDING_PAYMENT') pending += q;
    if (LIVE.includes(r.status)) add(expectBought, r.user_id, q);
  }

  // Reservation records of this product: a pending order's (counted above), a paid order's whose
  // settle was lost (its units are sold, nothing to hold), or an orphan still holding units.
  let orphaned = 0;
  const recorded = new Set<string>();
  for (const [id, raw] of Object.entries(recordsRaw)) {
    const record = JSON.parse(raw) as ReservationRecord;
    const line = record.lines.find(([p]) => p === product.id);
    if (!line) continue;
    recorded.add(id);
    const status = statusOf.get(id);
    if (status === 'PENDING_PAYMENT' || (status !== undefined && SOLD.includes(status)) || status === 'CANCELED' || status === 'RETURNED') continue;
    orphaned += line[1];
    add(expectBought, record.buyer, line[1]);
  }

  const productStock = Number(stockRow?.stock ?? NaN);
  const available = availableRaw === null ? null : Number(availableRaw);
  const drift = available === null ? 0 : available - (productStock - pending - orphaned);
  let boughtDrift = 0;
  const buyers = new Set([...Object.keys(boughtRaw), ...expectBought.keys()]);
  for (const b of buyers) boughtDrift += Math.abs(Number(boughtRaw[b] ?? 0) - (expectBought.get(b) ?? 0));
  const pendingIds = rows.filter((r) => r.status === 'PENDING_PAYMENT').map((r) => r.id);
  const missingRecords = new Set(pendingIds.filter((id) => !recorded.has(id))).size;
  const answeredMissing = [...new Set(answered)].filter((id) => !statusOf.has(id)).length;

  const audit: ProductAudit = {
    productId: product.id,
    initialStock: product.initialStock,
    productStock,
    available,
    sold,
    pending,
    orphaned,
    orders,
    oversold: Math.max(0, sold + pending - product.initialStock),
    stockDrift: productStock - (product.initialStock - sold),
    phantom: Math.max(0, drift),
    lost: Math.max(0, -drift),
    boughtDrift,
    missingRecords,
    answeredMissing,
    exact: false,
  };
  audit.exact =
    available !== null &&
    audit.oversold === 0 &&
    audit.stockDrift === 0 &&
    audit.phantom === 0 &&
    audit.lost === 0 &&
    audit.boughtDrift === 0 &&
    audit.missingRecords === 0 &&
    audit.answeredMissing === 0;
  return audit;
}

/**
 * Audits until exact or `timeoutMs` passes (events travel through the outbox relay and a
 * consumer; sweepers run on their interval), returning the last audit either way.
 */
export async function settledAudit(
  src: AuditSources,
  product: { id: string; initialStock: number },
  answered: Iterable<string> = [],
  opts: { timeoutMs?: number; alsoRequire?: (a: ProductAudit) => boolean } = {},
): Promise<ProductAudit> {
  const until = Date.now() + (opts.timeoutMs ?? 30_000);
  const ids = [...answered];
  for (;;) {
    const audit = await auditProduct(src, product, ids);
    if ((audit.exact && (opts.alsoRequire?.(audit) ?? true)) || Date.now() > until) return audit;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** One line per figure, for reports. */
export function formatAudit(a: ProductAudit): string {
  const orders = Object.entries(a.orders)
    .sort()
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
  return [
    `stock put on sale ${a.initialStock}; orders: ${orders || 'none'}`,
    `units sold ${a.sold}, held by pending orders ${a.pending}, held by orphaned reservations ${a.orphaned}`,
    `product.stock ${a.productStock} (expected ${a.initialStock - a.sold}), Redis available ${a.available ?? 'MISSING'} (expected ${a.productStock - a.pending - a.orphaned})`,
    `oversold ${a.oversold}, lost units ${a.lost}, phantom units ${a.phantom}, stock drift ${a.stockDrift}, per-buyer count drift ${a.boughtDrift}, pending orders without reservation ${a.missingRecords}, answered orders missing ${a.answeredMissing}`,
    `=> ${a.exact ? 'EXACT' : 'NOT EXACT'}`,
  ].join('\n');
}

/** The audit's sources on a stack running in this process (the launcher's in-process mode). */
export function inProcessAuditSources(stack: Pick<InProcessStack, 'order' | 'product'>): AuditSources {
  return {
    orders: (q, p) => stack.order.deps.orm.em.getConnection().execute(q, p ?? []),
    products: (q, p) => stack.product.deps.orm.em.getConnection().execute(q, p ?? []),
    redis: stack.order.deps.redis,
  };
}
