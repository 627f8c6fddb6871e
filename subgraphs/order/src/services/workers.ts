/** Background work of the order subgraph: the outbox relay, the reservation sweeper, the daily job. */
import { Logger, SubgraphDeps, Worker, startOutboxRelay } from '@flashsale/platform';
import type { OrderServices } from './index';

/** How often a replica checks whether a midnight is due (the job itself runs once per midnight). */
const DAILY_CHECK_MS = 30_000;

/** Runs `round` now and then every `intervalMs` after the previous round ends; errors are logged. */
export function startPeriodic(name: string, intervalMs: number, logger: Logger, round: () => Promise<unknown>): Worker {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const loop = async () => {
    try {
      await round();
    } catch (err) {
      logger.warn({ err, worker: name }, 'background round failed; will retry');
    }
    running = undefined;
    if (!stopped) timer = setTimeout(() => (running = loop()), intervalMs);
  };
  running = loop();
  return {
    kick() {
      if (stopped || running) return;
      clearTimeout(timer);
      running = loop();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

export function startOrderWorkers(deps: SubgraphDeps, services: OrderServices): Worker[] {
  const relay = startOutboxRelay({ orm: deps.orm, redis: deps.redis, logger: deps.logger, replayWindowMs: deps.config.OUTBOX_REPLAY_WINDOW_SECONDS * 1000 });
  services.outbox.attach(relay);
  return [
    relay,
    startPeriodic('reservation-sweeper', deps.config.ORDER_SWEEP_INTERVAL_MS, deps.logger, () => services.sweeper.sweep()),
    startPeriodic('daily-order-job', DAILY_CHECK_MS, deps.logger, () => services.dailyJob.runDue()),
  ];
}
