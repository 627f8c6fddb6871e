/**
 * Per-user and per-client-address rate limits on chosen root fields (placeOrder, logIn, …),
 * counted in Redis so every gateway replica shares them. Checked after the operation is resolved
 * and before any subgraph is called; over the limit answers RATE_LIMITED (HTTP 429) with
 * `retryAfter` seconds. If Redis cannot answer, the request is let through (the subgraphs that
 * need Redis will answer SERVICE_UNAVAILABLE themselves) rather than blocking all traffic.
 */
import type Redis from 'ioredis';
import { GraphQLError, OperationDefinitionNode, Kind } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config, Logger } from '@flashsale/platform';
import type { GatewayContext } from './gateway';

type Rule = Config['RATE_LIMITS'][number];

function rootFields(op: OperationDefinitionNode): string[] {
  return op.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
}

export function rateLimitPlugin(rules: Rule[], redis: Redis, logger: Logger): ApolloServerPlugin<GatewayContext> {
  const limiters = rules.map((rule) => ({
    rule,
    limiter: new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `rl:${rule.field}:${rule.by}`,
      points: rule.points,
      duration: rule.seconds,
    }),
  }));
  const byField = new Map<string, typeof limiters>();
  for (const l of limiters) byField.set(l.rule.field, [...(byField.get(l.rule.field) ?? []), l]);

  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (!operation) return;
          for (const field of rootFields(operation)) {
            for (const { rule, limiter } of byField.get(field) ?? []) {
              const key = rule.by === 'user' ? contextValue.identity?.userId : contextValue.clientIp;
              if (!key) continue;
              try {
                await limiter.consume(key);
              } catch (err) {
                if (err instanceof RateLimiterRes) {
                  const retryAfter = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
                  throw new GraphQLError(`Too many ${field} requests; retry in ${retryAfter}s`, {
                    extensions: { code: 'RATE_LIMITED', retryAfter, http: { status: 429, headers: new Map([['retry-after', String(retryAfter)]]) } },
                  });
                }
                logger.warn({ err }, 'rate limiter unavailable; request allowed');
              }
            }
          }
        },
      };
    },
  };
}
