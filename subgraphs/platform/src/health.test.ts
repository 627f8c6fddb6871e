import http from 'node:http';
import { AddressInfo } from 'node:net';
import { checkHealth, healthRoutes } from './health';

/** A real server serving the three probes over checks the test controls. */
let server: http.Server;
let base: string;
const calls = { mysql: 0, subgraph: 0 };
let mysqlDown = false;
let release: (() => void) | undefined;
let clock = 1_000_000; // the probes' clock: a result is reused for 100 ms of it

beforeAll(async () => {
  const routes = healthRoutes(
    'probe-test',
    {
      all: {
        mysql: async () => {
          calls.mysql++;
          if (mysqlDown) throw new Error('connect ECONNREFUSED');
        },
        subgraph: async () => {
          calls.subgraph++;
          if (release) await new Promise<void>((r) => (release = r));
        },
      },
      ready: {
        mysql: async () => {
          calls.mysql++;
          if (mysqlDown) throw new Error('connect ECONNREFUSED');
        },
      },
    },
    { reuseMs: 100, now: () => clock },
  );
  server = http.createServer((req, res) => void routes[req.url!](req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));
beforeEach(() => {
  calls.mysql = calls.subgraph = 0;
  mysqlDown = false;
  release = undefined;
  clock += 1000; // past any result reused from another test
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function probe(path: string) {
  const res = await fetch(base + path);
  return { status: res.status, body: await res.json() };
}

describe('health probes', () => {
  it('/health reports every check, /health/ready its own, /health/live none; 503 when one is down', async () => {
    expect(await probe('/health')).toEqual({ status: 200, body: { service: 'probe-test', status: 'ok', checks: { mysql: 'ok', subgraph: 'ok' } } });
    mysqlDown = true;
    clock += 101;
    expect(await probe('/health/ready')).toEqual({ status: 503, body: { service: 'probe-test', status: 'degraded', checks: { mysql: 'down: connect ECONNREFUSED' } } });
    expect(await probe('/health/live')).toEqual({ status: 200, body: { service: 'probe-test', status: 'ok', checks: {} } });
  });

  it('runs the checks once for many concurrent probes, and reuses the result only briefly', async () => {
    release = () => undefined; // the subgraph check now waits until released
    const answers = Array.from({ length: 50 }, () => probe('/health'));
    while (calls.subgraph === 0) await sleep(5);
    await sleep(20);
    release();
    const results = await Promise.all(answers);
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(calls).toEqual({ mysql: 1, subgraph: 1 });
    clock += 99;
    await probe('/health'); // within 100 ms: the same result
    expect(calls.subgraph).toBe(1);
    clock += 2;
    await probe('/health');
    expect(calls.subgraph).toBe(2);
  });
});

describe('checkHealth', () => {
  it('times a hanging check out as down and still answers the others', async () => {
    const report = await checkHealth({ hangs: () => new Promise(() => undefined), fine: async () => 'pong' }, 50);
    expect(report).toEqual({ ok: false, body: { status: 'degraded', checks: { hangs: 'down: timed out', fine: 'ok' } } });
  });
});
