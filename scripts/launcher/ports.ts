/** Ports: a free one from the OS, and whether something listens on one. */
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';

/** Listens on `port` (0: one the OS picks) for a moment: the port it got, or null when it is taken. */
export function tryListen(port: number, host = '127.0.0.1'): Promise<number | null> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(null));
    srv.listen(port, host, () => {
      const bound = (srv.address() as { port: number }).port;
      srv.close(() => resolve(bound));
    });
  });
}

/** A TCP port nobody listens on right now (the OS picks it). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const port = await tryListen(0, host);
  if (port === null) throw new Error(`cannot listen on ${host}`);
  return port;
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

/** The first port of the kernel's ephemeral range (outgoing connections take their local port from it). */
function ephemeralStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
}

/**
 * Ports this process has handed out and may not have bound yet (a stack draws all its ports before
 * starting any server, so a port probed free a moment ago is still free to the probe). Bounded:
 * the oldest are forgotten once a slice's quarter is out, long after their stacks stopped.
 */
const handedOut = new Set<number>();

/**
 * A free port to be listened on a little later, chosen below the ephemeral range: a port the OS
 * hands out (freePort) can be taken in the meantime by any outgoing connection's local end (a
 * MySQL or Redis client connecting), which busy test runs make hundreds of. Each jest worker draws
 * from its own slice, so two test files never pick the same port, and no port is handed out twice
 * by one process while it may still be waiting to be bound.
 */
export async function reservablePort(host = '127.0.0.1'): Promise<number> {
  const top = Math.min(ephemeralStart(), 32768);
  const bottom = 10_000;
  const slices = 8;
  const slice = Math.floor((top - bottom) / slices);
  const worker = Number(process.env.JEST_WORKER_ID ?? process.pid) % slices;
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = bottom + worker * slice + Math.floor(Math.random() * slice);
    if (handedOut.has(port) || (await tryListen(port, host)) === null) continue;
    handedOut.add(port);
    if (handedOut.size > slice / 4) handedOut.delete(handedOut.values().next().value!);
    return port;
  }
  return freePort(host);
}
