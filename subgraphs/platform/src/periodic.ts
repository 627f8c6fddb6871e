import type { Logger } from './logger';
import type { Worker } from './events';

/**
 * A background worker that runs `round` now and then every `intervalMs` after the previous round
 * ends; a failed round is logged and retried at the next tick. `kick()` runs a round at once, or,
 * when one is running, once more right after it (so work signalled mid-round is never left for a
 * whole interval). `stopped()` lets a long round end early on shutdown.
 */
export function startPeriodic(name: string, intervalMs: number, logger: Logger, round: (stopped: () => boolean) => Promise<unknown>): Worker {
  let stopped = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const isStopped = () => stopped;
  const loop = async () => {
    try {
      do {
        again = false;
        await round(isStopped);
      } while (again && !stopped);
    } catch (err) {
      logger.warn({ err, worker: name }, 'background round failed; will retry');
    }
    running = undefined;
    if (!stopped) timer = setTimeout(() => (running = loop()), intervalMs);
  };
  running = loop();
  return {
    kick() {
      if (stopped) return;
      if (running) {
        again = true;
        return;
      }
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
