/**
 * The health probes every process serves, none behind admission control (an orchestrator probing
 * a busy process must get an answer):
 * - `GET /health`: every dependency the process reaches (a subgraph: MySQL and Redis; the
 *   gateway: every subgraph). For people and for start-up waits: "is the whole thing up?".
 * - `GET /health/ready`: the process's own dependencies only, what decides whether this replica
 *   should get traffic (HAProxy's check, Kubernetes' readiness). A replica of the gateway stays
 *   ready while a subgraph is down: every gateway replica would fail together, and taking them
 *   all out of the pool turns one subgraph's outage (answered per field with a typed error) into
 *   the whole API's.
 * - `GET /health/live`: no dependency at all, so that an outage of MySQL, Redis or a subgraph
 *   never makes an orchestrator restart every replica at once (Kubernetes' liveness).
 * A draining process closes its listener first, so all three stop answering from then on.
 *
 * The gateway's probes are public and unauthenticated, and its /health costs every subgraph a
 * MySQL and a Redis round trip. So a probe never runs its checks more than once at a time, and a
 * result is reused for `reuseMs` (250 ms by default): however many requests arrive, each route
 * checks its dependencies at most four times a second. Orchestrators probe every few seconds, so
 * they always see a fresh result.
 */
import { RouteHandler, sendJson } from './http';

export type HealthChecks = Record<string, () => Promise<unknown>>;

export interface HealthReport {
  ok: boolean;
  body: { status: 'ok' | 'degraded'; checks: Record<string, string> };
}

/** Runs every check at once, each bounded by `timeoutMs`; a check that throws or times out is "down: <reason>". */
export async function checkHealth(checks: HealthChecks, timeoutMs = 2000): Promise<HealthReport> {
  const results: Record<string, string> = {};
  await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([check(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), timeoutMs)))]);
        results[name] = 'ok';
      } catch (err) {
        results[name] = `down: ${(err as Error).message}`.slice(0, 200);
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const ok = Object.values(results).every((r) => r === 'ok');
  return { ok, body: { status: ok ? 'ok' : 'degraded', checks: results } };
}

export interface HealthRouteOptions {
  /** How long a finished check's result answers later probes (ms; default 250). */
  reuseMs?: number;
  /** The clock (tests move it). */
  now?: () => number;
}

/** One probe's checks, run by one caller at a time and reused for `reuseMs` after they finish. */
function sharedCheck(checks: HealthChecks, reuseMs: number, now: () => number): () => Promise<HealthReport> {
  let last: { report: HealthReport; at: number } | undefined;
  let running: Promise<HealthReport> | undefined;
  return () => {
    if (last && now() - last.at < reuseMs) return Promise.resolve(last.report);
    running ??= checkHealth(checks)
      .then((report) => {
        last = { report, at: now() };
        return report;
      })
      .finally(() => (running = undefined));
    return running;
  };
}

export function healthRoutes(service: string, checks: { all: HealthChecks; ready: HealthChecks }, opts: HealthRouteOptions = {}): Record<string, RouteHandler> {
  const route = (list: HealthChecks): RouteHandler => {
    const check = sharedCheck(list, opts.reuseMs ?? 250, opts.now ?? Date.now);
    return async (_req, res) => {
      const { ok, body } = await check();
      sendJson(res, ok ? 200 : 503, { service, ...body });
    };
  };
  return { '/health': route(checks.all), '/health/ready': route(checks.ready), '/health/live': route({}) };
}
