/**
 * The flash sale on a real Redis Cluster: three primaries with a replica each, started on free
 * ports by scripts/launcher/redis-cluster.ts (cluster-node-timeout 1 s), every process of the
 * stack on ioredis's Cluster client (REDIS_CLUSTER_NODES). Exact counts in MySQL and in the
 * cluster afterwards: a stampede through the gateway, multi-product orders across slots (all or
 * nothing, nothing left held), a failover whose promoted replica lost acknowledged writes (found
 * and reconciled before it sells). A primary SIGKILLed mid-sale is the redis-cluster fault
 * scenario (test/faults/redis-cluster.fault.test.ts, one definition with `npm run chaos`).
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { ClusterShardGuard, createRedis, deletePrefixedKeys, keySlot, lineKeys, loadConfig, redisKeys } from '@flashsale/platform';
import { startRedisCluster, RedisClusterHandle } from '../../scripts/launcher/redis-cluster';
import { startStack, Stack } from '../support/stack';
import { createSaleProduct, readProductStock, SaleProduct } from '../support/catalog';
import { startMailCatcher, MailCatcher } from '../support/mail';
import { Answer, Buyer, Lines, available, boughtBy, buyers, eventually, payOrder, placeOrder, sql, unitsIn } from '../support/orders';
import { orderKeys, LockBusyError, Locks } from '@flashsale/order-subgraph';
import { createLineSale, finalTurn, joinLine } from '../support/waiting-room';

jest.setTimeout(180_000);

let cluster: RedisClusterHandle;
let stack: Stack;
let mail: MailCatcher;
beforeAll(async () => {
  mail = await startMailCatcher();
  cluster = await startRedisCluster({ primaries: 3, replicasPerPrimary: 1 });
  stack = await startStack({ REDIS_CLUSTER_NODES: cluster.seeds, REDIS_CLUSTER_CHECK_MS: '250', RESERVATION_TTL_SECONDS: '60', SMTP_URL: mail.url, WAITING_ROOM_NO_SHOW_MARGIN: '0' });
});
afterAll(async () => {
  await stack?.stop();
  await cluster?.stop();
  await mail?.stop();
});

const guard = () => stack.order.services.shardGuard as ClusterShardGuard;
const prefixed = (key: string) => `${stack.config.REDIS_PREFIX}${key}`;
const shardOf = async (productId: string) => (await cluster.masterFor(prefixed(redisKeys.productStock(productId)))).id;

/** A buyer's checkout: retried with the same idempotency key while the answer is SERVICE_UNAVAILABLE (a failover in progress). */
async function checkout(buyer: Buyer, lines: Lines, deadlineMs = 120_000, waitingRoomTicket?: string): Promise<Answer> {
  const key = randomUUID();
  const giveUpAt = Date.now() + deadlineMs;
  for (;;) {
    const answer = await placeOrder(stack, buyer, lines, key, waitingRoomTicket).catch((err: Error) => ({ errors: [{ message: err.message, extensions: { code: 'NETWORK' } }] }) as unknown as Answer);
    const busy = answer.errors?.some((e) => ['SERVICE_UNAVAILABLE', 'RATE_LIMITED', 'NETWORK', 'INTERNAL_SERVER_ERROR'].includes(String(e.extensions?.code)));
    if (!busy || Date.now() > giveUpAt) return answer;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Products with these stocks, each on a different shard. */
async function productsOnDistinctShards(stocks: number[]): Promise<SaleProduct[]> {
  const byShard = new Map<string, SaleProduct>();
  while (byShard.size < stocks.length) {
    const product = await createSaleProduct(stack, { stock: stocks[byShard.size] });
    const shard = await shardOf(product.id);
    if (!byShard.has(shard)) byShard.set(shard, product);
  }
  return [...byShard.values()];
}

/** A product whose shard still has a live replica to promote. */
async function productOnReplicatedShard(stock: number): Promise<SaleProduct> {
  for (;;) {
    const product = await createSaleProduct(stack, { stock });
    const shard = await shardOf(product.id);
    if ((await cluster.topology()).some((n) => n.masterId === shard && n.alive)) return product;
  }
}

const pendingOrders = async (productId: string) =>
  Number((await sql<{ n: number }>(stack, 'select count(distinct o.id) as n from `order` o join order_item i on i.order_id = o.id where i.product_id = ? and o.status = ?', [productId, 'PENDING_PAYMENT']))[0].n);

it('every process runs on the Cluster client, and ioredis routes by the slot Redis computes', async () => {
  expect((stack.order.deps.redis as unknown as { isCluster?: boolean }).isCluster).toBe(true);
  expect(guard()).toBeInstanceOf(ClusterShardGuard);
  const key = prefixed(redisKeys.productStock(randomUUID()));
  expect(Number((await cluster.cli(Number(cluster.nodes[0].split(':')[1]), 'CLUSTER', 'KEYSLOT', key)).trim())).toBe(keySlot(key));
});

it('deletePrefixedKeys scans every master: keys of one prefix spread over all shards are all deleted, no other', async () => {
  const prefix = `t:clean:${randomUUID().slice(0, 8)}:`;
  const scoped = createRedis(loadConfig({ ...stack.env, REDIS_PREFIX: prefix }));
  try {
    const tags = Array.from({ length: 60 }, () => randomUUID());
    await Promise.all(tags.map((t) => scoped.set(`k:{${t}}`, '1')));
    const shards = new Set(await Promise.all(tags.map(async (t) => (await cluster.masterFor(`${prefix}k:{${t}}`)).id)));
    expect(shards.size).toBe(3);
    const bystander = `k:{${randomUUID()}}`;
    await stack.order.deps.redis.set(bystander, 'the stack prefix');
    expect(await deletePrefixedKeys(scoped, prefix)).toBe(60);
    expect(await Promise.all(tags.map((t) => scoped.exists(`k:{${t}}`)))).toEqual(tags.map(() => 0));
    expect(await stack.order.deps.redis.get(bystander)).toBe('the stack prefix');
  } finally {
    scoped.disconnect();
  }
});

it('accounts, sessions and events on the cluster: a mailed code, sign-up, refresh rotation with reuse caught, a paid order\'s stock event applied', async () => {
  const email = `cluster.${randomUUID().slice(0, 8)}@example.com`;
  const since = mail.messages.length;
  expect((await stack.gql(`mutation($e: String!) { requestEmailVerification(email: $e) { userErrors { code } } }`, { e: email })).errors).toBeUndefined();
  const code = await mail.waitForCode(email, { since });
  const input = { email, code, password: 'Tr0mbone-sunrise', name: 'Cluster Buyer', phone: '+44 20 7946 0958', address: '1 Slot Row' };
  const signUp = (await stack.gql<{ signUp: { userErrors: unknown[] } }>(`mutation($i: SignUpInput!) { signUp(input: $i) { userErrors { code } } }`, { i: input })).data!.signUp;
  expect(signUp.userErrors).toEqual([]);
  type Session = { accessToken: string | null; refreshToken: string | null; userErrors: Array<{ code: string }> };
  const logIn = (await stack.gql<{ logIn: Session }>(`mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken refreshToken userErrors { code } } }`, { e: email, p: input.password })).data!.logIn;
  const refresh = async (t: string) => (await stack.gql<{ refreshTokens: Session }>(`mutation($t: String!) { refreshTokens(refreshToken: $t) { accessToken refreshToken userErrors { code } } }`, { t })).data!.refreshTokens;
  const rotated = await refresh(logIn.refreshToken!);
  expect(rotated.userErrors).toEqual([]);
  // A retry before the new token is used gets it again; after it is used, the old one is reuse.
  expect((await refresh(logIn.refreshToken!)).refreshToken).toBe(rotated.refreshToken);
  expect((await refresh(rotated.refreshToken!)).userErrors).toEqual([]);
  expect((await refresh(logIn.refreshToken!)).userErrors[0].code).toBe('REFRESH_TOKEN_REUSED');

  // The order's stock.sold event travels the outbox relay, a stream and a consumer group.
  const product = await createSaleProduct(stack, { stock: 5 });
  const buyer = { token: rotated.accessToken! };
  const order = (await placeOrder(stack, buyer, [{ productId: product.id, quantity: 2 }])).payload!.order!;
  expect((await payOrder(stack, buyer, order.id)).payload!.order!.status).toBe('PREPARING');
  await eventually(async () => (await readProductStock(stack, product.id)) === 3, 20_000);
});

it('150 buyers race for 40 units through the gateway: exactly 40 orders, available 0 in the cluster, MySQL and Redis agree', async () => {
  const product = await createSaleProduct(stack, { stock: 40 });
  const crowd = await buyers(stack, 150);
  const answers = await Promise.all(crowd.map((b) => placeOrder(stack, b, [{ productId: product.id, quantity: 1 }])));
  expect(answers.filter((a) => a.errors)).toEqual([]);
  expect(answers.filter((a) => a.payload?.order)).toHaveLength(40);
  expect(answers.filter((a) => a.payload?.userErrors[0]?.code === 'SOLD_OUT')).toHaveLength(110);
  expect(await available(stack, product.id)).toBe(0);
  expect(await pendingOrders(product.id)).toBe(40);
  expect(await unitsIn(stack, product.id, ['PENDING_PAYMENT'])).toBe(40);
  expect(await stack.order.deps.redis.hlen(orderKeys.reservations(product.id))).toBe(40);
  expect(await stack.order.deps.redis.zcard(orderKeys.reservationsDue(product.id))).toBe(40);
});

it('Redlock on the cluster: a lock over resources in different slots is taken per slot, all or none', async () => {
  const locks = new Locks(stack.order.deps.redis);
  const [first, second] = [randomUUID(), randomUUID()].map((id) => `lock:order:product:{${id}}`);
  expect(keySlot(first)).not.toBe(keySlot(second));
  const opts = { ttlMs: 5000, waitMs: 0 };
  await locks.using([first, second], opts, async () => {
    await expect(locks.using([second], opts, async () => 'taken')).rejects.toBeInstanceOf(LockBusyError);
    // The first resource is not left held by the refused attempt at both.
    await expect(locks.using([first, second], opts, async () => 'taken')).rejects.toBeInstanceOf(LockBusyError);
  });
  await locks.using([second], opts, async () => {
    await expect(locks.using([first, second], opts, async () => 'taken')).rejects.toBeInstanceOf(LockBusyError);
    expect(await locks.using([first], opts, async () => 'free')).toBe('free');
  });
  expect(await locks.using([first, second], opts, async () => 'both')).toBe('both');
});

describe('an order whose products live on different shards', () => {
  it('is taken whole: one part per product on its own shard, and paying settles every part', async () => {
    const [a, b] = await productsOnDistinctShards([5, 5]);
    const [buyer] = await buyers(stack, 1);
    const answer = await placeOrder(stack, buyer, [{ productId: b.id, quantity: 2 }, { productId: a.id, quantity: 1 }]);
    const order = answer.payload!.order!;
    expect(order.status).toBe('PENDING_PAYMENT');
    expect(order.items.map((i) => i.product.id)).toEqual([b.id, a.id]);
    expect([await available(stack, a.id), await available(stack, b.id)]).toEqual([4, 3]);
    const parts = await stack.order.services.reservations.parts(order.id, [{ productId: a.id }, { productId: b.id }]);
    expect(parts.map((p) => [p.productId, p.record.lines])).toEqual(
      [a, b].sort((x, y) => (x.id < y.id ? -1 : 1)).map((p) => [p.id, [[p.id, p.id === a.id ? 1 : 2]]]),
    );
    // The idempotency key sits on the anchor's (lowest product id's) part only.
    expect(parts.filter((p) => p.record.idempotencyKey)).toHaveLength(1);
    expect(parts[0].record.idempotencyKey).toBeDefined();

    expect((await payOrder(stack, buyer, order.id)).payload!.order!.status).toBe('PREPARING');
    expect(await stack.order.services.reservations.parts(order.id, [{ productId: a.id }, { productId: b.id }])).toEqual([]);
    expect([await available(stack, a.id), await available(stack, b.id)]).toEqual([4, 3]);
  });

  it('is refused whole when a later product is sold out: the earlier product\'s hold is given back', async () => {
    const [first, second] = (await productsOnDistinctShards([3, 3])).sort((x, y) => (x.id < y.id ? -1 : 1));
    const [buyer] = await buyers(stack, 1);
    // `first` is reserved first (product-id order), then `second` refuses: 4 > 3.
    const answer = await placeOrder(stack, buyer, [{ productId: first.id, quantity: 2 }, { productId: second.id, quantity: 4 }]);
    expect(answer.payload!.order).toBeNull();
    expect(answer.payload!.userErrors.map((e) => [e.code, e.productId])).toEqual([['SOLD_OUT', second.id]]);
    expect(await available(stack, first.id)).toBe(3);
    expect(await boughtBy(stack, first.id, buyer.userId)).toBe(0);
    expect(await stack.order.deps.redis.hlen(orderKeys.reservations(first.id))).toBe(0);
    // The key was forgotten with the give-back: the same key places once the order fits.
    expect((await placeOrder(stack, buyer, [{ productId: first.id, quantity: 2 }, { productId: second.id, quantity: 3 }])).payload!.order).not.toBeNull();
  });

  it('60 buyers race for 10 units of the scarce product in a two-product order: exactly 10 orders, nothing held for the other 50', async () => {
    const [plenty, scarce] = await productsOnDistinctShards([100, 10]);
    const crowd = await buyers(stack, 60);
    const answers = await Promise.all(crowd.map((b) => placeOrder(stack, b, [{ productId: plenty.id, quantity: 1 }, { productId: scarce.id, quantity: 1 }])));
    expect(answers.filter((a) => a.errors)).toEqual([]);
    const won = 10;
    expect(answers.filter((a) => a.payload?.order)).toHaveLength(won);
    expect(answers.filter((a) => a.payload?.userErrors[0]?.code === 'SOLD_OUT')).toHaveLength(50);
    expect(await available(stack, scarce.id)).toBe(0);
    expect(await available(stack, plenty.id)).toBe(100 - won);
    expect(await unitsIn(stack, plenty.id, ['PENDING_PAYMENT'])).toBe(won);
    expect(await stack.order.deps.redis.hlen(orderKeys.reservations(plenty.id))).toBe(won);
    const heldPlenty = Object.values(await stack.order.deps.redis.hgetall(orderKeys.bought(plenty.id))).reduce((s, v) => s + Number(v), 0);
    expect(heldPlenty).toBe(won);
  });
});

describe('a waiting-room sale on the cluster', () => {
  it('40 buyers in line for 8 units, ordering when served, one of them with a plain product on another shard: the first 8 numbers buy, the rest learn SOLD_OUT, nothing else held', async () => {
    const [plain] = await productsOnDistinctShards([100]);
    let lined = await createLineSale(stack, { stock: 8 });
    while ((await shardOf(lined.id)) === (await shardOf(plain.id))) lined = await createLineSale(stack, { stock: 8 });
    const crowd = await buyers(stack, 40);
    const tickets: Array<{ number: number; ticket: string }> = [];
    for (const b of crowd) {
      const joined = await joinLine(stack, lined.id, b.token);
      expect(joined.status).toBe(200);
      tickets.push({ number: joined.body.number!, ticket: joined.body.ticket! });
    }
    expect(tickets.map((t) => t.number)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    // Every key of the line is on the product's shard.
    for (const key of Object.values(lineKeys)) expect((await cluster.masterFor(prefixed(key(lined.id)))).id).toBe(await shardOf(lined.id));
    const outcomes = await Promise.all(
      crowd.map(async (buyer, i) => {
        const turn = await finalTurn(stack, lined.id, tickets[i].number);
        if (turn.state === 'SOLD_OUT' || turn.state === 'CLOSED') return 'sold out';
        const lines = i === 0 ? [{ productId: lined.id, quantity: 1 }, { productId: plain.id, quantity: 1 }] : [{ productId: lined.id, quantity: 1 }];
        const answer = await checkout(buyer, lines, 120_000, tickets[i].ticket);
        return answer.payload?.order ? 'order' : (answer.payload?.userErrors[0]?.code ?? JSON.stringify(answer.errors));
      }),
    );
    expect(outcomes.slice(0, 8)).toEqual(Array(8).fill('order'));
    expect(outcomes.slice(8).every((o) => o === 'sold out' || o === 'SOLD_OUT')).toBe(true);
    expect(await available(stack, lined.id)).toBe(0);
    expect(await available(stack, plain.id)).toBe(99);
    expect(await pendingOrders(lined.id)).toBe(8);
    expect(await stack.order.deps.redis.zcard(lineKeys.used(lined.id))).toBe(8);
  });
});

it('a promoted replica that lost acknowledged sales is found and reconciled before it sells: nothing oversold', async () => {
  const product = await productOnReplicatedShard(10);
  const early = await buyers(stack, 4);
  for (const b of early) expect((await placeOrder(stack, b, [{ productId: product.id, quantity: 1 }])).payload?.order).toBeTruthy();
  expect(await available(stack, product.id)).toBe(6);
  await guard().check();

  // The replica misses the four sales, as if the primary had died before replicating them: the
  // primary's hash says 6 (the truth) while its replica's says 10. (A script whose writes are not
  // replicated, redis.set_repl(REPL_NONE), stands in for the writes a crash loses.)
  const stockKey = prefixed(redisKeys.productStock(product.id));
  const primary = await cluster.masterFor(stockKey);
  const [replicaNode] = (await cluster.topology()).filter((n) => n.masterId === primary.id);
  const onPrimary = new Redis({ port: primary.port, maxRetriesPerRequest: 0 });
  const onReplica = new Redis({ port: replicaNode.port, maxRetriesPerRequest: 0 });
  try {
    await onPrimary.eval(`redis.call('HSET', KEYS[1], 'available', ARGV[1]) return 1`, 1, stockKey, '10');
    expect(await onPrimary.wait(1, 10_000)).toBe(1); // generous: a loaded CI machine can take seconds to replicate
    await onPrimary.eval(`redis.set_repl(redis.REPL_NONE) redis.call('HSET', KEYS[1], 'available', ARGV[1]) return 1`, 1, stockKey, '6');
    await onReplica.readonly();
    expect([await onPrimary.hget(stockKey, 'available'), await onReplica.hget(stockKey, 'available')]).toEqual(['6', '10']);
  } finally {
    onPrimary.disconnect();
    onReplica.disconnect();
  }
  const reconciledBefore = guard().reconciled.length;

  const { killed } = await cluster.killPrimary(stockKey);
  await cluster.waitForFailover(stockKey, killed.id);
  expect((await cluster.masterFor(stockKey)).port).toBe(replicaNode.port);

  const late = await buyers(stack, 10);
  const answers = await Promise.all(late.map((b) => checkout(b, [{ productId: product.id, quantity: 1 }])));
  expect(answers.filter((a) => a.errors)).toEqual([]);
  expect(answers.filter((a) => a.payload?.order)).toHaveLength(6);
  expect(answers.filter((a) => a.payload?.userErrors[0]?.code === 'SOLD_OUT')).toHaveLength(4);
  expect(guard().reconciled.length).toBeGreaterThan(reconciledBefore);
  // Quarantine: nothing sold on the shard until every placement that reserved on the lost history
  // had to be committed (ORDER_LOCK_TTL_MS after the change was found).
  const foundAt = guard().reconciled[guard().reconciled.length - 1].at.getTime();
  const firstSale = Math.min(...answers.filter((a) => a.payload?.order).map((a) => Date.parse(a.payload!.order!.createdAt)));
  expect(firstSale).toBeGreaterThanOrEqual(foundAt + stack.config.ORDER_LOCK_TTL_MS);
  expect(await available(stack, product.id)).toBe(0);
  expect(await unitsIn(stack, product.id, ['PENDING_PAYMENT'])).toBe(10);
});

