/** Process entry helpers: friendly start-up failures and graceful shutdown on SIGTERM / SIGINT. */
import type Redis from 'ioredis';
import { Config, ConfigError } from './config';
import type { Logger } from './logger';

export class DependencyError extends Error {}

const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

export function mysqlUnreachable(config: Config, err: unknown): DependencyError {
  const reason = (err as { code?: string; message?: string })?.code ?? (err as Error)?.message;
  return new DependencyError(
    `Cannot reach MySQL at ${redact(config.MYSQL_URL)} (${reason}).\n` +
      `Start MariaDB/MySQL (on Debian: start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd, ` +
      `or with Docker: docker compose up -d mysql) or point MYSQL_URL at a running server.`,
  );
}

export function redisUnreachable(config: Config, err: unknown): DependencyError {
  const reason = (err as { code?: string; message?: string })?.code ?? (err as Error)?.message;
  return new DependencyError(
    `Cannot reach Redis at ${redact(config.REDIS_URL)} (${reason}).\n` +
      `Start Redis (redis-server --daemonize yes, or with Docker: docker compose up -d redis) or point REDIS_URL at a running server.`,
  );
}

/**
 * Waits for Redis to answer PING, or fails with a message naming the URL. A refused or unresolvable
 * address fails at once. A ping cut by the client's command timeout (REDIS_COMMAND_TIMEOUT_MS, a
 * bound meant for buyers' requests, and as low as 500 ms) is sent again until `timeoutMs` has
 * passed: at start-up the connection may still be opening, or this process's event loop may be busy
 * loading the rest of the service, and neither means Redis is down.
 */
export async function pingRedis(config: Config, redis: Redis, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const overall = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error('no answer within ' + timeoutMs + 'ms')), timeoutMs);
  });
  try {
    for (;;) {
      try {
        await Promise.race([redis.ping(), overall]);
        return;
      } catch (err) {
        if (!isCommandTimeout(err) || Date.now() >= deadline) throw err;
      }
    }
  } catch (err) {
    throw redisUnreachable(config, err);
  } finally {
    clearTimeout(timer);
  }
}

const isCommandTimeout = (err: unknown) => (err as Error)?.message === 'Command timed out';

/** Runs a process's start function; exits with a clear message on bad config or missing servers. */
export async function runMain(
  logger: Logger,
  start: () => Promise<{ close(): Promise<void> }>,
  graceMs: number,
): Promise<void> {
  let running: { close(): Promise<void> };
  try {
    running = await start();
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DependencyError) {
      process.stderr.write(`${err.message}\n`);
    } else {
      logger.fatal({ err }, 'start-up failed');
    }
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('graceful shutdown took too long; exiting');
      process.exit(1);
    }, graceMs);
    force.unref();
    running.close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
