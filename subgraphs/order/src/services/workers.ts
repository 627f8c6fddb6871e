/** Background work of the order subgraph: the outbox relay, the reservation sweeper, the daily job, the cluster shard guard. */
import { SubgraphDeps, Worker, startOutboxRelay, startPeriodic } from '@flashsale/platform';
import type { OrderServices } from './index';

/** How often a replica checks whether a midnight is due (the job itself runs once per midnight). */
const DAILY_CHECK_MS = 30_000;

export function startOrderWorkers(deps: SubgraphDeps, services: OrderServices): Worker[] {
  const relay = startOutboxRelay({
    orm: deps.orm,
    redis: deps.redis,
    logger: deps.logger,
    replayWindowMs: deps.config.OUTBOX_REPLAY_WINDOW_SECONDS * 1000,
    kickGapMs: deps.config.OUTBOX_RELAY_GAP_MS,
  });
  services.outbox.attach(relay);
  return [
    relay,
    startPeriodic('reservation-sweeper', deps.config.ORDER_SWEEP_INTERVAL_MS, deps.logger, () => services.sweeper.sweep()),
    startPeriodic('daily-order-job', DAILY_CHECK_MS, deps.logger, () => services.dailyJob.runDue()),
    ...(services.shardGuard ? [startPeriodic('redis-shard-guard', deps.config.REDIS_CLUSTER_CHECK_MS, deps.logger, () => services.shardGuard!.check())] : []),
  ];
}
