/**
 * The load balancer of a replicated topology: Debian's HAProxy (/usr/sbin/haproxy, or HAPROXY_BIN)
 * run in the foreground as a child of the launcher, its configuration rendered from the committed
 * template deploy/haproxy/haproxy.cfg.template.
 *
 * Invariants
 *   B1 One frontend per process on the process's public port; the replicas are its backend's
 *      servers, each checked with GET /health (a replica that fails twice leaves the pool).
 *   B2 `start()` resolves once every frontend accepts connections; `waitServing(name)` once GET
 *      /health through a frontend answers 200 (a replica behind it is up), so the launcher never
 *      sends the first request of a process into an empty pool.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT } from './build';
import { waitHealthy } from './health';
import { listening } from './ports';
import { connectHost } from './replica';

export const HAPROXY_TEMPLATE = resolve(ROOT, 'deploy/haproxy/haproxy.cfg.template');

export interface BalancedService {
  name: string;
  bindHost: string;
  bindPort: number;
  replicas: Array<{ host: string; port: number }>;
}

/** Renders the template for these services (B1). */
export function renderHaproxyConfig(services: BalancedService[], pidFile: string): string {
  const template = readFileSync(HAPROXY_TEMPLATE, 'utf8');
  const block = /#>> per process\n([\s\S]*?)#<< per process\n/.exec(template);
  if (!block) throw new Error(`${HAPROXY_TEMPLATE} has no "#>> per process" block`);
  const blocks = services.map((s) =>
    block[1]
      .replaceAll('${SERVICE}', s.name)
      .replaceAll('${BIND}', `${s.bindHost}:${s.bindPort}`)
      .replace('${SERVERS}', s.replicas.map((r, i) => `    server ${s.name}${i + 1} ${r.host}:${r.port}`).join('\n')),
  );
  return template.replace(block[0], blocks.join('\n')).replaceAll('${PIDFILE}', pidFile);
}

export function haproxyBinary(): string {
  const bin = process.env.HAPROXY_BIN ?? '/usr/sbin/haproxy';
  if (!existsSync(bin)) throw new Error(`HAProxy not found at ${bin} (apt-get install haproxy, or set HAPROXY_BIN)`);
  return bin;
}

export class Balancer {
  private child?: ChildProcess;
  readonly configFile: string;
  readonly logFile: string;

  constructor(
    private readonly services: BalancedService[],
    dir: string,
  ) {
    this.configFile = join(dir, 'haproxy.cfg');
    this.logFile = join(dir, 'haproxy.log');
    writeFileSync(this.configFile, renderHaproxyConfig(services, join(dir, 'haproxy.pid')));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(timeoutMs = 30_000): Promise<void> {
    const bin = haproxyBinary();
    const check = spawnSync(bin, ['-c', '-q', '-f', this.configFile], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`HAProxy rejected ${this.configFile}: ${check.stderr || check.stdout}`);
    const log = openSync(this.logFile, 'a');
    this.child = spawn(bin, ['-db', '-f', this.configFile], { stdio: ['ignore', log, log] });
    closeSync(log);
    const child = this.child;
    for (const s of this.services) {
      const until = Date.now() + timeoutMs;
      while (!(await listening(s.bindPort, connectHost(s.bindHost)))) {
        if (child.exitCode !== null) throw new Error(`HAProxy exited with code ${child.exitCode}; see ${this.logFile}`);
        if (Date.now() > until) throw new Error(`HAProxy did not listen on ${s.bindPort}; see ${this.logFile}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** Waits until GET /health through `name`'s frontend answers 200 (B2). */
  async waitServing(name: string, timeoutMs = 30_000): Promise<void> {
    const s = this.services.find((x) => x.name === name);
    if (!s) throw new Error(`the balancer has no frontend for ${name}`);
    const child = this.child;
    await waitHealthy(`${name} through the balancer`, `http://${connectHost(s.bindHost)}:${s.bindPort}/health`, { exited: () => child?.exitCode, timeoutMs, logHint: this.logFile });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}
