/**
 * Fault-test fixtures for the tests that run on an in-process stack: the audit's sources, and a
 * subgraph or gateway started as a child process from the TypeScript sources by the launcher (so it
 * can be SIGKILLed like a crashed replica). The paired scenarios' tests run their definitions
 * instead (test/support/scenarios.ts).
 */
import type { Stack } from '../support/stack';
import { inProcessAuditSources } from '../../chaos/lib/audit';
import { launch } from '../../scripts/launcher';

/** The audit's sources on an in-process stack. */
export const auditSources = inProcessAuditSources;

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
