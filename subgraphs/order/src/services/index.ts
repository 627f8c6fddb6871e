/** Builds the order subgraph's services once per process; tests build their own with a moved clock. */
import { ClusterShardGuard, SubgraphDeps, TicketSigner, metricsOf } from '@flashsale/platform';
import { Clock, systemClock } from './clock';
import { DailyJob } from './daily-job';
import { Locks, lockMasters } from './locks';
import { OrderLifecycle } from '../lifecycle';
import { OrderChanges } from './order-changes';
import { OrderPayments } from './order-payments';
import { OrderReads } from './order-reads';
import { OrderService } from './order.service';
import { OrderCommits } from './placement/order-commits';
import { OrderPlacement } from './placement/place-order';
import { PaymentProvider, PaymentSimulator } from './payment';
import { ReservationService } from './reservation.service';
import { guardShards } from './shard-failover';
import { GraphQLProductSource, ProductSource, StockReconciler } from './stock-reconciler';
import { ReservationSweeper } from './sweeper';

export interface OrderServices {
  orders: OrderService;
  reservations: ReservationService;
  reconciler: StockReconciler;
  payments: PaymentProvider;
  sweeper: ReservationSweeper;
  dailyJob: DailyJob;
  clock: Clock;
  /** Redis Cluster only: the failover guard (shard-failover.ts), checked periodically by a worker. */
  shardGuard?: ClusterShardGuard;
  /** Wakes the outbox relay; a no-op until the relay worker is attached. */
  outbox: { kick(): void; attach(relay: { kick(): void }): void };
}

export interface OrderServiceOverrides {
  clock?: Clock;
  payments?: PaymentProvider;
  products?: ProductSource;
  config?: Partial<SubgraphDeps['config']>;
}

export function createOrderServices(deps: Pick<SubgraphDeps, 'orm' | 'redis' | 'config' | 'logger' | 'secrets'>, overrides: OrderServiceOverrides = {}): OrderServices {
  const config = overrides.config ? { ...deps.config, ...overrides.config } : deps.config;
  const { orm, redis, logger } = deps;
  const clock = overrides.clock ?? systemClock;
  const locks = new Locks(lockMasters(config, redis), metricsOf(logger));
  const reservations = new ReservationService(redis);
  const reconciler = new StockReconciler({ orm, redis, config, logger }, reservations, overrides.products ?? new GraphQLProductSource(config, deps.secrets.identitySecret));
  const payments = overrides.payments ?? new PaymentSimulator({ latencyMs: config.PAYMENT_LATENCY_MS, failureRate: config.PAYMENT_FAILURE_RATE });
  let relay: { kick(): void } | undefined;
  const outbox = { kick: () => relay?.kick(), attach: (r: { kick(): void }) => void (relay = r) };
  const commits = new OrderCommits(orm, logger, { parallel: config.ORDER_COMMIT_PARALLEL, maxBatch: config.ORDER_COMMIT_MAX_BATCH, gapMs: config.ORDER_COMMIT_GAP_MS });
  const tickets = new TicketSigner(deps.secrets.identitySecret);
  const placement = new OrderPlacement({ orm, config, logger, clock, locks, reservations, reconciler, commits, outbox, tickets });
  const lifecycle = new OrderLifecycle({ reservations, logger, outbox });
  const orders = new OrderService({
    placement,
    payments: new OrderPayments({ orm, config, clock, locks, lifecycle, payments }),
    changes: new OrderChanges({ orm, config, logger, clock, locks, lifecycle }),
    reads: new OrderReads(),
  });
  return {
    orders,
    reservations,
    reconciler,
    payments,
    shardGuard: guardShards({ orm, redis, config, logger }, reservations, reconciler),
    sweeper: new ReservationSweeper({ orm, logger, clock, orders, reservations, reconciler }),
    dailyJob: new DailyJob({ orm, logger, clock, locks, orders, timeZone: config.DAILY_JOB_TIMEZONE }),
    clock,
    outbox,
  };
}
