/**
 * The load balancer of a replicated topology: Debian's HAProxy (/usr/sbin/haproxy, or HAPROXY_BIN)
 * run in the foreground as a child of the launcher, its configuration rendered from the committed
 * template deploy/haproxy/haproxy.cfg.template.
 *
 * Invariants
 *   B1 One frontend per process on the process's public port; the replicas are its backend's
 *      servers, each checked with GET /health/ready (a replica that fails twice leaves the pool).
 *   B2 `start()` resolves once every frontend accepts connections; `waitUp(processes)` once
 *      HAProxy's own health checks count every replica of those processes UP, so a launch never
 *      hands out a balancer that still sends everything to part of the replicas.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import { ROOT } from './build';
import { listening } from './ports';
import { connectHost } from './replica';

export const HAPROXY_TEMPLATE = resolve(ROOT, 'deploy/haproxy/haproxy.cfg.template');
/** The answers HAProxy gives itself (typed SERVICE_UNAVAILABLE), referenced by the template. */
export const HAPROXY_ERRORS = resolve(ROOT, 'deploy/haproxy/errors');

export interface BalancedService {
  name: string;
  bindHost: string;
  bindPort: number;
  replicas: Array<{ host: string; port: number }>;
}

/** Renders the template for these services (B1). */
export function renderHaproxyConfig(services: BalancedService[], dir: string): string {
  const template = readFileSync(HAPROXY_TEMPLATE, 'utf8');
  const block = /#>> per process\n([\s\S]*?)#<< per process\n/.exec(template);
  if (!block) throw new Error(`${HAPROXY_TEMPLATE} has no "#>> per process" block`);
  const blocks = services.map((s) =>
    block[1]
      .replaceAll('${SERVICE}', s.name)
      .replaceAll('${BIND}', `${s.bindHost}:${s.bindPort}`)
      .replace('${SERVERS}', s.replicas.map((r, i) => `    server ${s.name}${i + 1} ${r.host}:${r.port}`).join('\n')),
  );
  return template.replace(block[0], blocks.join('\n')).replaceAll('${PIDFILE}', join(dir, 'haproxy.pid')).replaceAll('${STATS_SOCKET}', join(dir, 'haproxy.sock')).replaceAll('${ERRORS_DIR}', HAPROXY_ERRORS);
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
  readonly statsSocket: string;

  constructor(
    private readonly services: BalancedService[],
    dir: string,
  ) {
    this.configFile = join(dir, 'haproxy.cfg');
    this.logFile = join(dir, 'haproxy.log');
    this.statsSocket = join(dir, 'haproxy.sock');
    writeFileSync(this.configFile, renderHaproxyConfig(services, dir));
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

  /** Waits until HAProxy counts every replica of these processes UP (B2), within `timeoutMs`. */
  async waitUp(processes: string[], timeoutMs = 30_000): Promise<void> {
    const servers = this.services.filter((s) => processes.includes(s.name)).flatMap((s) => s.replicas.map((_, i) => `${s.name}${i + 1}`));
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (this.child?.exitCode !== null) throw new Error(`HAProxy exited with code ${this.child?.exitCode}; see ${this.logFile}`);
      const stats = await this.replicaStats().catch(() => ({}) as Record<string, { up: boolean }>);
      const down = servers.filter((s) => !stats[s]?.up);
      if (!down.length) return;
      if (Date.now() > until) throw new Error(`HAProxy does not count ${down.join(', ')} up within ${timeoutMs / 1000}s; see ${this.logFile}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * Per replica (`<process><n>`, as in the configuration): whether HAProxy counts it UP, how
   * many HTTP requests it has sent it, and how many times it has marked it DOWN (`show stat` on
   * the stats socket).
   */
  async replicaStats(): Promise<Record<string, { up: boolean; requests: number; downs: number }>> {
    const csv = await new Promise<string>((done, fail) => {
      let out = '';
      const socket = createConnection(this.statsSocket, () => socket.end('show stat\n'));
      socket.on('data', (chunk) => (out += chunk.toString()));
      socket.once('end', () => done(out));
      socket.once('error', fail);
    });
    const [header, ...lines] = csv.trim().split('\n');
    const columns = header.replace(/^# /, '').split(',');
    const at = (name: string) => columns.indexOf(name);
    const stats: Record<string, { up: boolean; requests: number; downs: number }> = {};
    for (const line of lines) {
      const cells = line.split(',');
      const server = cells[at('svname')];
      if (server === 'FRONTEND' || server === 'BACKEND') continue;
      stats[server] = { up: cells[at('status')].startsWith('UP'), requests: Number(cells[at('req_tot')] || cells[at('stot')] || 0), downs: Number(cells[at('chkdown')] || 0) };
    }
    return stats;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}
