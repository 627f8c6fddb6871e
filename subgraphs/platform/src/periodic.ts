import type { Logger } from './logger';
import type { Worker } from './worker';
import { metricsOf } from './telemetry/metrics';

export interface PeriodicOptions {
  /**
   * The least time from the end of a round to the start of a kicked one (0, the default: none).
   * A kick long after the last round runs at once; kicks arriving faster share rounds, which then
   * run at most every `kickGapMs` (plus their own duration), each doing the work of every kick
   * since the previous one. So a lone kick waits for nothing and a stream of kicks waits at most
   * `kickGapMs`.
   */
  kickGapMs?: number;
}

/**
 * A background worker that runs `round` now and then every `intervalMs` after the previous round
 * ends; a failed round is logged and retried at the next tick. `kick()` runs a round at once (no
 * sooner than `kickGapMs` after the previous one), or, when one is running, once more right after
 * it (so work signalled mid-round is never left for a whole interval). `stopped()` lets a long
 * round end early on shutdown.
 */
export function startPeriodic(
  name: string,
  intervalMs: number,
  logger: Logger,
  round: (stopped: () => boolean) => Promise<unknown>,
  opts: PeriodicOptions = {},
): Worker {
  const kickGapMs = opts.kickGapMs ?? 0;
  const runs = metricsOf(logger).periodicRuns;
  let stopped = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let kickTimer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let wakeEarly: (() => void) | undefined;
  let lastEnd = 0;
  const isStopped = () => stopped;
  const loop = async () => {
    try {
      do {
        if (again && kickGapMs > 0) await new Promise<void>((r) => ((wakeEarly = r), setTimeout(r, kickGapMs)));
        wakeEarly = undefined;
        if (stopped) break;
        again = false;
        try {
          await round(isStopped);
          runs.inc({ worker: name, result: 'ok' });
        } catch (err) {
          runs.inc({ worker: name, result: 'failed' });
          throw err;
        } finally {
          lastEnd = Date.now();
        }
      } while (again && !stopped);
    } catch (err) {
      logger.warn({ err, worker: name }, 'background round failed; will retry');
    }
    running = undefined;
    if (!stopped) timer = setTimeout(start, intervalMs);
  };
  const start = () => {
    clearTimeout(timer);
    clearTimeout(kickTimer);
    kickTimer = undefined;
    running = loop();
  };
  running = loop();
  return {
    kick() {
      if (stopped) return;
      if (running) {
        again = true;
        return;
      }
      const wait = lastEnd + kickGapMs - Date.now();
      if (wait <= 0) return start();
      kickTimer ??= setTimeout(() => {
        kickTimer = undefined;
        if (!running && !stopped) start();
      }, wait);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(kickTimer);
      wakeEarly?.();
      await running;
    },
  };
}
