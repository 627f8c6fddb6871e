/**
 * Rebuilds a product's Redis stock hash that Redis has lost, from the truth of both databases:
 *
 *   available = product.stock - units still held for unpaid orders
 *
 * product.stock lives in the product database, which this subgraph never reads directly. It asks
 * the product subgraph over its ordinary federation interface (`_entities` for `Product`, one
 * batched call) with a service identity signed by the identity secret, exactly like the gateway
 * calls it. The units held are this subgraph's own knowledge: PENDING_PAYMENT orders, plus
 * reservation records still in Redis whose release will give units back (never-committed or
 * failed/expired orders whose release has not run yet). The per-buyer counts behind the
 * per-customer limit and the reservation records of pending orders are restored with the hash.
 *
 * Invariants
 *   R1 Written only while the hash is still missing (one Lua script checks and writes), so a live
 *      hash is never overwritten by a snapshot.
 *   R2 product.stock must already reflect every stock event this subgraph has written: the outbox
 *      holds no unpublished stock event and every consumer group of the stock stream has read
 *      (its last delivered id is the stream's newest) and acknowledged (nothing pending)
 *      everything. The same check after reading both sides proves no event was written
 *      meanwhile; otherwise it tries again, and finally answers SERVICE_UNAVAILABLE.
 *      When Redis has lost its data, events it had but nobody consumed are gone from the stream:
 *      until the outbox relay has marked them for re-publishing (it then writes its epoch key),
 *      nothing counts as settled.
 *   R3 When in doubt it counts units as held (a unit left unsold for a moment), never as free.
 *   R4 On a Redis Cluster, nothing is rebuilt on a shard still quarantined after a failover: the
 *      orders the lost writes belonged to may not be committed yet (shard-failover.ts). The
 *      shard's history is taken before the quarantine check and the hash written only on a node
 *      that still has it (guard G6), so a failover between the check and the write stops it.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/mysql';
import type Redis from 'ioredis';
import { Config, Logger, REQUEST_ID_HEADER, anchorOf, fieldRecord, outboxEpochKey, redisKeys, serviceUrl, signIdentityHeaders, unavailable } from '@flashsale/platform';
import { Order, OrderStatus } from '../entities/order.entity';
import { OrderItem } from '../entities/order-item.entity';
import { ReservationRecord, ReservationService } from './reservation.service';

/** What reconcile needs to know about a product from its owner. */
export interface ProductTruth {
  id: string;
  stock: number;
  price: number;
  currency: string;
  saleOpensAt: string | null;
  saleClosesAt: string | null;
  maxPerCustomer: number | null;
  active: boolean;
  waitingRoomEnabled: boolean;
}

export interface ProductSource {
  /** The products that exist among `ids` (unknown ids are simply absent). */
  fetch(ids: readonly string[]): Promise<Map<string, ProductTruth>>;
}

/** Statuses in which an order's units count against the buyer's per-customer limit. */
export const LIVE_STATUSES = [OrderStatus.PENDING_PAYMENT, OrderStatus.PREPARING, OrderStatus.SHIPPING, OrderStatus.DELIVERED, OrderStatus.RETURN_REQUESTED];
/** Statuses of paid orders: a reservation record they left behind is settled, never given back. */
const PAID_STATUSES = new Set<string>([OrderStatus.PREPARING, OrderStatus.SHIPPING, OrderStatus.DELIVERED, OrderStatus.CANCELED, OrderStatus.RETURN_REQUESTED, OrderStatus.RETURNED]);

/** The service identity this subgraph signs its calls to other subgraphs with. */
export const ORDER_SERVICE_IDENTITY = { userId: 'service:order', roles: ['ADMIN' as const] };

/** Reads products from the product subgraph's federation endpoint. */
export class GraphQLProductSource implements ProductSource {
  constructor(
    private readonly config: Config,
    private readonly identitySecret: string,
  ) {}

  async fetch(ids: readonly string[]): Promise<Map<string, ProductTruth>> {
    const requestId = `reconcile-${randomUUID()}`;
    const url = new URL(serviceUrl(this.config, 'product'));
    // The signature covers these exact bytes, the method and the path (platform identity.ts).
    const body = JSON.stringify({
      query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id stock price currency saleOpensAt saleClosesAt maxPerCustomer active waitingRoomEnabled } } }`,
      variables: { r: ids.map((id) => ({ __typename: 'Product', id })) },
    });
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [REQUEST_ID_HEADER]: requestId,
        ...signIdentityHeaders(this.identitySecret, ORDER_SERVICE_IDENTITY, requestId, { method: 'POST', path: url.pathname + url.search, body }),
      },
      body,
      signal: AbortSignal.timeout(3000),
    });
    const answer = (await res.json()) as { data?: { _entities: Array<ProductTruth | null> }; errors?: unknown[] };
    if (!answer.data) throw new Error(`product subgraph answered ${res.status}: ${JSON.stringify(answer.errors ?? answer).slice(0, 300)}`);
    return new Map(answer.data._entities.filter((p): p is ProductTruth => !!p).map((p) => [p.id, p]));
  }
}

export interface ReconcileResult {
  rebuilt: string[];
  unknown: string[];
}

const ATTEMPTS = 5;

/** Orders two stream ids ("<ms>-<seq>"): negative when a is older than b. */
function compareStreamIds(a: string, b: string): number {
  const [am, as = 0n] = a.split('-').map(BigInt);
  const [bm, bs = 0n] = b.split('-').map(BigInt);
  if (am !== bm) return am < bm ? -1 : 1;
  return as === bs ? 0 : as < bs ? -1 : 1;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class StockReconciler {
  constructor(
    private readonly deps: { orm: MikroORM; redis: Redis; config: Config; logger: Logger },
    private readonly reservations: ReservationService,
    private readonly products: ProductSource,
  ) {}

  private readonly inFlight = new Map<string, Promise<ReconcileResult>>();
  /**
   * Redis Cluster (shard-failover.ts): null while any of these products' shards is quarantined
   * after a failover, otherwise the replication history each product's shard was verified under.
   */
  private fence?: (productIds: readonly string[]) => Promise<Map<string, string> | null>;

  /** Rebuilds nothing while `fence` answers null, and writes each hash only under the history it answered (R4). */
  fenceWith(fence: (productIds: readonly string[]) => Promise<Map<string, string> | null>): void {
    this.fence = fence;
  }

  /**
   * Rebuilds the hashes of `productIds` that are missing; reports ids the catalog does not know.
   * Callers asking for the same products at once share one rebuild (a crowd meeting a lost hash
   * makes one round of queries, not one per buyer).
   */
  rebuildMissing(productIds: readonly string[]): Promise<ReconcileResult> {
    const ids = [...new Set(productIds)].sort();
    const key = ids.join(',');
    let running = this.inFlight.get(key);
    if (!running) {
      running = this.rebuild(ids).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, running);
    }
    return running;
  }

  /**
   * Start-up and periodic check: products that unpaid orders or reservation records refer to
   * but whose hash Redis has lost are rebuilt now (others are rebuilt by the next order for them).
   */
  async rebuildLost(): Promise<ReconcileResult> {
    const em = this.deps.orm.em.fork();
    const rows = await em
      .getConnection()
      .execute<Array<{ product_id: string }>>(
        'select distinct i.product_id from order_item i join `order` o on o.id = i.order_id where o.status = ?',
        [OrderStatus.PENDING_PAYMENT],
      );
    const ids = new Set(rows.map((r) => r.product_id));
    for (const parts of (await this.reservations.allParts()).values()) for (const part of parts) ids.add(part.productId);
    if (!ids.size) return { rebuilt: [], unknown: [] };
    const list = [...ids];
    const available = await this.reservations.ledger.availableOf(list);
    const lost = list.filter((_, i) => available[i] === null);
    return lost.length ? this.rebuildMissing(lost) : { rebuilt: [], unknown: [] };
  }

  private async rebuild(ids: string[]): Promise<ReconcileResult> {
    const histories = this.fence ? await this.fence(ids) : undefined;
    if (histories === null) throw unavailable('Stock is being recovered; please retry in a moment');
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const em = this.deps.orm.em.fork();
      const before = await this.settledMarker(em);
      if (before === null) {
        await sleep(50 * attempt);
        continue;
      }
      const truth = await this.products.fetch(ids);
      const held = await this.heldUnits(em, ids.filter((id) => truth.has(id)));
      if ((await this.settledMarker(em)) !== before) continue;

      const result: ReconcileResult = { rebuilt: [], unknown: ids.filter((id) => !truth.has(id)) };
      for (const [id, p] of truth) {
        const h = held.get(id)!;
        const written = await this.reservations.rebuild({
          productId: id,
          hash: {
            available: Math.max(0, p.stock - h.units),
            price: p.price,
            currency: p.currency,
            opensAt: p.saleOpensAt ? Date.parse(p.saleOpensAt) : 0,
            closesAt: p.saleClosesAt ? Date.parse(p.saleClosesAt) : 0,
            maxPerCustomer: p.maxPerCustomer ?? 0,
            active: p.active ? 1 : 0,
            waitingRoom: p.waitingRoomEnabled ? 1 : 0,
          },
          bought: h.bought,
          records: h.records,
          history: histories?.get(id),
        });
        if (written) {
          result.rebuilt.push(id);
          this.deps.logger.warn({ productId: id, stock: p.stock, held: h.units }, 'rebuilt a lost stock hash from the database truth');
        }
      }
      return result;
    }
    throw unavailable('Stock is being recovered; please retry in a moment');
  }

  /**
   * R2: null while a stock event may still be on its way to product.stock; otherwise a marker
   * (the newest stock event this subgraph wrote) that changes when a new one is written.
   */
  private async settledMarker(em: EntityManager): Promise<string | null> {
    // Epoch first: once it exists, every event Redis may have lost is marked unpublished again.
    const epoch = await this.deps.redis.get(outboxEpochKey(this.deps.orm));
    if (epoch === null) return null;
    const rows = await em
      .getConnection()
      .execute<Array<{ newest: number | null; unpublished: number }>>(
        'select max(id) as newest, coalesce(sum(published_at is null), 0) as unpublished from outbox where stream = ?',
        [redisKeys.stockEvents],
      );
    if (Number(rows[0]?.unpublished ?? 0) > 0) return null;
    const stream = `${this.deps.redis.options.keyPrefix ?? ''}${redisKeys.stockEvents}`;
    // XINFO takes its key behind a subcommand, which ioredis does not prefix.
    const groups = (await this.deps.redis.xinfo('GROUPS', stream).catch((err: Error) => {
      if (/no such key/i.test(err.message)) return [];
      throw err;
    })) as Array<Array<string | number | null>>;
    // Events in the stream but no group yet (e.g. just re-published after Redis lost its data,
    // before the product subgraph has recreated its group): not applied yet.
    if (!groups.length && (await this.deps.redis.xlen(redisKeys.stockEvents)) > 0) return null;
    if (groups.length) {
      // Read everything: each group's last delivered id has reached the stream's newest id. Not
      // XINFO's `lag`, which Redis 7.0 can report wrong or null on a promoted replica (its replicas
      // do not get a group's entries-read counter: redis/redis#12898), and which would then never
      // reach 0.
      const newest = String(fieldRecord((await this.deps.redis.xinfo('STREAM', stream)) as unknown[])['last-generated-id'] ?? '0-0');
      for (const g of groups) {
        const info = fieldRecord(g);
        if (Number(info.pending) !== 0 || compareStreamIds(String(info['last-delivered-id'] ?? '0-0'), newest) < 0) return null;
      }
    }
    return `${epoch}/${rows[0]?.newest ?? 0}`;
  }

  /** Units held per product (R3), the per-buyer counts, and the records pending orders need. */
  private async heldUnits(em: EntityManager, ids: readonly string[]) {
    const out = new Map<string, { units: number; bought: Map<string, number>; records: Array<{ id: string; record: ReservationRecord }> }>();
    for (const id of ids) out.set(id, { units: 0, bought: new Map(), records: [] });
    if (!ids.length) return out;
    const add = (m: Map<string, number>, k: string, n: number) => m.set(k, (m.get(k) ?? 0) + n);

    // Live orders: pending ones hold units; all of them count against the buyer's limit.
    const items = await em.find(
      OrderItem,
      { productId: { $in: [...ids] }, order: { status: { $in: LIVE_STATUSES } } },
      { populate: ['order'], disableIdentityMap: true },
    );
    const pending = new Set<string>();
    const pendingParts: Array<[string, string]> = [];
    for (const item of items) {
      const slot = out.get(item.productId)!;
      add(slot.bought, item.order.userId, item.quantity);
      if (item.order.status === OrderStatus.PENDING_PAYMENT) {
        slot.units += item.quantity;
        pending.add(item.order.id);
        pendingParts.push([item.order.id, item.productId]);
      }
    }

    // Other parts in Redis: released later (units come back) unless their order was paid. This
    // includes an order committed after the query above, whose record is all we know of it.
    const records = await this.reservations.allParts();
    const others = [...records.keys()].filter((rid) => !pending.has(rid) && records.get(rid)!.some((part) => out.has(part.productId)));
    const known = others.length ? await em.find(Order, { id: { $in: others } }, { fields: ['id', 'status'], disableIdentityMap: true }) : [];
    const statusOf = new Map(known.map((o) => [o.id, o.status as string]));
    for (const rid of others) {
      const status = statusOf.get(rid);
      if (status !== undefined && PAID_STATUSES.has(status)) continue;
      for (const { record } of records.get(rid)!) {
        for (const [p, q] of record.lines) {
          const slot = out.get(p);
          if (!slot) continue;
          slot.units += q;
          add(slot.bought, record.buyer, q);
        }
      }
    }

    // Pending orders whose part of a rebuilt product Redis lost get it back, so expiry returns
    // their units (the anchor's part carries the idempotency key, as the reserve script wrote it).
    const hasPart = (id: string, productId: string) => !!records.get(id)?.some((part) => part.productId === productId);
    const lost = [...new Set(pendingParts.filter(([id, p]) => !hasPart(id, p)).map(([id]) => id))];
    if (lost.length) {
      const orders = await em.find(Order, { id: { $in: lost } }, { populate: ['items'], disableIdentityMap: true });
      for (const o of orders) {
        const items = o.items.getItems();
        const anchor = anchorOf(items);
        for (const item of items) {
          if (hasPart(o.id, item.productId)) continue;
          const record: ReservationRecord = {
            buyer: o.userId,
            deadline: o.reservationExpiresAt.getTime(),
            lines: [[item.productId, item.quantity]],
            ...(item.productId === anchor ? { idempotencyKey: o.idempotencyKey } : {}),
          };
          out.get(item.productId)?.records.push({ id: o.id, record });
        }
      }
    }
    return out;
  }
}
