/**
 * Fault-test fixtures: the audit's sources on an in-process stack, a subgraph or gateway started as
 * a child process from the TypeScript sources (so it can be SIGKILLed like a crashed replica), and
 * signed calls straight to a subgraph.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Identity, REQUEST_ID_HEADER, signIdentityHeaders } from '@flashsale/platform';
import type { Stack } from '../support/stack';
import type { AuditSources } from '../../chaos/lib/audit';
import { freePort } from '../../chaos/lib/servers';

const ROOT = resolve(__dirname, '../..');

export function auditSources(stack: Stack): AuditSources {
  return {
    orders: (q, p) => stack.order.deps.orm.em.getConnection().execute(q, p ?? []),
    products: (q, p) => stack.product.deps.orm.em.getConnection().execute(q, p ?? []),
    redis: stack.order.deps.redis,
  };
}

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
 * Runs the gateway or a subgraph as its own process (`node -r @swc-node/register <src>/main.ts`)
 * with the stack's variables plus `env`, on a free port, and waits until /health answers.
 */
export async function childService(stack: Stack, name: 'gateway' | 'order', env: NodeJS.ProcessEnv = {}): Promise<ChildService> {
  const port = await freePort();
  const portVar = name === 'gateway' ? 'GATEWAY_PORT' : 'ORDER_PORT';
  const script = name === 'gateway' ? 'gateway/src/main.ts' : 'subgraphs/order/src/main.ts';
  const fullEnv = { ...process.env, ...stack.env, LOG_LEVEL: 'silent', ...env, [portVar]: String(port) };
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(process.execPath, ['-r', '@swc-node/register', script], { cwd: ROOT, env: fullEnv, stdio: 'ignore' });
    const until = Date.now() + 45_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} while starting`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) })).ok) return;
      } catch {
        /* not yet */
      }
      if (Date.now() > until) throw new Error(`${name} did not become healthy`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const signal = async (sig: NodeJS.Signals) => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(sig);
    await exited;
  };
  await start();
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    port,
    kill: () => signal('SIGKILL'),
    restart: start,
    stop: () => signal('SIGTERM'),
  };
}

/** POSTs an operation straight to a subgraph with gateway-signed identity headers. */
export async function callSubgraph<T>(url: string, identitySecret: string, identity: Identity, query: string, variables: Record<string, unknown>): Promise<{ data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> }> {
  const requestId = randomUUID();
  const body = JSON.stringify({ query, variables });
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [REQUEST_ID_HEADER]: requestId, ...signIdentityHeaders(identitySecret, identity, requestId, { method: 'POST', path: new URL(url).pathname, body }) },
    body,
  });
  return (await res.json()) as { data?: T };
}
