/**
 * npm run bench -- accept-bias [--seconds 6]
 * Where a busy Node HTTP server's arrival order goes wrong: requests that arrive on connections it
 * has yet to accept against requests on connections it already holds. A child process serves
 * every request with 0.4 ms of CPU (about a waiting-room join with its token check); this process
 * sends, each 10 ms, R requests on kept-alive connections and N on new ones, each stamped with its
 * send time, at three loads (below, near and above what the server can do), then the third load
 * with every request on a new connection (as when each buyer's browser connects at the opening).
 * The server reports, for each kind, how long a request waited between its send and its handler
 * (an arrival stamp taken in the handler, as the waiting room's is, is that much late) and how far
 * behind later sends it was handled (how much that stamp reorders arrivals). No stack, no database.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { summarize, table } from './stats';

const WORK_MS = 0.4;
const now = () => performance.timeOrigin + performance.now();

interface Waits {
  fresh: number[];
  reused: number[];
  /** New connections: send → accept, and accept → handler. */
  toAccept: number[];
  acceptToHandler: number[];
  /** Every request in the order the handler saw them: [send stamp, 1 when on a new connection]. */
  handled: Array<[number, number]>;
}

/**
 * For each request, how much later than it the latest request handled before it was sent (0: none
 * sent after it was handled first), by kind: how far a stamp taken in the handler reorders arrivals.
 */
function overtaken(handled: Array<[number, number]>): { fresh: number[]; reused: number[] } {
  const out = { fresh: [] as number[], reused: [] as number[] };
  let latest = -Infinity;
  for (const [sent, fresh] of handled) {
    (fresh ? out.fresh : out.reused).push(Math.max(0, latest - sent));
    latest = Math.max(latest, sent);
  }
  return out;
}

/** The child: an HTTP server that measures each request's wait and burns WORK_MS per request. */
function serve(): void {
  const waits: Waits = { fresh: [], reused: [], toAccept: [], acceptToHandler: [], handled: [] };
  const seen = new WeakSet<object>();
  const acceptedAt = new WeakMap<object, number>();
  const server = http.createServer((req, res) => {
    const first = !seen.has(req.socket);
    seen.add(req.socket);
    const sent = Number(req.headers['x-sent']);
    const at = now();
    (first ? waits.fresh : waits.reused).push(at - sent);
    waits.handled.push([sent, first ? 1 : 0]);
    const accepted = acceptedAt.get(req.socket);
    if (first && accepted !== undefined) {
      waits.toAccept.push(accepted - sent);
      waits.acceptToHandler.push(at - accepted);
    }
    const t = now();
    while (now() - t < WORK_MS) {
      /* the request's CPU */
    }
    res.end('ok');
  });
  server.keepAliveTimeout = 65_000;
  server.on('connection', (socket) => acceptedAt.set(socket, now()));
  server.listen(0, '127.0.0.1', 4096, () => process.send!({ port: (server.address() as { port: number }).port }));
  process.on('message', (m: { report?: boolean }) => {
    if (m.report) process.send!({ waits });
  });
}

function send(port: number, agent: http.Agent): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/', agent, headers: { 'x-sent': String(now()) } }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', () => resolve());
    req.end();
  });
}

async function load(reusedPer10ms: number, freshPer10ms: number, seconds: number): Promise<Waits> {
  const child = fork(__filename, ['--serve']);
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  const keep = new http.Agent({ keepAlive: true, maxSockets: 300 });
  const pending: Promise<void>[] = [];
  const until = Date.now() + seconds * 1000;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      if (Date.now() >= until) {
        clearInterval(tick);
        resolve();
        return;
      }
      for (let i = 0; i < reusedPer10ms; i++) pending.push(send(port, keep));
      for (let i = 0; i < freshPer10ms; i++) pending.push(send(port, new http.Agent({ keepAlive: false })));
    }, 10);
  });
  await Promise.all(pending);
  child.send({ report: true });
  const { waits } = await new Promise<{ waits: Waits }>((resolve) => child.once('message', resolve));
  child.kill();
  keep.destroy();
  return waits;
}

export async function acceptBiasScenario(opts: { seconds: number }, log: (msg: string) => void): Promise<void> {
  const loads: Array<[string, number, number]> = [
    ['600/s', 4, 2],
    ['1,100/s', 7, 4],
    ['2,300/s (beyond the server)', 15, 8],
    ['2,300/s, every request on a new connection', 0, 23],
  ];
  const rows: string[][] = [];
  for (const [name, reused, fresh] of loads) {
    log(`accept-bias: ${name}: ${reused * 100}/s on kept-alive connections, ${fresh * 100}/s on new ones, ${opts.seconds} s`);
    const w = await load(reused, fresh, opts.seconds);
    const passed = overtaken(w.handled);
    for (const [kind, values, by] of [
      ['new connection', w.fresh, passed.fresh],
      ['  of which send → accept', w.toAccept, null],
      ['  of which accept → handler', w.acceptToHandler, null],
      ['kept-alive connection', w.reused, passed.reused],
    ] as const) {
      if (!values.length) continue;
      const { p50, p99 } = summarize(values);
      const behind = by ? summarize(by) : null;
      rows.push([name, kind, String(values.length), p50.toFixed(1), p99.toFixed(1), behind ? `${behind.p50.toFixed(1)} / ${behind.p99.toFixed(1)}` : '']);
    }
  }
  process.stdout.write(`\nsend → handler wait, ms (each request ${WORK_MS} ms of CPU in the server)\n`);
  process.stdout.write(`${table(['offered', 'request on', 'requests', 'p50 ms', 'p99 ms', 'handled behind a later send, by ms p50 / p99'], rows)}\n`);
}

if (process.argv.includes('--serve')) serve();
