/**
 * Protocol mistakes are the client's, not the server's: a document with several operations and no
 * `operationName`, an `operationName` the document does not define, a document with no operation
 * at all, or a `subscription` (nothing here serves subscriptions). Apollo Server would run such a
 * request on: the gateway's executor then throws (a masked 500 INTERNAL_SERVER_ERROR and an
 * error-level log with a stack trace), and a subgraph answers a subscription 200 with the same
 * masked error. This plugin answers each one 400 BAD_REQUEST with a clear message, before any
 * query planning, rate limiting or resolver runs, and logs nothing (the request log at debug still
 * notes the code). Used by the gateway and by every subgraph.
 */
import { GraphQLError, Kind } from 'graphql';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

function badRequest(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
}

export function protocolErrorsPlugin<C extends BaseContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request }) {
          if (!operation) {
            const names = document.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION ? [d.name?.value ?? null] : []));
            if (request.operationName) {
              throw badRequest(`Unknown operation named "${request.operationName}"; the document defines ${names.filter(Boolean).map((n) => `"${n}"`).join(', ') || 'no named operation'}.`);
            }
            if (names.length > 1) throw badRequest('Must provide operationName when the document contains several operations.');
            throw badRequest('The document contains no operation.');
          }
          if (operation.operation === 'subscription') {
            throw badRequest('Subscriptions are not supported; send a query or a mutation.');
          }
        },
      };
    },
  };
}
