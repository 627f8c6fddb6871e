/** Ports: a free one from the OS, and whether something listens on one. */
import { connect, createServer } from 'node:net';

/** A TCP port nobody listens on right now (the OS picks it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** True once something accepts TCP connections on the port. */
export function listening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
  });
}

/** Fails when any of `ports` is taken, naming the first (so a second stack never half-starts). */
export async function assertPortsFree(ports: number[], host: string, hint: string): Promise<void> {
  for (const port of ports) {
    if (port !== 0 && (await listening(port, host === '0.0.0.0' ? '127.0.0.1' : host))) throw new Error(`port ${port} is in use; ${hint}`);
  }
}
