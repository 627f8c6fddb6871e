/**
 * Issue 15, replicas (CI size): two replicas of the gateway, product, cart and order subgraphs as
 * real processes (from the TypeScript sources) behind a real HAProxy rendered from
 * deploy/haproxy/haproxy.cfg.template, on the machine's MariaDB and Redis, in databases and a key
 * prefix of their own. The checks are chaos/scenarios/replicas.ts's, at a smaller size; the full
 * size runs under `npm run chaos -- replicas` (docs/RELIABILITY.md).
 */
import { randomBytes } from 'node:crypto';
import { Report } from '../../chaos/lib/scenario';
import { ChaosStack } from '../../chaos/lib/stack';
import { CI_SIZES, midnightOnBothReplicas, orderReplicaKill, replicaStackOptions, sharedRateLimit, stampede } from '../../chaos/scenarios/replicas';
import { Client } from '../../chaos/lib/client';

jest.setTimeout(240_000);

describe('two replicas of gateway, product, cart and order behind HAProxy', () => {
  let stack: ChaosStack;
  let client: Client;
  let report: Report;
  let soldOutProduct: string;
  const failed = () => report.checks.filter((c) => !c.ok).map((c) => c.what);

  beforeAll(async () => {
    stack = new ChaosStack(
      replicaStackOptions({
        portBase: 0,
        prefix: `t_rep${randomBytes(3).toString('hex')}`,
        mysqlUrl: process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306',
        redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        code: 'source',
        env: { LOG_LEVEL: 'error' },
        log: () => undefined,
      }),
    );
    await stack.start();
    client = Client.for(stack.gatewayUrl, stack.config, stack.secrets);
  });
  beforeEach(() => {
    report = new Report('replicas', () => undefined);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  test('HAProxy counts every replica up', async () => {
    const stats = await stack.stack.balancer!.replicaStats();
    expect(Object.entries(stats).filter(([, s]) => s.up).map(([name]) => name).sort()).toEqual(
      ['cart1', 'cart2', 'gateway1', 'gateway2', 'order1', 'order2', 'product1', 'product2', 'user1'],
    );
  });

  test(`${CI_SIZES.stampedeBuyers} buyers race for ${CI_SIZES.stampedeStock} units through the balancer: exactly ${CI_SIZES.stampedeStock} orders, exact in MySQL and Redis`, async () => {
    soldOutProduct = (await stampede(stack, client, CI_SIZES, report)).productId;
    expect(failed()).toEqual([]);
    expect(report.checks.length).toBeGreaterThanOrEqual(4);
  });

  test('both gateway replicas share the per-user rate limit', async () => {
    await sharedRateLimit(stack, client, soldOutProduct, report);
    expect(failed()).toEqual([]);
  });

  test('an order replica SIGKILLed mid-sale loses nothing: every buyer answered, exact audit', async () => {
    await orderReplicaKill(stack, client, CI_SIZES, report);
    expect(failed()).toEqual([]);
    expect(report.audit?.exact).toBe(true);
  });

  test('the midnight job, run by both order replicas at once, moves each order exactly once per midnight', async () => {
    await midnightOnBothReplicas(stack, client, CI_SIZES, report);
    expect(failed()).toEqual([]);
  });

  test('with no replica left, HAProxy answers the typed, retryable SERVICE_UNAVAILABLE, not its HTML page', async () => {
    await stack.kill('user', 0);
    try {
      const res = await fetch(stack.stack.urls.user, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await res.json()).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'SERVICE_UNAVAILABLE', retryAfter: 1 } }] });
    } finally {
      await stack.launch('user');
    }
  });
});
