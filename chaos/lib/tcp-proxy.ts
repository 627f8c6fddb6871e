/**
 * A TCP proxy we can break on purpose, put between a process and MySQL (or anything else):
 *
 *   freeze()   stop forwarding in both directions; connections stay open and hang (a stalled
 *              server: requests wait, nothing fails)
 *   thaw()     forward again
 *   cut()      reset every connection and refuse new ones (the server died)
 *   restore()  accept connections again on the same port (the server is back)
 *   loseCommitAnswer()  the next COMMIT of a transaction that inserted into `table` reaches the
 *              server, but its answer never comes back: the client's connection is reset (the
 *              ambiguous case: the commit happened, the client saw an error); optionally every
 *              other connection is cut at that moment too (the server is gone right after)
 */
import { createServer, connect, Server, Socket } from 'node:net';

/** A MySQL COM_QUERY packet is 3 length bytes, a sequence id, this command byte, then the statement. */
const COM_QUERY = String.fromCharCode(3);

interface Pair {
  client: Socket;
  upstream: Socket;
  /** This connection has inserted into the watched table since its last COMMIT. */
  inserted: boolean;
}

export class TcpProxy {
  private server?: Server;
  private readonly pairs = new Set<Pair>();
  private frozen = false;
  private trap?: { insert: RegExp; cutAll: boolean; sprung: () => void };
  port = 0;

  private constructor(
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }, port = 0): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await proxy.listen(port);
    return proxy;
  }

  /** The proxy in a mysql:// URL (root, no password), e.g. for MYSQL_URL. */
  mysqlUrl(user = 'root'): string {
    return `mysql://${user}@127.0.0.1:${this.port}`;
  }

  get connections(): number {
    return this.pairs.size;
  }

  private listen(port: number): Promise<void> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        this.port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  private accept(client: Socket): void {
    const upstream = connect(this.target);
    const pair: Pair = { client, upstream, inserted: false };
    this.pairs.add(pair);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (chunk) => this.fromClient(pair, chunk));
    upstream.on('data', (chunk) => {
      if (!client.destroyed) client.write(chunk);
    });
    if (this.frozen) {
      client.pause();
      upstream.pause();
    }
  }

  private fromClient(pair: Pair, chunk: Buffer): void {
    const trap = this.trap;
    if (trap) {
      const text = chunk.toString('latin1');
      if (trap.insert.test(text)) pair.inserted = true;
      const lower = text.toLowerCase();
      if (pair.inserted && lower.includes(COM_QUERY + 'commit')) {
        this.trap = undefined;
        pair.upstream.write(chunk);
        // The client learns nothing; the server gets the COMMIT and, a moment later, the hang-up.
        pair.client.destroy();
        this.pairs.delete(pair);
        setTimeout(() => pair.upstream.destroy(), 300);
        if (trap.cutAll) void this.cut();
        trap.sprung();
        return;
      }
      if (lower.includes(COM_QUERY + 'commit') || lower.includes(COM_QUERY + 'rollback')) pair.inserted = false;
    }
    if (!pair.upstream.destroyed) pair.upstream.write(chunk);
  }

  freeze(): void {
    this.frozen = true;
    for (const p of this.pairs) {
      p.client.pause();
      p.upstream.pause();
    }
  }

  thaw(): void {
    this.frozen = false;
    for (const p of this.pairs) {
      p.client.resume();
      p.upstream.resume();
    }
  }

  private closeListener(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    return new Promise((r) => (server ? server.close(() => r()) : r()));
  }

  /** Resets every connection and refuses new ones until restore(). */
  async cut(): Promise<void> {
    const closed = this.closeListener();
    for (const p of this.pairs) {
      p.client.resetAndDestroy();
      p.upstream.resetAndDestroy();
    }
    this.pairs.clear();
    this.frozen = false;
    await closed;
  }

  async restore(): Promise<void> {
    if (!this.server) await this.listen(this.port);
  }

  /**
   * Arms the lost-commit trap for the next transaction that inserts into `table`. With `cutAll`,
   * every other connection is cut as well when it springs, and new ones are refused until
   * restore() (the client cannot even ask what happened). Resolves when it has sprung.
   */
  loseCommitAnswer(table: string, opts: { cutAll?: boolean } = {}): Promise<void> {
    return new Promise((sprung) => {
      this.trap = { insert: new RegExp(`insert into \`${table}\``, 'i'), cutAll: !!opts.cutAll, sprung };
    });
  }

  async close(): Promise<void> {
    await this.cut();
  }
}
