/**
 * Per-user and per-client-address rate limits on chosen root fields (placeOrder, logIn, …),
 * counted in Redis so every gateway replica shares them. Checked after the operation is resolved
 * and before any subgraph is called; over the limit answers RATE_LIMITED (HTTP 429) with
 * `retryAfter` seconds and a Retry-After header. Every rule that applies to an operation is counted
 * in one Redis round trip (one Lua script over all their keys). If Redis cannot answer, the
 * request is let through (the subgraphs that need Redis will answer SERVICE_UNAVAILABLE
 * themselves) rather than blocking all traffic.
 *
 * Each rule is a fixed window of `seconds` per key (`rl:<field>:<by>:<user id | address>`): the
 * first hit starts the window, and the key expires with it. Root fields are counted wherever they
 * sit in the operation's root selection set, inline fragments and fragment spreads included, once
 * per response key (two aliases of placeOrder count two), and not when @skip/@include leave them
 * out for the request's variables (see `rootFields`).
 */
import type Redis from 'ioredis';
import { GraphQLError, OperationDefinitionNode, Kind, SelectionSetNode, FragmentDefinitionNode, DocumentNode, DirectiveNode } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Config, Logger } from '@flashsale/platform';
import { isCluster, metricsOf } from '@flashsale/platform';
import type { GatewayContext } from './context';

type Rule = Config['RATE_LIMITS'][number];

/**
 * KEYS: one counter per rule; ARGV: for each key its points, its window (ms) and its increment.
 * Adds every increment, starts a window where none runs, and answers, for the first counter that
 * went over its points, its index (1-based) and the ms left in its window; 0 when none did.
 */
const CONSUME_LUA = `
local over, wait = 0, 0
for i = 1, #KEYS do
  local points, window, inc = tonumber(ARGV[3*i-2]), tonumber(ARGV[3*i-1]), tonumber(ARGV[3*i])
  local n = redis.call('INCRBY', KEYS[i], inc)
  local ttl = redis.call('PTTL', KEYS[i])
  if ttl < 0 then
    redis.call('PEXPIRE', KEYS[i], window)
    ttl = window
  end
  if n > points and over == 0 then
    over, wait = i, ttl
  end
end
return {over, wait}
`;

type Consumer = Redis & { rateLimitConsume(numKeys: number, ...args: (string | number)[]): Promise<[number, number]> };

/** Whether @skip/@include on a node let it run, given the request's variables (defaults applied). */
function included(node: { directives?: readonly DirectiveNode[] }, variables: Record<string, unknown>): boolean {
  for (const d of node.directives ?? []) {
    if (d.name.value !== 'skip' && d.name.value !== 'include') continue;
    const arg = d.arguments?.find((a) => a.name.value === 'if')?.value;
    // Validation has already refused a missing or non-Boolean `if`; a variable that was not sent
    // (and has no default) is null, which GraphQL refuses at execution: count the field then.
    const value = arg?.kind === Kind.BOOLEAN ? arg.value : arg?.kind === Kind.VARIABLE ? variables[arg.name.value] : undefined;
    if (typeof value !== 'boolean') continue;
    if (d.name.value === 'skip' ? value : !value) return false;
  }
  return true;
}

/**
 * The root fields an operation runs, looking through inline fragments and fragment spreads (nested
 * too), once per response key: two aliases of placeOrder count two, while the same field selected
 * twice under one response key (a fragment spread twice, say) is merged by GraphQL and runs once.
 * A field, fragment or spread that @skip/@include leave out for these variables is not counted.
 */
export function rootFields(op: OperationDefinitionNode, document?: DocumentNode, variables: Record<string, unknown> = {}): string[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document?.definitions ?? []) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const values: Record<string, unknown> = {};
  for (const v of op.variableDefinitions ?? []) {
    const name = v.variable.name.value;
    const sent = variables[name];
    if (sent !== undefined) values[name] = sent;
    else if (v.defaultValue?.kind === Kind.BOOLEAN) values[name] = v.defaultValue.value;
  }
  const byKey = new Map<string, string>();
  const entered = new Set<string>();
  const walk = (set: SelectionSetNode) => {
    for (const s of set.selections) {
      if (!included(s, values)) continue;
      if (s.kind === Kind.FIELD) byKey.set(s.alias?.value ?? s.name.value, s.name.value);
      else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet);
      else {
        const f = fragments.get(s.name.value);
        // Validation refuses fragment cycles; this only guards the walk itself.
        if (f && !entered.has(f.name.value)) {
          entered.add(f.name.value);
          walk(f.selectionSet);
          entered.delete(f.name.value);
        }
      }
    }
  };
  walk(op.selectionSet);
  return [...byKey.values()];
}

export interface RateLimitCheck {
  /** The rules crossed first, with the seconds until its window ends; null when allowed. */
  (counts: Map<string, number>, ids: { userId?: string; clientIp?: string }): Promise<{ field: string; retryAfter: number } | null>;
}

/** Counts the given root-field occurrences against every rule that applies, in one round trip. */
export function rateLimiter(rules: Rule[], redis: Redis): RateLimitCheck {
  const byField = new Map<string, Rule[]>();
  for (const rule of rules) byField.set(rule.field, [...(byField.get(rule.field) ?? []), rule]);
  if (!(redis as unknown as Partial<Consumer>).rateLimitConsume) redis.defineCommand('rateLimitConsume', { lua: CONSUME_LUA });
  const consume = (redis as unknown as Consumer).rateLimitConsume.bind(redis);
  const cluster = isCluster(redis);

  return async (counts, ids) => {
    const keys: string[] = [];
    const args: number[] = [];
    const fields: string[] = [];
    for (const [field, occurrences] of counts) {
      for (const rule of byField.get(field) ?? []) {
        const id = rule.by === 'user' ? ids.userId : ids.clientIp;
        if (!id) continue;
        keys.push(`rl:${rule.field}:${rule.by}:${id}`);
        args.push(rule.points, rule.seconds * 1000, occurrences);
        fields.push(field);
      }
    }
    if (keys.length === 0) return null;
    const [over, waitMs] = cluster ? await consumeEach(consume, keys, args) : await consume(keys.length, ...keys, ...args);
    if (over === 0) return null;
    return { field: fields[over - 1], retryAfter: Math.max(1, Math.ceil(waitMs / 1000)) };
  };
}

/**
 * Redis Cluster: one call per counter (a user's and an IP's counters sit in different slots, and
 * a script's keys must share one), sent at once; answers as the one script would.
 */
async function consumeEach(consume: Consumer['rateLimitConsume'], keys: string[], args: number[]): Promise<[number, number]> {
  const replies = await Promise.all(keys.map((key, i) => consume(1, key, ...args.slice(3 * i, 3 * i + 3))));
  const first = replies.findIndex(([over]) => over !== 0);
  return first < 0 ? [0, 0] : [first + 1, replies[first][1]];
}

export function rateLimitPlugin(rules: Rule[], redis: Redis, logger: Logger): ApolloServerPlugin<GatewayContext> {
  const refusals = metricsOf(logger).rateLimitRefusals;
  const limited = new Set(rules.map((r) => r.field));
  const check = rateLimiter(rules, redis);
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, contextValue }) {
          if (!operation) return;
          let counts: Map<string, number> | undefined;
          for (const field of rootFields(operation, document, request.variables ?? {})) {
            if (!limited.has(field)) continue;
            counts ??= new Map();
            counts.set(field, (counts.get(field) ?? 0) + 1);
          }
          if (!counts) return;
          let over;
          try {
            over = await check(counts, { userId: contextValue.identity?.userId, clientIp: contextValue.clientIp });
          } catch (err) {
            logger.warn({ err }, 'rate limiter unavailable; request allowed');
            return;
          }
          if (!over) return;
          const { field, retryAfter } = over;
          refusals.inc({ field }); // a field named in the configured rules: bounded
          throw new GraphQLError(`Too many ${field} requests; retry in ${retryAfter}s`, {
            extensions: { code: 'RATE_LIMITED', retryAfter, http: { status: 429, headers: new Map([['retry-after', String(retryAfter)]]) } },
          });
        },
      };
    },
  };
}
