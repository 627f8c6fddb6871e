/**
 * placeOrder without HTTP or GraphQL, in the bench's own process with its own MikroORM pool
 * (MYSQL_POOL_SIZE, like the order subgraph) and its own Redis connection, against the same
 * databases and keys as the running order subgraph:
 *   floor    the reservation Lua script (ReservationService.reserve) and the same unit of work
 *            the service commits (order + item + order.placed outbox row), nothing else: no lock,
 *            no idempotency look-ups. The least work any placeOrder can do on this design.
 *   service  OrderService.placeOrder itself (Redlock, idempotency fast path, reserve, commit).
 * Together with the HTTP variants they split the cost into: design floor, service logic (locks
 * and look-ups), and HTTP + GraphQL (+ federation at the gateway).
 */
import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/mysql';
import { AppError, createLogger, createRedis, enqueueEvent, eventStreams, ormConfig } from '@flashsale/platform';
import { orderEntities } from '../subgraphs/order/src/subgraph';
import { migrations } from '../subgraphs/order/src/migrations';
import { Order } from '../subgraphs/order/src/entities/order.entity';
import { OrderItem } from '../subgraphs/order/src/entities/order-item.entity';
import { createOrderServices, OrderServices } from '../subgraphs/order/src/services';
import { ReservationService } from '../subgraphs/order/src/services/reservation.service';
import type { Outcome } from './load';
import type { BenchStack } from './stack';

export interface Line {
  productId: string;
  quantity: number;
}

export class InProcessOrders {
  private constructor(
    private readonly stack: BenchStack,
    private readonly orm: MikroORM,
    private readonly redis: ReturnType<typeof createRedis>,
    private readonly reservations: ReservationService,
    private readonly services: OrderServices,
  ) {}

  static async open(stack: BenchStack): Promise<InProcessOrders> {
    const { config, secrets } = stack;
    const logger = createLogger({ ...config, LOG_LEVEL: 'warn' }, 'bench-in-process');
    // The order subgraph has migrated the database already; this only connects.
    const orm = await MikroORM.init(ormConfig({ config, service: 'order', entities: orderEntities, migrations, logger }));
    const redis = createRedis(config);
    const services = createOrderServices({ orm, redis, config, logger, secrets });
    return new InProcessOrders(stack, orm, redis, new ReservationService(redis), services);
  }

  /** The floor: one Lua reservation, then one commit (given back if the commit fails). */
  async floor(buyer: string, key: string, lines: Line[]): Promise<Outcome> {
    const id = randomUUID();
    const holdMs = this.stack.config.RESERVATION_TTL_SECONDS * 1000;
    const reserved = await this.reservations.reserve(id, buyer, lines, holdMs);
    if (reserved.status === 'rejected') return { kind: reserved.rejections[0].code };
    if (reserved.status !== 'reserved') return { kind: `RESERVE_${reserved.status.toUpperCase()}`, error: true };
    try {
      const em = this.orm.em.fork();
      const now = new Date();
      const order = em.create(Order, {
        id,
        userId: buyer,
        idempotencyKey: key,
        total: lines.reduce((sum, l, i) => sum + l.quantity * reserved.prices[i].unitPrice, 0),
        currency: reserved.prices[0].currency,
        reservationExpiresAt: new Date(now.getTime() + holdMs),
        statusChangedAt: now,
        createdAt: now,
      });
      lines.forEach((l, i) => em.create(OrderItem, { order, productId: l.productId, quantity: l.quantity, unitPrice: reserved.prices[i].unitPrice }));
      enqueueEvent(em, eventStreams.order, { type: 'order.placed', orderId: id, userId: buyer, items: lines });
      await em.flush();
    } catch (err) {
      await this.reservations.release(id, lines);
      throw err;
    }
    return { kind: 'ORDER', orderId: id };
  }

  /** The order service's placeOrder, as its resolver calls it. */
  async service(buyer: string, key: string, lines: Line[]): Promise<Outcome> {
    try {
      const outcome = await this.services.orders.placeOrder({ userId: buyer, roles: [] }, { items: lines, idempotencyKey: key });
      if (outcome.order) return { kind: 'ORDER', orderId: outcome.order.id };
      return outcome.userErrors.length ? { kind: outcome.userErrors[0].code } : { kind: 'NO_ANSWER', error: true };
    } catch (err) {
      // Catalogue errors carry their code; anything else is what a client would see as masked.
      return { kind: String((err as AppError).extensions?.code ?? 'INTERNAL_SERVER_ERROR'), error: true };
    }
  }

  async close(): Promise<void> {
    await this.orm.close(true);
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
