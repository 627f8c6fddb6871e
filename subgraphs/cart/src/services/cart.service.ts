/**
 * The cart's rules, in one place.
 *
 * Invariants
 * - Every change to a user's lines runs in one transaction that holds that user's `cart` row lock
 *   (SELECT … FOR UPDATE). Simultaneous requests of one user therefore apply one after another:
 *   no update is lost and the line cap is exact. A request never waits for another user's request;
 *   it may wait for the order-event consumer, whose one short transaction per batch of events
 *   locks every buyer in the batch whose cart holds what they bought (in user id order).
 * - A line holds 1..99 units and a cart at most 100 lines. A change that would break either is
 *   refused with a CartError and changes nothing; a line brought to exactly 0 is deleted.
 * - A line is created or increased only for a product whose stock hash exists and is active.
 *   Decreasing and removing never consult the product, so a withdrawn product can still go.
 * - Malformed arguments (an id that is not a UUID, quantity outside 1..99, delta 0 or beyond ±99)
 *   are BAD_USER_INPUT errors raised by the argument rules (types/cart.types.ts) before this
 *   service is called, so before anything is read or written.
 * - Prices are display only: read live from the stock hash when the cart is shown, never stored
 *   here and never used by an order (placeOrder prices lines from the hash when it reserves).
 * - A placed order takes its purchased quantities out of the buyer's cart exactly once per event
 *   (the stream consumer records the event ids in the same transaction, a batch of events at a
 *   time; a buyer whose cart does not hold the product is not locked at all).
 */
import type { EntityManager, MikroORM } from '@mikro-orm/mysql';
import { DeadlockException, IsolationLevel, LockMode } from '@mikro-orm/core';
import { orderPlacedEventSchema, type Logger } from '@flashsale/platform';
import { CartItem } from '../entities/cart-item.entity';
import { CartOwner } from '../entities/cart-owner.entity';
import { CART_LIMITS, Cart, CartError, CartErrorCode, CartLine, CartPayload } from '../types/cart.types';
import { ProductListings } from './product-listings';


const LINE_ORDER = { addedAt: 'asc', productId: 'asc' } as const;
const LOCK_RETRIES = 3;

/** Runs inside the locked transaction; returns the CartError that refuses the change, or null. */
type CartChange = (em: EntityManager, lines: CartItem[]) => Promise<CartError | null> | CartError | null;

export class CartService {
  constructor(
    private readonly orm: MikroORM,
    private readonly listings: ProductListings,
    private readonly logger: Logger,
  ) {}

  /** The user's cart as the SPA shows it. */
  async cartOf(userId: string): Promise<Cart> {
    const lines = await this.orm.em.fork().find(CartItem, { userId }, { orderBy: LINE_ORDER });
    return this.view(lines);
  }

  /** Adds `quantity` (default 1) units, merging into an existing line. */
  async add(userId: string, productId: string, quantity: number | null | undefined): Promise<CartPayload> {
    return this.adjust(userId, productId.toLowerCase(), quantity ?? 1, 'quantity');
  }

  /** Moves a line by `delta`; reaching 0 removes it, a positive delta on a missing line adds it. */
  async changeQuantity(userId: string, productId: string, delta: number): Promise<CartPayload> {
    return this.adjust(userId, productId.toLowerCase(), delta, 'delta');
  }

  async remove(userId: string, productId: string): Promise<CartPayload> {
    const id = productId.toLowerCase();
    return this.withCartLock(userId, (em, lines) => {
      const line = lines.find((l) => l.productId === id);
      if (!line) return notInCart(id);
      em.remove(line);
      return null;
    });
  }

  async clear(userId: string): Promise<CartPayload> {
    return this.withCartLock(userId, async (em) => {
      await em.nativeDelete(CartItem, { userId });
      return null;
    });
  }

  /**
   * Stream handler for `events:order`, a batch at a time: the consumer hands over only events not
   * applied before, each once, in the transaction that records their ids (startStreamConsumer), so
   * a redelivered event changes nothing. An `order.placed` event takes the purchased quantities
   * out of the buyer's cart (a line reaching 0 goes); other event types are ignored. The consumer
   * has validated each event against the order stream's contract (a malformed one went to the
   * dead-letter stream); this checks again with the same shared schema, so a direct caller cannot
   * slip a wrong shape past it either (logged and skipped).
   *
   * One plain read finds which (buyer, product) pairs of the batch are cart lines at all. Only
   * those buyers' cart rows are locked, in user id order (two consumers locking overlapping sets
   * cannot deadlock; a request holds one cart lock only), and their lines are read again under
   * the lock and changed. A buyer whose cart does not hold what they bought costs nothing more
   * than that read: the line a buyer adds after it and before the commit stays, as if added after
   * the order.
   */
  async applyOrderEvents(em: EntityManager, events: ReadonlyArray<{ type?: unknown } | null | undefined>): Promise<void> {
    // buyer → product → units bought, over the whole batch (lower-cased: ids compare case-insensitively in MySQL)
    const bought = new Map<string, Map<string, number>>();
    for (const event of events) {
      if (event?.type !== 'order.placed') continue;
      const parsed = orderPlacedEventSchema.safeParse(event);
      if (!parsed.success) {
        // Retrying cannot fix a malformed event; record it as handled and say so loudly.
        this.logger.error({ issues: parsed.error.issues }, 'malformed order.placed event skipped');
        continue;
      }
      const userId = parsed.data.userId.toLowerCase();
      const units = bought.get(userId) ?? new Map<string, number>();
      bought.set(userId, units);
      for (const item of parsed.data.items) {
        const id = item.productId.toLowerCase();
        units.set(id, (units.get(id) ?? 0) + item.quantity);
      }
    }
    const unitsOf = (userId: string, productId: string) => bought.get(userId.toLowerCase())?.get(productId.toLowerCase()) ?? 0;
    const productIds = [...new Set([...bought.values()].flatMap((units) => [...units.keys()]))];
    if (!productIds.length) return;

    const userIds = [...bought.keys()];
    const candidates = await em.execute<Array<{ user_id: string; product_id: string }>>(
      `select user_id, product_id from cart_item where user_id in (${userIds.map(() => '?').join(',')}) and product_id in (${productIds.map(() => '?').join(',')})`,
      [...userIds, ...productIds],
    );
    const holders = [...new Set(candidates.filter((r) => unitsOf(r.user_id, r.product_id) > 0).map((r) => r.user_id))];
    if (!holders.length) return;

    // The consumer's transaction is READ COMMITTED: the lines read after the locks are the latest committed ones.
    const owners = await em.find(CartOwner, { userId: { $in: holders } }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { userId: 'asc' } });
    const lines = await em.find(CartItem, { userId: { $in: owners.map((o) => o.userId) }, productId: { $in: productIds } });
    for (const line of lines) {
      const units = unitsOf(line.userId, line.productId);
      if (!units) continue;
      const left = line.quantity - units;
      if (left > 0) line.quantity = left;
      else em.remove(line);
    }
    const now = new Date();
    for (const owner of owners) owner.updatedAt = now;
    await em.flush();
  }

  /** add and changeQuantity: one rule for moving a line by `delta`. */
  private async adjust(userId: string, productId: string, delta: number, field: 'quantity' | 'delta'): Promise<CartPayload> {
    if (delta > 0) {
      // Checked before taking the lock so the lock is held only for the database work.
      const listing = await this.listings.one(productId);
      if (!listing) return this.refuse(userId, cartError(CartErrorCode.PRODUCT_NOT_FOUND, 'No product has this id', productId));
      if (!listing.active) return this.refuse(userId, cartError(CartErrorCode.PRODUCT_UNAVAILABLE, 'This product is not for sale', productId));
    }
    return this.withCartLock(userId, (em, lines) => {
      const line = lines.find((l) => l.productId === productId);
      const current = line?.quantity ?? 0;
      if (!line && delta < 0) return notInCart(productId);
      const next = current + delta;
      if (next < 0 || next > CART_LIMITS.maxQuantity) {
        return {
          ...cartError(CartErrorCode.QUANTITY_LIMIT, `A line holds 1 to ${CART_LIMITS.maxQuantity} units; ${current} already in the cart`, productId),
          field,
          limit: CART_LIMITS.maxQuantity,
          currentQuantity: current,
        };
      }
      if (!line) {
        if (lines.length >= CART_LIMITS.maxLines) {
          return { ...cartError(CartErrorCode.CART_FULL, `A cart holds at most ${CART_LIMITS.maxLines} products`, productId), limit: CART_LIMITS.maxLines };
        }
        em.persist(Object.assign(new CartItem(), { userId, productId, quantity: next }));
      } else if (next === 0) {
        em.remove(line);
      } else {
        line.quantity = next;
      }
      return null;
    });
  }

  /**
   * Runs `change` in a transaction holding the user's cart row lock, then answers with the cart as
   * the transaction left it. A refused change is rolled back, so it changes nothing.
   */
  private async withCartLock(userId: string, change: CartChange): Promise<CartPayload> {
    let created = false;
    for (let attempt = 1; ; attempt++) {
      try {
        // READ COMMITTED: every read after the lock sees the lines the previous holder committed.
        const outcome = await this.orm.em.fork().transactional(async (em) => {
          const owner = await em.findOne(CartOwner, { userId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
          if (!owner) return 'no-cart' as const;
          const lines = await em.find(CartItem, { userId }, { orderBy: LINE_ORDER });
          const error = await change(em, lines);
          if (error) {
            em.clear(); // discard anything `change` staged; the transaction commits nothing
            return { error, lines };
          }
          owner.updatedAt = new Date();
          await em.flush();
          return { error: null, lines: await em.find(CartItem, { userId }, { orderBy: LINE_ORDER, refresh: true }) };
        }, { isolationLevel: IsolationLevel.READ_COMMITTED });
        if (outcome === 'no-cart') {
          if (created) throw new Error(`cart row for ${userId} missing right after it was created`);
          created = true;
          // Created outside the locking transaction: INSERT IGNORE on an existing row takes a shared
          // lock, and two transactions upgrading shared locks would deadlock.
          await this.orm.em.fork().getConnection().execute('insert ignore into `cart` (`user_id`, `created_at`, `updated_at`) values (?, ?, ?)', [userId, new Date(), new Date()]);
          continue;
        }
        return { cart: await this.view(outcome.lines), userErrors: outcome.error ? [outcome.error] : [] };
      } catch (err) {
        // The design takes one lock per transaction, so a deadlock should not happen; retry if InnoDB disagrees.
        if (attempt < LOCK_RETRIES && err instanceof DeadlockException) continue;
        throw err;
      }
    }
  }

  private async refuse(userId: string, error: CartError): Promise<CartPayload> {
    return { cart: await this.cartOf(userId), userErrors: [error] };
  }

  private async view(lines: CartItem[]): Promise<Cart> {
    const listings = await this.listings.many(lines.map((l) => l.productId));
    const items: CartLine[] = lines.map((l) => {
      const listing = listings.get(l.productId);
      const unitPrice = listing?.price ?? null;
      return {
        product: { id: l.productId },
        quantity: l.quantity,
        unitPrice,
        currency: listing?.currency ?? null,
        lineTotal: unitPrice === null ? null : unitPrice * l.quantity,
        addedAt: l.addedAt,
      };
    });
    const currencies = new Set(items.map((i) => i.currency));
    const priced = items.length > 0 && items.every((i) => i.lineTotal !== null) && currencies.size === 1 && !currencies.has(null);
    return {
      items,
      totalQuantity: items.reduce((n, i) => n + i.quantity, 0),
      subtotal: priced ? { amount: items.reduce((n, i) => n + i.lineTotal!, 0), currency: items[0].currency! } : null,
    };
  }
}

function cartError(code: CartErrorCode, message: string, productId: string): CartError {
  return { code, message, field: 'productId', productId };
}

function notInCart(productId: string): CartError {
  return cartError(CartErrorCode.NOT_IN_CART, 'This product is not in the cart', productId);
}
