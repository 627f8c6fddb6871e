/**
 * Private Redis and MariaDB servers for fault scenarios: started from the Debian binaries on a free
 * port with their data in a temporary directory, so pausing (SIGSTOP), killing (SIGKILL) and
 * restarting them can never disturb the machine's shared servers or anyone else's work.
 *
 *   Redis keeps nothing on disk (`--save "" --appendonly no`): a restart comes back EMPTY, exactly
 *   the "Redis lost everything" case. MariaDB keeps its datadir across restarts (InnoDB crash
 *   recovery runs on start), exactly the "MySQL died and came back" case.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { listening, reservablePort } from '../../scripts/launcher/ports';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, check: () => Promise<boolean>, child: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} while starting`);
    if (Date.now() > until) throw new Error(`${what} did not start within ${timeoutMs} ms`);
    await sleep(50);
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

/** One server process we own: pause, resume, kill and start again with the same arguments. */
abstract class OwnedServer {
  protected child?: ChildProcess;
  private paused = false;

  constructor(
    readonly name: string,
    readonly port: number,
    /** Where its log (and MariaDB's datadir) lives; deleted by destroy(). */
    readonly dir: string,
  ) {}

  protected abstract command(): { bin: string; args: string[] };
  protected abstract ready(): Promise<boolean>;

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the server (again) and waits until it answers. Returns how long that took (ms). */
  async start(timeoutMs = 30_000): Promise<number> {
    const t0 = Date.now();
    const { bin, args } = this.command();
    const log = openSync(join(this.dir, `${this.name}.log`), 'a');
    this.child = spawn(bin, args, { stdio: ['ignore', log, log] });
    closeSync(log);
    this.paused = false;
    await waitFor(this.name, () => this.ready(), this.child, timeoutMs);
    return Date.now() - t0;
  }

  /** SIGSTOP: the process keeps its sockets open but answers nothing (a hung server). */
  pause(): void {
    this.child?.kill('SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    this.child?.kill('SIGCONT');
    this.paused = false;
  }

  /** SIGKILL: the server dies at once; its clients see their connections reset. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGKILL');
    // A stopped process dies on SIGKILL too; SIGCONT makes sure its exit is reaped promptly.
    if (this.paused) child.kill('SIGCONT');
    await exited(child);
    this.child = undefined;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (this.paused) this.resume();
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited(child);
    clearTimeout(force);
    this.child = undefined;
  }

  /** Stops the server and deletes its directory. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class PrivateRedis extends OwnedServer {
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  protected command() {
    return {
      bin: 'redis-server',
      args: ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', this.dir],
    };
  }

  protected async ready(): Promise<boolean> {
    return new Promise((done) => {
      const socket = connect({ host: '127.0.0.1', port: this.port });
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (d) => (socket.destroy(), done(d.toString().startsWith('+PONG'))));
      socket.once('error', () => done(false));
    });
  }

  static async launch(opts: { port?: number; dir?: string } = {}): Promise<PrivateRedis> {
    const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'chaos-redis-'));
    const redis = new PrivateRedis('redis', opts.port ?? (await reservablePort()), dir);
    await redis.start();
    return redis;
  }
}

export class PrivateMariaDB extends OwnedServer {
  get url(): string {
    return `mysql://root@127.0.0.1:${this.port}`;
  }

  protected command() {
    return {
      bin: 'mariadbd',
      args: [
        '--no-defaults',
        `--datadir=${join(this.dir, 'data')}`,
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        `--socket=${join(this.dir, 'mysqld.sock')}`,
        `--pid-file=${join(this.dir, 'mysqld.pid')}`,
        `--log-error=${join(this.dir, 'mariadbd.err')}`,
        // mariadbd refuses to run as root unless told to; a non-root user needs nothing.
        ...(process.getuid?.() === 0 ? ['--user=root'] : []),
        '--skip-name-resolve',
        '--innodb-buffer-pool-size=64M',
        '--max-connections=500',
      ],
    };
  }

  protected async ready(): Promise<boolean> {
    if (!(await listening(this.port))) return false;
    // Accepting TCP is not enough: the server answers queries only after InnoDB recovery.
    const { createConnection } = await import('mysql2/promise');
    try {
      const conn = await createConnection({ uri: this.url, connectTimeout: 1000 });
      await conn.query('select 1');
      await conn.end();
      return true;
    } catch {
      return false;
    }
  }

  /** A fresh datadir (mariadb-install-db, root without a password) and the server on it. */
  static async launch(opts: { port?: number; dir?: string } = {}): Promise<PrivateMariaDB> {
    const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'chaos-mariadb-'));
    const install = spawnSync(
      'mariadb-install-db',
      ['--no-defaults', `--datadir=${join(dir, 'data')}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...(process.getuid?.() === 0 ? ['--user=root'] : [])],
      { encoding: 'utf8' },
    );
    if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr || install.stdout}`);
    const db = new PrivateMariaDB('mariadb', opts.port ?? (await reservablePort()), dir);
    await db.start(60_000);
    return db;
  }
}
