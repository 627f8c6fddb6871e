import type { Logger } from './logger';
import type { Worker } from './events';

export interface PeriodicOptions {
  /**
   * A kick waits this long before its round starts (kicks meanwhile join it), and the extra round
   * a kick during a round asks for starts this long after that round ends. 0 (the default): at
   * once. Under a stream of kicks, rounds then run at most every `kickDelayMs`, each doing the
   * work of every kick since the last one.
   */
  kickDelayMs?: number;
}

/**
 * A background worker that runs `round` now and then every `intervalMs` after the previous round
 * ends; a failed round is logged and retried at the next tick. `kick()` runs a round at once (or
 * after `kickDelayMs`), or, when one is running, once more right after it (so work signalled
 * mid-round is never left for a whole interval). `stopped()` lets a long round end early on
 * shutdown.
 */
export function startPeriodic(
  name: string,
  intervalMs: number,
  logger: Logger,
  round: (stopped: () => boolean) => Promise<unknown>,
  opts: PeriodicOptions = {},
): Worker {
  const kickDelayMs = opts.kickDelayMs ?? 0;
  let stopped = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let kickTimer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let wakeEarly: (() => void) | undefined;
  const isStopped = () => stopped;
  const loop = async () => {
    try {
      do {
        if (again && kickDelayMs > 0) await new Promise<void>((r) => ((wakeEarly = r), setTimeout(r, kickDelayMs)));
        wakeEarly = undefined;
        if (stopped) break;
        again = false;
        await round(isStopped);
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
      if (kickDelayMs <= 0) return start();
      kickTimer ??= setTimeout(() => {
        kickTimer = undefined;
        if (!running && !stopped) start();
      }, kickDelayMs);
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
