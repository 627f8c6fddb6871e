import type { ApolloServerPlugin, BaseContext as ApolloContext } from '@apollo/server';
import type { Logger } from './logger';

/**
 * One structured line per GraphQL request (debug level, so a flash sale's hot path does not pay
 * for logging by default) with the request id, operation, duration and error codes.
 */
export function requestLogPlugin<C extends ApolloContext & { requestId?: string }>(logger: Logger): ApolloServerPlugin<C> {
  return {
    async requestDidStart({ contextValue }) {
      if (!logger.isLevelEnabled('debug')) return;
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operationName, errors }) {
          logger.debug(
            {
              requestId: contextValue.requestId,
              operationName,
              durationMs: Number(process.hrtime.bigint() - started) / 1e6,
              errors: errors?.map((e) => e.extensions?.code ?? 'ERROR'),
            },
            'graphql request',
          );
        },
      };
    },
  };
}
