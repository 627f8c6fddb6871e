/**
 * placeOrder as a short sequence of named steps, each with its undo beside it:
 *
 *   1. placementRequest the validated input, ids lower-cased                  (nothing to undo)
 *   2. reserveUnits     one Lua script: replay look-up + double-submit guard  undo: giveBackUnits
 *                       + sale window + limit + take the units + remember the key
 *   3. commitOrder      order + items + order.placed outbox row, in a shared  undo: none (the
 *                       unit of work with concurrent orders (OrderCommits)   database rolled back)
 *   4. announce         wake the outbox relay
 *
 * A failed step gives back what the steps before it took, before placeOrder answers (O1 in
 * order.service.ts). The happy path costs one Redis round trip and a share of one transaction.
 *
 * Locks: with ORDER_LOCK_SCOPE=script (the default) no Redlock is taken: the reservation script
 * is atomic and its idempotency guard stops a double submit (I6 in platform stock-scripts.lua.ts),
 * so a lock would only serialise. `buyer` and `product` wrap the same steps in a Redlock on the
 * buyer or on every product (the seed design, kept to be measured); either way the commit is
 * refused once the placement has run longer than ORDER_LOCK_TTL_MS.
 *
 * Over 300 lines on purpose: the steps and their undos read top to bottom in one place; split
 * apart, an undo would sit in another file from the action it reverses.
 */
import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/mysql';
import { Config, Logger, ServiceMetrics, TicketSigner, enqueueEvent, eventStreams, metricsOf, secondsSince, unavailable, withSpan } from '@flashsale/platform';
import { Order } from '../../entities/order.entity';
import { OrderItem } from '../../entities/order-item.entity';
import { OrderError, OrderErrorCode, OrderOutcome, PlaceOrderInput } from '../../types/order.types';
import type { Clock } from '../clock';
import { HeldLock, LockBusyError, Locks } from '../locks';
import type { Line, ReservationService } from '../reservation.service';
import type { StockReconciler } from '../stock-reconciler';
import { orderError } from '../order-errors';
import { OrderCommits, PlacementTooSlowError } from './order-commits';
import { countedPlacement, watchSaleProducts } from './placement-metrics';

/** How long a replay waits for the first attempt of its key, still committing, before answering busy. */
const REPLAY_WAIT_MS = 1000;
const REPLAY_POLL_MS = 20;

export interface PlacementRequest {
  lines: Line[];
  idempotencyKey: string;
  /** A waiting-room ticket whose signature and buyer were checked (step 1b): its product. */
  ticketProductId?: string;
}

export interface PlacementDeps {
  orm: MikroORM;
  config: Config;
  logger: Logger;
  clock: Clock;
  locks: Locks;
  reservations: ReservationService;
  reconciler: StockReconciler;
  commits: OrderCommits;
  /** Wakes the outbox relay after a commit that wrote events. */
  outbox: { kick(): void };
  /** Checks waiting-room tickets' signatures (the line's rules run in the reservation script). */
  tickets: TicketSigner;
}

const refused = (...userErrors: OrderError[]): OrderOutcome => ({ order: null, userErrors });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Step 1: the request in the form the later steps use (product ids lower-cased, as MySQL compares
 * them). The schema has already refused a malformed one (PlaceOrderInput's rules) with
 * BAD_USER_INPUT, before anything was read or written.
 */
export function placementRequest(input: PlaceOrderInput): PlacementRequest {
  return { lines: input.items.map((item) => ({ productId: item.productId.toLowerCase(), quantity: item.quantity })), idempotencyKey: input.idempotencyKey };
}

/**
 * Step 1b: a waiting-room ticket, when the order carries one, must be signed by the edge for this
 * buyer and for a product of this order; otherwise the order is refused NOT_ADMITTED (INVALID)
 * before anything is read or written. Whether its number is served, inside its window and unused
 * is the reservation script's to check, in the same atomic step that takes the units.
 */
export function ticketCheck(tickets: TicketSigner, buyer: string, request: PlacementRequest, ticket: string | null | undefined): { ok: true; request: PlacementRequest } | { ok: false; answer: OrderOutcome } {
  if (ticket == null || ticket === '') return { ok: true, request };
  const checked = tickets.verify(ticket);
  const invalid = (message: string) => ({ ok: false as const, answer: refused(orderError(OrderErrorCode.NOT_ADMITTED, message, { field: 'waitingRoomTicket', reason: 'INVALID' })) });
  if (!checked.ok) return invalid('This waiting-room ticket is not valid');
  if (checked.claims.buyer !== buyer) return invalid('This waiting-room ticket belongs to another buyer');
  const productId = checked.claims.productId.toLowerCase();
  if (!request.lines.some((l) => l.productId === productId)) return invalid('This waiting-room ticket is for another product');
  return { ok: true, request: { ...request, ticketProductId: productId } };
}

const sameLines = (a: readonly Line[], b: readonly Line[]) => {
  const key = (lines: readonly Line[]) => lines.map((l) => `${l.productId}:${l.quantity}`).sort().join(',');
  return key(a) === key(b);
};

type Reserved = { unitPrices: number[]; currency: string; reservedAt: number };

export class OrderPlacement {
  private readonly metrics: ServiceMetrics;

  constructor(private readonly deps: PlacementDeps) {
    this.metrics = metricsOf(deps.logger);
    watchSaleProducts(this.metrics, deps.reservations);
  }

  /** placeOrder, counted by outcome into flashsale_place_order_total. */
  place(buyer: string, input: PlaceOrderInput): Promise<OrderOutcome> {
    return countedPlacement(this.metrics, this.placeOnce(buyer, input));
  }

  private get holdMs() {
    return this.deps.config.RESERVATION_TTL_SECONDS * 1000;
  }

  private async placeOnce(buyer: string, input: PlaceOrderInput): Promise<OrderOutcome> {
    const checked = ticketCheck(this.deps.tickets, buyer, placementRequest(input), input.waitingRoomTicket);
    if (!checked.ok) {
      this.metrics.ticketsRefused.inc({ reason: 'INVALID' });
      return checked.answer;
    }
    const request = checked.request;
    return this.underLock(buyer, request.lines, async (lock) => {
      // A key whose first attempt never became an order is freed by `replay`; then place once more.
      for (let attempt = 1; ; attempt++) {
        const answer = await this.attempt(buyer, request, lock);
        if (answer !== 'again') return answer;
        if (attempt >= 2) throw unavailable('This order could not be placed right now; please retry with the same idempotency key');
      }
    });
  }

  private async attempt(buyer: string, request: PlacementRequest, lock: HeldLock | null): Promise<OrderOutcome | 'again'> {
    const orderId = randomUUID();
    const reserved = await this.reserveUnits(orderId, buyer, request);
    if (reserved.kind === 'replay') return this.replay(buyer, request, reserved.orderId);
    if (reserved.kind === 'refused') return reserved.answer;

    const order = await this.commitOrder(orderId, buyer, request, reserved.value, lock);
    if (order === 'duplicate') return (await this.replayFromDatabase(buyer, request)) ?? 'again';
    this.deps.outbox.kick(); // step 4
    return { order, userErrors: [] };
  }

  // ------------------------------------------------------------ step 2: reserve ↔ give back

  private async reserveUnits(
    orderId: string,
    buyer: string,
    { lines, idempotencyKey, ticketProductId }: PlacementRequest,
  ): Promise<{ kind: 'reserved'; value: Reserved } | { kind: 'replay'; orderId: string } | { kind: 'refused'; answer: OrderOutcome }> {
    const { reservations, reconciler } = this.deps;
    const startedAt = Date.now();
    const reserve = () => {
      const started = process.hrtime.bigint();
      return withSpan('redis reserve script', { attributes: { 'db.system.name': 'redis', 'db.operation.name': 'EVALSHA stockReserve' } }, () =>
        reservations.reserve(orderId, buyer, lines, this.holdMs, idempotencyKey, ticketProductId ? { productId: ticketProductId, windowMs: this.deps.config.WAITING_ROOM_ORDER_WINDOW_SECONDS * 1000 } : undefined),
      ).finally(() => this.metrics.redisDuration.observe({ op: 'reserve_script' }, secondsSince(started)));
    };
    let outcome = await reserve();
    if (outcome.status !== 'missing') for (const l of lines) this.metrics.noteSaleProduct(l.productId);
    if (outcome.status === 'missing') {
      this.metrics.stockHashMissing.inc();
      // Redis lost these hashes: rebuild them from the truth (I5), then try once more.
      const { unknown } = await reconciler.rebuildMissing(outcome.productIds);
      if (unknown.length) {
        return {
          kind: 'refused',
          answer: refused(
            ...unknown.map((productId) =>
              orderError(OrderErrorCode.UNKNOWN_PRODUCT, 'No product has this id', { productId, field: `items.${lines.findIndex((l) => l.productId === productId)}.productId` }),
            ),
          ),
        };
      }
      outcome = await reserve();
      if (outcome.status === 'missing') throw unavailable('Stock is being recovered; please retry in a moment');
    }
    switch (outcome.status) {
      case 'replay':
        return { kind: 'replay', orderId: outcome.orderId };
      case 'exists':
        throw new Error(`reservation ${orderId} exists already`);
      case 'rejected':
        for (const r of outcome.rejections) if (r.code === 'NOT_ADMITTED') this.metrics.ticketsRefused.inc({ reason: r.detail.split(':')[0] });
        return { kind: 'refused', answer: refused(...outcome.rejections.map((r) => rejectionError(r, lines))) };
    }
    const currency = outcome.prices[0].currency;
    if (outcome.prices.some((p) => p.currency !== currency)) {
      await this.giveBackUnits(orderId, lines);
      return { kind: 'refused', answer: refused(orderError(OrderErrorCode.MIXED_CURRENCIES, 'All lines of one order must be priced in the same currency', { field: 'items' })) };
    }
    return { kind: 'reserved', value: { unitPrices: outcome.prices.map((p) => p.unitPrice), currency, reservedAt: startedAt } };
  }

  /** Undo of step 2 for a reservation that never became an order: units and the key come back. */
  private async giveBackUnits(orderId: string, lines: readonly Line[]): Promise<void> {
    await this.deps.reservations
      .release(orderId, lines, { neverPlaced: true })
      .catch((err) => this.deps.logger.error({ err, orderId }, 'could not give back units of an order that was not placed; the sweeper will'));
  }

  // ------------------------------------------------------------ step 3: commit

  private async commitOrder(orderId: string, buyer: string, { lines, idempotencyKey }: PlacementRequest, reserved: Reserved, lock: HeldLock | null): Promise<Order | 'duplicate'> {
    const now = this.deps.clock.now();
    const deadline = reserved.reservedAt + this.deps.config.ORDER_LOCK_TTL_MS;
    let order: Order | undefined;
    const started = process.hrtime.bigint();
    const commit = (work: Parameters<OrderCommits['commit']>[0]) =>
      withSpan('mysql order commit (unit of work)', { attributes: { 'db.system.name': 'mysql', 'db.operation.name': 'COMMIT' } }, () => this.deps.commits.commit(work)).finally(() =>
        this.metrics.mysqlDuration.observe({ op: 'order_commit' }, secondsSince(started)),
      );
    const outcome = await commit({
      // Past this time the key's replay may have declared the attempt dead (or the lock expired).
      stillValid: () => Date.now() < deadline && (lock?.held() ?? true),
      write: (em) => {
        const draft = em.create(Order, {
          id: orderId,
          userId: buyer,
          idempotencyKey,
          total: lines.reduce((sum, l, i) => sum + l.quantity * reserved.unitPrices[i], 0),
          currency: reserved.currency,
          reservationExpiresAt: new Date(now.getTime() + this.holdMs),
          statusChangedAt: now,
          createdAt: now,
        });
        lines.forEach((l, i) => em.create(OrderItem, { order: draft, productId: l.productId, quantity: l.quantity, unitPrice: reserved.unitPrices[i] }));
        enqueueEvent(em, eventStreams.order, { type: 'order.placed', orderId, userId: buyer, items: lines });
        order = draft;
      },
    });
    if (outcome.committed) return order!;

    // A failed COMMIT (the connection died meanwhile) may have committed all the same (O1).
    const landed = outcome.reachedCommit ? await this.committed(orderId) : false;
    if (landed === null) {
      this.deps.logger.error({ err: outcome.error, orderId }, 'commit outcome unknown; the reservation stays until the sweeper can read the order');
      throw unavailable('The order could not be confirmed; please retry with the same idempotency key');
    }
    if (landed) {
      this.deps.logger.warn({ err: outcome.error, orderId }, 'the commit answered with an error but the order is in the database');
      return (await this.deps.orm.em.fork().findOne(Order, { id: orderId }, { populate: ['items'] }))!;
    }
    await this.giveBackUnits(orderId, lines);
    if (outcome.error instanceof UniqueConstraintViolationException) return 'duplicate';
    if (outcome.error instanceof PlacementTooSlowError) throw unavailable('Placing the order took too long; please retry with the same idempotency key');
    throw outcome.error;
  }

  /**
   * Whether an order whose COMMIT failed is in the database: true, false, or null when the
   * database cannot say. The share-mode read waits for the row lock of a commit still in flight
   * on the dead connection, so `false` is final.
   */
  private async committed(orderId: string): Promise<boolean | null> {
    try {
      const rows = await this.deps.orm.em.getConnection().execute<Array<{ id: string }>>('select id from `order` where id = ? lock in share mode', [orderId]);
      return rows.length > 0;
    } catch (err) {
      this.deps.logger.warn({ err, orderId }, 'could not read back an order whose commit failed');
      return null;
    }
  }

  // ------------------------------------------------------------ replays (O3)

  /**
   * The key placed `orderId` before (or is placing it now). Answers that order; waits briefly
   * while its first attempt is still committing; 'again' when that attempt is provably dead (no
   * order, and past its deadline nothing can commit it any more), after freeing the key.
   */
  private async replay(buyer: string, request: PlacementRequest, orderId: string): Promise<OrderOutcome | 'again'> {
    const startedAt = Date.now();
    for (;;) {
      const order = await this.deps.orm.em.fork().findOne(Order, { id: orderId, userId: buyer }, { populate: ['items'] });
      if (order) return this.replayAnswer(order, request);
      const [held] = await this.deps.reservations.parts(orderId, request.lines);
      const placedAt = held ? held.record.deadline - this.holdMs : 0;
      // No record: its give-back freed the key (we raced it) or Redis lost it; look once more.
      // An old record: its placement is past the deadline at which OrderCommits refuses it.
      if (!held || Date.now() > placedAt + this.deps.config.ORDER_LOCK_TTL_MS + 1000) {
        const landed = await this.committed(orderId);
        if (landed === null) throw unavailable('The order could not be confirmed; please retry with the same idempotency key');
        if (landed) continue;
        await this.deps.reservations.release(orderId, request.lines, { neverPlaced: true });
        await this.deps.reservations.forgetIdempotency(buyer, request.idempotencyKey, orderId, request.lines);
        return 'again';
      }
      if (Date.now() - startedAt >= REPLAY_WAIT_MS) throw unavailable('This order is still being placed; retry with the same idempotency key');
      await sleep(REPLAY_POLL_MS);
    }
  }

  /** After a duplicate-key commit: the order the key placed, from the database's unique index. */
  private async replayFromDatabase(buyer: string, request: PlacementRequest): Promise<OrderOutcome | null> {
    const order = await this.deps.orm.em.fork().findOne(Order, { userId: buyer, idempotencyKey: request.idempotencyKey }, { populate: ['items'] });
    return order ? this.replayAnswer(order, request) : null;
  }

  private replayAnswer(order: Order, request: PlacementRequest): OrderOutcome {
    const placed = order.items.getItems().map((i) => ({ productId: i.productId, quantity: i.quantity }));
    if (!sameLines(placed, request.lines)) {
      return refused(orderError(OrderErrorCode.IDEMPOTENCY_KEY_REUSED, 'This idempotency key already placed an order with different lines', { field: 'idempotencyKey' }));
    }
    return { order, userErrors: [] };
  }

  // ------------------------------------------------------------ locks (ORDER_LOCK_SCOPE)

  private async underLock<T>(buyer: string, lines: readonly Line[], fn: (lock: HeldLock | null) => Promise<T>): Promise<T> {
    const scope = this.deps.config.ORDER_LOCK_SCOPE;
    if (scope === 'script') return fn(null);
    const resources = scope === 'product' ? lines.map((l) => `lock:order:product:{${l.productId}}`).sort() : [`lock:order:buyer:${buyer}`];
    try {
      return await this.deps.locks.using(resources, { ttlMs: this.deps.config.ORDER_LOCK_TTL_MS, waitMs: this.deps.config.ORDER_LOCK_WAIT_MS }, fn);
    } catch (e) {
      if (e instanceof LockBusyError) throw unavailable('Too many requests for this right now; please retry');
      throw e;
    }
  }
}

/** A refusal of the reservation script as the buyer reads it. */
function rejectionError(rejection: { code: string; productId: string; detail: string }, lines: readonly Line[]): OrderError {
  const { code, productId, detail } = rejection;
  const i = lines.findIndex((l) => l.productId === productId);
  switch (code) {
    case 'SOLD_OUT':
      return orderError(OrderErrorCode.SOLD_OUT, `Only ${detail} left`, { productId, field: `items.${i}.quantity`, available: Number(detail) });
    case 'LIMIT_EXCEEDED':
      return orderError(OrderErrorCode.LIMIT_EXCEEDED, `At most ${detail} per customer`, { productId, field: `items.${i}.quantity`, limit: Number(detail) });
    case 'SALE_NOT_OPEN':
      return orderError(OrderErrorCode.SALE_NOT_OPEN, 'The sale has not opened yet', { productId, field: `items.${i}.productId`, opensAt: new Date(Number(detail)) });
    case 'SALE_CLOSED':
      return orderError(OrderErrorCode.SALE_CLOSED, 'The sale has closed', { productId, field: `items.${i}.productId`, closesAt: new Date(Number(detail)) });
    case 'NOT_ADMITTED':
      return notAdmitted(productId, detail);
    default:
      return orderError(OrderErrorCode.NOT_FOR_SALE, 'This product is not for sale', { productId, field: `items.${i}.productId` });
  }
}

/** A waiting-room refusal of the reservation script (detail: reason, or WAITING:<place>), as the buyer reads it. */
function notAdmitted(productId: string, detail: string): OrderError {
  const [reason, place] = detail.split(':');
  const messages: Record<string, string> = {
    NO_TICKET: 'This sale has a waiting room: join the line and order with your ticket when it is your turn',
    NOT_IN_LINE: 'This ticket has no number in the line yet',
    WAITING: `It is not your turn yet: ${place} ahead of you`,
    EXPIRED: 'Your turn to order has passed',
    USED: 'This ticket has already placed an order',
  };
  return orderError(OrderErrorCode.NOT_ADMITTED, messages[reason] ?? 'Not admitted by the waiting room', {
    productId,
    field: 'waitingRoomTicket',
    reason,
    place: reason === 'WAITING' ? Number(place) : null,
  });
}
