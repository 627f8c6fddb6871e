/**
 * One process of the stack, the gateway or the order subgraph, started as a child process from the
 * TypeScript sources by the launcher next to a stack running in this process (so it can be
 * SIGKILLed like a crashed replica), and signed calls straight to a subgraph such as that child.
 * The order-kill scenario and the termination fault test use it.
 */
import type { Identity } from '@flashsale/platform';
import type { Stack } from '../../test/support/stack';
import { signedHeaders } from '../../test/support/signed';
import { launch } from '../../scripts/launcher';

export interface ChildService {
  url: string;
  port: number;
  /** SIGKILL: no shutdown hook runs. */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same variables. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs the gateway or a subgraph as its own process from the TypeScript sources (the launcher's
 * `code: 'source'`), with the stack's variables plus `env`, on a free port, and waits until /health
 * answers. The in-process stack's other services are reached at their URLs in `stack.env`.
 */
export async function childService(stack: Stack, name: 'gateway' | 'order', env: NodeJS.ProcessEnv = {}): Promise<ChildService> {
  const portVar = name === 'gateway' ? 'GATEWAY_PORT' : 'ORDER_PORT';
  const launched = await launch({ env: { ...process.env, ...stack.env, LOG_LEVEL: 'silent', ...env, [portVar]: '0' }, only: [name], code: 'source', healthTimeoutMs: 45_000 });
  const replica = launched.replica(name);
  return {
    url: replica.url,
    port: replica.port,
    kill: () => replica.kill('SIGKILL'),
    restart: async () => void (await replica.start({}, 45_000)),
    stop: () => replica.kill('SIGTERM'),
  };
}

export async function callSubgraph<T>(url: string, identitySecret: string, identity: Identity, query: string, variables: Record<string, unknown>): Promise<{ data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> }> {
  const body = JSON.stringify({ query, variables });
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...signedHeaders(identitySecret, identity, url, body) }, body });
  return (await res.json()) as { data?: T };
}
