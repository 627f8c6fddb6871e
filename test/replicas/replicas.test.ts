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

  test('per-address limits count the address HAProxy saw: the gateway trusts its X-Forwarded-For, and HAProxy overwrites a forged one', async () => {
    const logIn = (url: string, forwardedFor: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
        body: JSON.stringify({ query: 'mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken } }', variables: { e: 'nobody@example.com', p: 'wrong password' } }),
      });
    const redis = stack.redis();
    const gateway = stack.stack.replica('gateway', 0);
    await logIn(stack.gatewayUrl, '10.9.9.9'); // through HAProxy: the header is replaced by 127.0.0.1
    await logIn(gateway.url, '198.51.100.4'); // straight from the trusted peer (as HAProxy would send it)
    expect(await redis.exists('rl:logIn:ip:10.9.9.9')).toBe(0);
    expect(Number(await redis.get('rl:logIn:ip:127.0.0.1'))).toBeGreaterThanOrEqual(1);
    expect(Number(await redis.get('rl:logIn:ip:198.51.100.4'))).toBe(1);
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
