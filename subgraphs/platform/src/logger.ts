import pino, { Logger } from 'pino';
import { Config } from './config';
import { activeTraceId } from './telemetry/tracing';

export type { Logger };

/**
 * Structured JSON logs; one base logger per process, a child per request carrying its id. With
 * tracing on, every line written inside a span carries its `traceId` (telemetry/tracing.ts).
 */
export function createLogger(config: Pick<Config, 'LOG_LEVEL' | 'NODE_ENV'>, service: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.LOG_LEVEL,
    base: { service },
    redact: { paths: ['password', '*.password', 'refreshToken', '*.refreshToken', 'authorization', '*.authorization'], remove: true },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => {
      const traceId = activeTraceId();
      return traceId ? { traceId } : {};
    },
  };
  // stdout unless told otherwise (tests read the lines back).
  return destination ? pino(options, destination) : pino(options);
}
