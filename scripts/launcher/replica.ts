/**
 * One replica of one process, run as a child of the launcher: `node <service>/dist/main.js` (the
 * compiled code, as a deployment runs it) or `node -r @swc-node/register <service>/src/main.ts`
 * (the sources, for tests that must not depend on a build). It can be started again (same port,
 * same or changed variables), stopped gracefully, killed, paused and resumed.
 *
 * Invariants
 *   P1 A replica always listens on the same port, across restarts (the balancer's server line and
 *      the test's URL stay valid).
 *   P2 `halt()` is the one stop sequence: SIGCONT (a paused replica must be able to drain), SIGTERM
 *      (graceful: stop accepting, drain, close pools), SIGKILL after the grace period.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { ROOT } from './build';
import { PORT_VARIABLE } from '@flashsale/platform';
import { waitHealthy } from './health';
import type { ProcessName } from './topology';

export type Code = 'dist' | 'source';
/** Where a replica's stdout and stderr go: a log file (appended), the launcher's own, or nowhere. */
export type Output = { logFile: string } | 'inherit' | 'ignore';

export interface ReplicaSpec {
  name: ProcessName;
  /** 1-based; the balancer calls it `<name><index>`. */
  index: number;
  host: string;
  port: number;
  env: NodeJS.ProcessEnv;
  code: Code;
  output: Output;
  /** Node flags before the script (e.g. --cpu-prof); recomputed at each start. */
  nodeFlags?: () => string[];
}

function scriptArgs(name: ProcessName, code: Code): string[] {
  const dir = name === 'gateway' ? 'gateway' : `subgraphs/${name}`;
  return code === 'dist' ? ['--enable-source-maps', `${dir}/dist/main.js`] : ['-r', '@swc-node/register', `${dir}/src/main.ts`];
}

export class Replica {
  private child?: ChildProcess;
  private extraEnv: Record<string, string> = {};
  /** Called when the replica exits without having been asked to (a crash, or a kill from outside). */
  onUnexpectedExit?: (replica: Replica, code: number | null, signal: NodeJS.Signals | null) => void;
  private expectingExit = false;

  constructor(readonly spec: ReplicaSpec) {}

  get name(): ProcessName {
    return this.spec.name;
  }
  get port(): number {
    return this.spec.port;
  }
  get pid(): number | undefined {
    return this.child?.pid;
  }
  get running(): boolean {
    return Boolean(this.child && this.child.exitCode === null && this.child.signalCode === null);
  }
  get url(): string {
    return `http://${connectHost(this.spec.host)}:${this.spec.port}/graphql`;
  }
  get logFile(): string | undefined {
    return typeof this.spec.output === 'object' ? this.spec.output.logFile : undefined;
  }

  /** Starts (again), with `env` merged into the variables of earlier starts; resolves when healthy, with the ms it took. */
  async start(env: Record<string, string> = {}, timeoutMs = 90_000): Promise<number> {
    if (this.running) throw new Error(`${this.label} is already running`);
    this.extraEnv = { ...this.extraEnv, ...env };
    const output = this.spec.output;
    const child = spawn(process.execPath, [...(this.spec.nodeFlags?.() ?? []), ...scriptArgs(this.name, this.spec.code)], {
      cwd: ROOT,
      env: { ...this.spec.env, ...this.extraEnv, [PORT_VARIABLE[this.name]]: String(this.spec.port) },
      stdio: typeof output === 'object' ? ['ignore', 'pipe', 'pipe'] : output,
    });
    if (typeof output === 'object') {
      const out = createWriteStream(output.logFile, { flags: 'a' });
      child.stdout!.pipe(out);
      child.stderr!.pipe(out);
    }
    this.child = child;
    this.expectingExit = false;
    child.once('exit', (code, signal) => {
      if (!this.expectingExit && this.child === child) this.onUnexpectedExit?.(this, code, signal);
    });
    return waitHealthy(this.label, `http://${connectHost(this.spec.host)}:${this.spec.port}/health`, { exited: () => child.exitCode, timeoutMs, logHint: this.logFile });
  }

  get label(): string {
    return `${this.name}#${this.spec.index}`;
  }

  /** Sends a signal and waits for the exit (SIGKILL: no shutdown hook runs, in-flight work is cut). */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.expectingExit = true;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }

  pause(): void {
    if (this.running) this.child!.kill('SIGSTOP');
  }

  resume(): void {
    if (this.running) this.child!.kill('SIGCONT');
  }

  /** P2: the graceful stop, forced after `graceMs`. */
  async halt(graceMs: number): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.expectingExit = true;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(force);
  }
}

/** The address to connect to for a bind address (0.0.0.0 binds everywhere, connect locally). */
export const connectHost = (host: string): string => (host === '0.0.0.0' ? '127.0.0.1' : host);
