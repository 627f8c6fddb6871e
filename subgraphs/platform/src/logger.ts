import pino, { Logger } from 'pino';
import { Config } from './config';

export type { Logger };

/** Structured JSON logs; one base logger per process, a child per request carrying its id. */
export function createLogger(config: Pick<Config, 'LOG_LEVEL' | 'NODE_ENV'>, service: string): Logger {
  return pino({
    level: config.LOG_LEVEL,
    base: { service },
    redact: { paths: ['password', '*.password', 'refreshToken', '*.refreshToken', 'authorization', '*.authorization'], remove: true },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
