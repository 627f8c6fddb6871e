/**
 * Hostile input through the gateway, property-based (fast-check): random and malicious arguments
 * for signUp, addToCart, placeOrder and payOrder — injection fragments for SQL, NoSQL, Lua and the
 * Redis protocol, unicode and control characters, huge strings, numbers at and beyond Int bounds,
 * zero, negative and fractional quantities, values of the wrong type, malformed and unknown ids,
 * other buyers' orders, duplicate and too many lines, missing and bad tokens.
 *
 * For every request:
 *   - the answer is JSON, never HTTP 5xx, and never INTERNAL_SERVER_ERROR (only catalogue refusals);
 *   - it contains no stack frame, SQL, driver/Redis/Lua error text or file path;
 *   - a refused request (a GraphQL error or non-empty userErrors) changes no row in any of the four
 *     databases and no Redis key under the run's prefix (state-snapshot.ts);
 *   - an accepted request is one a correct client could have sent (so hostile input is never
 *     silently taken), and text that passes validation is stored as data, byte for byte.
 *
 * The operations sent with hostile variables are raw query strings (postRaw sends what no typed
 * document could); the setup steps around them are typed documents (test/gql).
 *
 * Runs are bounded and seeded; a failure prints the seed and the shrunk counterexample. Reproduce
 * with FC_SEED=<seed> (and FC_RUNS=<n> for longer hunts); ABUSE_STATS=1 prints how the answers
 * were spread over refusal codes, to see which rules the generated input actually reached.
 *
 * Over 300 lines: one property per operation, sharing the state probe and one stack.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { redisKeys } from '@flashsale/platform';
import { startStack, Stack } from '../support/stack';
import { startMailCatcher, MailCatcher } from '../support/mail';
import { createTestUser, TestUser } from '../support/users';
import { adminToken, createSaleProduct, createCategory } from '../support/catalog';
import { placed, payOrder as pay } from '../support/orders';
import { stateProbe, StateProbe, StateSnapshot } from '../support/state-snapshot';
import { graphql } from '../gql';
import { UUID_RE, aroundValid, answerProblems, hostileNumber, hostileString, malformedId, postRaw, RawAnswer, wrongType } from '../support/hostile';

const SEED = Number(process.env.FC_SEED ?? 20_250_608);
const RUNS = Number(process.env.FC_RUNS ?? 40);
const params = (numRuns = RUNS): fc.Parameters<unknown> => ({ numRuns, seed: SEED, verbose: 1 });

const RATE_LIMITS = 'placeOrder:user:100000/1,payOrder:user:100000/1,signUp:ip:100000/1,logIn:ip:100000/1,requestEmailVerification:ip:100000/1';
const SUCCESS_CARD = '4242424242424242';
const DECLINE_CARD = '4000000000000002';
const STRONG_PASSWORD = 'Tr0mbone-sunrise';

let stack: Stack;
let mail: MailCatcher;
let probe: StateProbe;

/** Products in every state a buyer can meet. */
type ProductName = 'open' | 'limited' | 'scarce' | 'euro' | 'upcoming' | 'closed' | 'inactive';
const products = {} as Record<ProductName, string>;
/** One of them (read when a run is generated, after beforeAll has created them). */
const knownProduct = fc.constantFrom<ProductName>('open', 'limited', 'scarce', 'euro', 'upcoming', 'closed', 'inactive').map((n) => products[n]);
const BUYABLE = new Set<string>();
let buyer: TestUser;
let other: TestUser;
/** A buyer whose cart is at the 100-line cap. */
let fullCartBuyer: TestUser;

beforeAll(async () => {
  mail = await startMailCatcher();
  stack = await startStack({
      RATE_LIMITS,
      SMTP_URL: mail.url,
      // Sign-up runs ask for many codes from one address.
      VERIFICATION_MAX_SENDS_PER_IP_PER_HOUR: '100000',
      // The sweeper's start-up round is enough here; later rounds would only add noise.
      ORDER_SWEEP_INTERVAL_MS: '3600000',
      // Accepted sign-ups hash a password; the cheapest argon2id settings keep the runs quick.
      ARGON2_MEMORY_KIB: '8192',
      ARGON2_TIME_COST: '1',
    });
  const hour = 3_600_000;
  const [open, limited, scarce, euro, upcoming, closed] = await Promise.all([
    createSaleProduct(stack, { stock: 100_000, price: 1500 }),
    createSaleProduct(stack, { stock: 100_000, maxPerCustomer: 2 }),
    createSaleProduct(stack, { stock: 1 }),
    createSaleProduct(stack, { stock: 100_000, currency: 'EUR' }),
    createSaleProduct(stack, { stock: 100, opensAt: new Date(Date.now() + hour) }),
    createSaleProduct(stack, { stock: 100, opensAt: new Date(Date.now() - 2 * hour), closesAt: new Date(Date.now() - hour) }),
  ]);
  Object.assign(products, { open: open.id, limited: limited.id, scarce: scarce.id, euro: euro.id, upcoming: upcoming.id, closed: closed.id });
  products.inactive = await createInactiveProduct();
  for (const p of [open, limited, scarce, euro]) BUYABLE.add(p.id);

  [buyer, other, fullCartBuyer] = await Promise.all([createTestUser(stack), createTestUser(stack), createTestUser(stack)]);
  await fillCart(fullCartBuyer.id, 100);
  probe = await stateProbe(stack);
}, 60_000);

afterAll(async () => {
  if (process.env.ABUSE_STATS) console.log([...STATS].sort().map(([k, n]) => `${n}\t${k}`).join('\n'));
  await probe?.close();
  await stack?.stop();
  await mail?.stop();
});

const REQUEST_CODE = graphql(`
  mutation AbuseRequestCode($e: String!) { requestEmailVerification(email: $e) { userErrors { code } } }
`);

async function createInactiveProduct(): Promise<string> {
  const { id: categoryId } = await createCategory(stack);
  const res = await stack.gql(
    graphql(`mutation AbuseCreateInactiveProduct($input: CreateProductInput!) { createProduct(input: $input) { product { id } userErrors { code } } }`),
    { input: { name: `Withdrawn ${randomUUID().slice(0, 8)}`, price: 100, categoryId, stock: 10, active: false } },
    { token: await adminToken(stack) },
  );
  return res.data!.createProduct.product!.id;
}

/** A cart at its line cap: rows for products that need not exist (the cap counts lines only). */
async function fillCart(userId: string, lines: number): Promise<void> {
  const conn = stack.cart.deps.orm.em.getConnection();
  const now = new Date();
  await conn.execute('insert into `cart` (`user_id`, `created_at`, `updated_at`) values (?, ?, ?)', [userId, now, now]);
  for (let i = 0; i < lines; i++) {
    await conn.execute('insert into `cart_item` (`user_id`, `product_id`, `quantity`, `added_at`, `updated_at`) values (?, ?, 1, ?, ?)', [userId, randomUUID(), now, now]);
  }
}

// ------------------------------------------------------------------ the check every run makes

type Outcome = 'refused' | 'accepted';
interface Sent {
  query: string;
  variables?: unknown;
}

/** The state before the next request: the last refused request's "after", or a settled snapshot. */
let baseline: StateSnapshot | null = null;
const STATS = new Map<string, number>();

/**
 * Sends one request and checks the answer; a refused request must leave every row and key as it
 * found them. Returns the answer and how it was classified (for the caller's own oracle).
 */
async function attempt(op: string, sent: Sent, headers: Record<string, string>, classify: (a: RawAnswer) => Outcome): Promise<{ answer: RawAnswer; outcome: Outcome }> {
  const before = baseline ?? (await probe.settled());
  baseline = null;
  const answer = await postRaw(stack.gatewayUrl, sent, headers);
  const problems = answerProblems(answer, sent);
  if (problems.length) throw new Error(`${op}: bad answer\n  ${problems.join('\n  ')}\nanswer: ${answer.text.slice(0, 1500)}`);
  const outcome = classify(answer);
  if (process.env.ABUSE_STATS) {
    const codes = (answer.body?.errors ?? []).map((e) => String(e.extensions?.code)).concat(JSON.stringify(answer.body?.data ?? null).match(/"code":"[A-Z_]+"/g) ?? []);
    const k = `${op} ${answer.status} ${outcome} ${[...new Set(codes)].join(',')}`;
    STATS.set(k, (STATS.get(k) ?? 0) + 1);
  }
  if (outcome === 'refused') {
    const after = await probe.snapshot();
    const changed = probe.diff(before, after);
    if (changed.length) throw new Error(`${op} was refused but changed state:\n  ${changed.join('\n  ')}\nanswer: ${answer.text.slice(0, 1500)}`);
    baseline = after;
  }
  return { answer, outcome };
}

/** userErrors-payload mutations: refused when there is any error, no payload, or a userError. */
const payloadOutcome = (field: string) => (a: RawAnswer): Outcome => {
  const payload = a.body?.data?.[field] as { userErrors?: unknown[] } | null | undefined;
  return a.body?.errors?.length || !payload || (payload.userErrors?.length ?? 0) > 0 ? 'refused' : 'accepted';
};

// ------------------------------------------------------------------ callers

type Caller = 'buyer' | 'other' | 'anonymous' | 'garbage-token' | 'forged-token';
const callerArb = (weights: Partial<Record<Caller, number>> = {}): fc.Arbitrary<Caller> =>
  fc.oneof(
    { weight: weights.buyer ?? 12, arbitrary: fc.constant<Caller>('buyer') },
    { weight: weights.other ?? 0, arbitrary: fc.constant<Caller>('other') },
    { weight: 1, arbitrary: fc.constant<Caller>('anonymous') },
    { weight: 1, arbitrary: fc.constant<Caller>('garbage-token') },
    { weight: 1, arbitrary: fc.constant<Caller>('forged-token') },
  );

function headersOf(caller: Caller, who: TestUser = buyer): Record<string, string> {
  switch (caller) {
    case 'buyer':
      return { authorization: `Bearer ${who.token}` };
    case 'other':
      return { authorization: `Bearer ${other.token}` };
    case 'anonymous':
      return {};
    case 'garbage-token':
      return { authorization: "Bearer ' OR 1=1 --" };
    case 'forged-token': {
      // The buyer's real token with its payload swapped for an ADMIN claim (signature no longer matches).
      const [h, , s] = who.token.split('.');
      const claims = { sub: who.id, roles: ['ADMIN'], iss: stack.config.JWT_ISSUER, aud: stack.config.JWT_AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 };
      return { authorization: `Bearer ${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}` };
    }
  }
}

/** Wraps an arbitrary so the field is sometimes left out (undefined drops it from the JSON). */
const maybeMissing = <T>(arb: fc.Arbitrary<T>, missingWeight = 1): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: 8, arbitrary: arb }, { weight: missingWeight, arbitrary: fc.constant(undefined) });

const text = (maxHuge?: number) => hostileString({ maxHuge });

// ------------------------------------------------------------------ the probe itself

describe('the state probe behind "changes nothing"', () => {
  it('sees a one-unit change in a table row, a Redis hash field and a key expiry, and nothing once undone', async () => {
    const before = await probe.settled();
    const conn = stack.cart.deps.orm.em.getConnection();
    const row = 'where user_id = ? order by product_id limit 1';
    await conn.execute(`update cart_item set quantity = quantity + 1 ${row}`, [fullCartBuyer.id]);
    expect(probe.diff(before, await probe.snapshot())).toEqual([expect.stringMatching(/^table cart\.cart_item: rows=100 /)]);
    await conn.execute(`update cart_item set quantity = quantity - 1 ${row}`, [fullCartBuyer.id]);

    const key = `${stack.config.REDIS_PREFIX}${redisKeys.productStock(products.open)}`;
    await probe.redis.hincrby(key, 'available', 1);
    expect(probe.diff(before, await probe.snapshot())).toEqual([expect.stringMatching(/^redis stock:\{/)]);
    await probe.redis.hincrby(key, 'available', -1);
    await probe.redis.pexpire(key, 3_600_000);
    expect(probe.diff(before, await probe.snapshot())).toHaveLength(1);
    await probe.redis.persist(key);
    expect(probe.diff(before, await probe.snapshot())).toEqual([]);
  });
});

// ------------------------------------------------------------------ signUp

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { user { id email name phone address } userErrors { code message field attemptsLeft } } }`;

describe('signUp with hostile input', () => {
  it('never fails inside, never leaks, and a refused sign-up changes nothing (no live code for any address)', async () => {
    const hostileField = (extra: fc.Arbitrary<unknown> = fc.constant(undefined)) =>
      fc.oneof({ weight: 6, arbitrary: text() }, { weight: 1, arbitrary: wrongType }, { weight: 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: extra });
    const input = aroundValid(
      {
        email: fc.uuid().map((u) => `x-${u}@example.test`),
        code: fc.stringMatching(/^\d{6}$/),
        password: fc.constant(STRONG_PASSWORD),
        name: fc.constant('Ada Lovelace'),
        phone: fc.constant('+44 20 7946 0000'),
        address: fc.constant('Flat 1, 2 Example Road'),
      },
      {
        email: hostileField(),
        code: hostileField(hostileNumber),
        password: hostileField(),
        name: hostileField(),
        phone: hostileField(),
        address: hostileField(),
        roles: fc.constantFrom(['ADMIN'], 'ADMIN'),
      },
    );
    const variables = fc.oneof({ weight: 9, arbitrary: input.map((i) => ({ input: i })) }, { weight: 1, arbitrary: wrongType.map((w) => ({ input: w })) });
    await fc.assert(
      fc.asyncProperty(variables, async (vars) => {
        const { outcome } = await attempt('signUp', { query: SIGN_UP, variables: vars }, {}, payloadOutcome('signUp'));
        expect(outcome).toBe('refused'); // nobody holds a code, so no sign-up can succeed
      }),
      params(),
    );
  });

  it('with the right code, hostile profile text is refused without using the code, or stored exactly as data', async () => {
    const profile = fc.record({
      password: fc.oneof({ weight: 3, arbitrary: fc.constant(STRONG_PASSWORD) }, { weight: 2, arbitrary: text(300) }),
      name: fc.oneof({ weight: 1, arbitrary: fc.constant('Ada Lovelace') }, { weight: 3, arbitrary: text(300) }),
      phone: maybeMissing(fc.oneof(fc.constant('+44 20 7946 0000'), text(300)), 2),
      address: maybeMissing(text(1_000), 2),
    });
    await fc.assert(
      fc.asyncProperty(profile, async (p) => {
        const email = `signup-${randomUUID()}@example.test`;
        const since = mail.messages.length;
        const req = await stack.gql(REQUEST_CODE, { e: email });
        expect(req.errors).toBeUndefined();
        const code = await mail.waitForCode(email, { since });
        baseline = null; // the request above wrote the code
        const vars = { input: { email, code, ...p } };
        const { answer, outcome } = await attempt('signUp', { query: SIGN_UP, variables: vars }, {}, payloadOutcome('signUp'));
        const codeKey = `${stack.config.REDIS_PREFIX}${stack.user.services.verification.redisKeysFor(email).code}`;
        if (outcome === 'refused') {
          // Refused before the code was looked at: it is still live, with no try counted.
          expect(await probe.redis.hget(codeKey, 'attempts')).toBe('0');
          return;
        }
        const user = (answer.body!.data!.signUp as { user: { id: string; name: string; phone: string | null; address: string | null } }).user;
        const row = await stack.user.services.accounts.get(stack.user.deps.orm.em.fork(), user.id);
        const stored = (f: 'name' | 'phone' | 'address') => stack.user.services.accounts.reveal(row, f);
        expect(stored('name')).toBe(p.name.trim().normalize('NFC'));
        expect(user.name).toBe(stored('name'));
        if (p.address !== undefined && p.address.trim() !== '') expect(stored('address')).toBe(p.address.trim().normalize('NFC'));
        expect(await probe.redis.exists(codeKey)).toBe(0); // used once
      }),
      params(20),
    );
  });

  it('a wrong code against a live code counts one try and changes nothing else', async () => {
    const email = `tries-${randomUUID()}@example.test`;
    const since = mail.messages.length;
    await stack.gql(REQUEST_CODE, { e: email });
    const code = await mail.waitForCode(email, { since });
    const codeKey = stack.user.services.verification.redisKeysFor(email).code;
    const wrong = code === '000000' ? '000001' : '000000';
    const before = await probe.settled();
    const res = await postRaw(stack.gatewayUrl, { query: SIGN_UP, variables: { input: { email, code: wrong, password: STRONG_PASSWORD, name: "Robert'); DROP TABLE `user`;--" } } });
    expect(answerProblems(res, {})).toEqual([]);
    expect((res.body!.data!.signUp as { userErrors: Array<{ code: string; attemptsLeft: number }> }).userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID_CODE', attemptsLeft: stack.config.VERIFICATION_MAX_ATTEMPTS - 1 }),
    ]);
    const changed = probe.diff(before, await probe.snapshot());
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatch(new RegExp(`^redis ${codeKey.replace(/[{}]/g, '\\$&')}: .*\\["attempts","0"\\].* -> .*\\["attempts","1"\\]`));
    baseline = null;
  });
});

// ------------------------------------------------------------------ addToCart

const ADD = `mutation($productId: ID!, $quantity: Int) { addToCart(productId: $productId, quantity: $quantity) { cart { totalQuantity items { quantity product { id } } } userErrors { code message field limit currentQuantity } } }`;

describe('addToCart with hostile input', () => {
  beforeAll(async () => {
    // The buyer's cart already holds 60 units of the open product, so 40 more cross the line cap.
    const res = await stack.gql(ADD, { productId: products.open, quantity: 60 }, { token: buyer.token });
    expect(res.errors).toBeUndefined();
    baseline = null;
  });

  const productId = () =>
    fc.oneof(
      { weight: 4, arbitrary: knownProduct.chain((id) => fc.constantFrom(id, id.toUpperCase())) },
      { weight: 2, arbitrary: fc.uuid() },
      { weight: 3, arbitrary: knownProduct.chain(malformedId) },
      { weight: 1, arbitrary: wrongType },
      { weight: 1, arbitrary: hostileNumber },
    );
  const quantity = fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 99 }) },
    { weight: 5, arbitrary: hostileNumber },
    { weight: 2, arbitrary: fc.oneof(wrongType, text(200)) },
  );
  /** The same arguments written into the document itself, where out-of-range Int literals fail validation. */
  const literal = (v: unknown) => (typeof v === 'number' ? String(v) : JSON.stringify(v));

  it('never fails inside, never leaks, never takes a bad line, and a refusal changes nothing', async () => {
    const who = fc.oneof({ weight: 5, arbitrary: callerArb() }, { weight: 2, arbitrary: fc.constant<'full'>('full') });
    const form = fc.constantFrom<'variables' | 'inline'>('variables', 'variables', 'inline');
    await fc.assert(
      fc.asyncProperty(who, productId(), quantity, form, async (caller, pid, q, how) => {
        const headers = caller === 'full' ? headersOf('buyer', fullCartBuyer) : headersOf(caller);
        const inlinable = (typeof pid === 'string' || typeof pid === 'number') && (q === undefined || q === null || typeof q === 'number' || typeof q === 'string');
        const sent: Sent =
          how === 'inline' && inlinable
            ? { query: `mutation { addToCart(productId: ${literal(pid)}${q === undefined ? '' : `, quantity: ${q === null ? 'null' : literal(q)}`}) { cart { totalQuantity } userErrors { code message field } } }` }
            : { query: ADD, variables: { productId: pid, quantity: q } };
        const lineBefore = typeof pid === 'string' && UUID_RE.test(pid) ? await cartLine(caller === 'full' ? fullCartBuyer.id : buyer.id, pid.toLowerCase()) : 0;
        const { outcome } = await attempt('addToCart', sent, headers, payloadOutcome('addToCart'));
        if (outcome === 'accepted') {
          // Only what a correct client could have asked for gets in.
          const units = q ?? 1;
          expect(caller === 'buyer' || caller === 'full').toBe(true);
          expect(typeof pid === 'string' && UUID_RE.test(pid)).toBe(true);
          expect(Object.values(products).filter((p) => p !== products.inactive)).toContain(String(pid).toLowerCase());
          expect(Number.isInteger(units) && Number(units) >= 1 && Number(units) <= 99).toBe(true);
          expect(await cartLine(caller === 'full' ? fullCartBuyer.id : buyer.id, String(pid).toLowerCase())).toBe(lineBefore + Number(units));
        }
      }),
      params(60),
    );
  });
});

async function cartLine(userId: string, productId: string): Promise<number> {
  const rows = await stack.cart.deps.orm.em.getConnection().execute<Array<{ quantity: number }>>('select quantity from cart_item where user_id = ? and product_id = ?', [userId, productId]);
  return rows.length ? Number(rows[0].quantity) : 0;
}

// ------------------------------------------------------------------ placeOrder

const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id status total items { quantity product { id } } } userErrors { code message field productId } } }`;

describe('placeOrder with hostile input', () => {
  const usedKeys: string[] = [];
  type Line = Record<string, unknown>;
  /** 1 to 3 distinct products in any sale state, 1 to 3 units each: what a real checkout sends. */
  const validLines = fc
    .uniqueArray(knownProduct, { minLength: 1, maxLength: 3 })
    .chain((ids) => fc.array(fc.integer({ min: 1, max: 3 }), { minLength: ids.length, maxLength: ids.length }).map((qs) => ids.map((productId, i): Line => ({ productId, quantity: qs[i] }))));
  /** One thing wrong with the lines (or nothing). */
  const lineMutation = fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('none' as const) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('productId' as const), value: fc.oneof(fc.uuid(), knownProduct.chain(malformedId), wrongType, knownProduct.map((id) => id.toUpperCase())) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('quantity' as const), value: fc.oneof({ weight: 4, arbitrary: hostileNumber }, { weight: 1, arbitrary: fc.oneof(wrongType, text(100), fc.constant(undefined)) }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), times: fc.integer({ min: 1, max: 4 }), upper: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('unknownField' as const), value: fc.oneof(wrongType, text(50)) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('tooMany' as const), n: fc.integer({ min: 11, max: 1_500 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('replace' as const), value: fc.oneof(wrongType, fc.constant([])) }) },
  );
  const items = fc.tuple(validLines, lineMutation, fc.nat()).map(([lines, m, at]): unknown => {
    const i = at % lines.length;
    switch (m.kind) {
      case 'none':
        return lines;
      case 'productId':
        lines[i].productId = m.value;
        return lines;
      case 'quantity':
        if (m.value === undefined) delete lines[i].quantity;
        else lines[i].quantity = m.value;
        return lines;
      case 'duplicate':
        return [...lines, ...Array.from({ length: m.times }, () => ({ ...lines[i], productId: m.upper ? String(lines[i].productId).toUpperCase() : lines[i].productId }))];
      case 'unknownField':
        lines[i].userId = m.value;
        return lines;
      case 'tooMany':
        return Array.from({ length: m.n }, () => ({ productId: randomUUID(), quantity: 1 }));
      case 'replace':
        return m.value;
    }
  });
  const key = fc.oneof(
    { weight: 6, arbitrary: fc.uuid().map((u) => `checkout-${u}`) },
    { weight: 3, arbitrary: text(300) },
    { weight: 1, arbitrary: fc.constant('REUSE') },
    { weight: 1, arbitrary: fc.oneof(wrongType, hostileNumber) },
  );

  it('never fails inside, never leaks, never reserves a bad line, and a refusal changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(callerArb(), items, key, fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), async (caller, its, k, plainInput) => {
        const idempotencyKey = k === 'REUSE' ? (usedKeys[usedKeys.length - 1] ?? 'never-used') : k;
        const input = plainInput ? { items: its, idempotencyKey } : { items: its, idempotencyKey, userId: other.id, status: 'PREPARING' }; // fields a client may not set
        const { answer, outcome } = await attempt('placeOrder', { query: PLACE, variables: { input } }, headersOf(caller), payloadOutcome('placeOrder'));
        if (outcome === 'refused') return;
        // Accepted: exactly what a correct client may ask for.
        expect(caller).toBe('buyer');
        expect(plainInput).toBe(true); // unknown input fields are a validation error
        expect(typeof idempotencyKey === 'string' && /^[A-Za-z0-9_\-:.]{1,100}$/.test(idempotencyKey)).toBe(true);
        const lines = its as Line[];
        expect(Array.isArray(lines) && lines.length >= 1 && lines.length <= 10).toBe(true);
        expect(new Set(lines.map((l) => String(l.productId).toLowerCase())).size).toBe(lines.length);
        for (const l of lines) {
          expect(Object.keys(l).sort()).toEqual(['productId', 'quantity']);
          expect(BUYABLE.has(String(l.productId).toLowerCase())).toBe(true);
          expect(Number.isInteger(l.quantity) && (l.quantity as number) >= 1 && (l.quantity as number) <= 99).toBe(true);
        }
        const order = (answer.body!.data!.placeOrder as { order: { id: string; status: string } }).order;
        expect(order.status).toBe('PENDING_PAYMENT');
        usedKeys.push(idempotencyKey as string);
      }),
      params(60),
    );
  });
});

// ------------------------------------------------------------------ payOrder

const PAY = `mutation($orderId: ID!, $payment: PaymentInput!) { payOrder(orderId: $orderId, payment: $payment) { order { id status } userErrors { code message field } } }`;

describe('payOrder with hostile input', () => {
  const own: string[] = [];
  const foreign: string[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 8; i++) own.push((await placed(stack, buyer, [{ productId: products.open, quantity: 1 }])).id);
    for (let i = 0; i < 3; i++) foreign.push((await placed(stack, other, [{ productId: products.open, quantity: 1 }])).id);
    // one of each finished state: paid, and declined
    expect((await pay(stack, buyer, own[0])).payload?.order?.status).toBe('PREPARING');
    expect((await pay(stack, buyer, own[1], DECLINE_CARD)).payload?.userErrors[0]?.code).toBe('PAYMENT_DECLINED');
    baseline = null;
  });

  async function statusOf(id: unknown): Promise<{ status: string; userId: string } | null> {
    if (typeof id !== 'string' || !UUID_RE.test(id)) return null;
    const rows = await stack.order.deps.orm.em.getConnection().execute<Array<{ status: string; user_id: string }>>('select status, user_id from `order` where id = ?', [id]);
    return rows.length ? { status: rows[0].status, userId: rows[0].user_id } : null;
  }

  it('never fails inside, never leaks, never charges a bad request, and a refusal changes nothing', async () => {
    const orderId = fc.oneof(
      { weight: 5, arbitrary: fc.integer({ min: 0, max: 7 }).map((i) => ({ pick: 'own' as const, i })) },
      { weight: 3, arbitrary: fc.integer({ min: 0, max: 2 }).map((i) => ({ pick: 'foreign' as const, i })) },
      { weight: 2, arbitrary: fc.uuid().map((value) => ({ pick: 'value' as const, value: value as unknown })) },
      { weight: 3, arbitrary: malformedId(randomUUID()).map((value) => ({ pick: 'value' as const, value: value as unknown })) },
      { weight: 1, arbitrary: fc.oneof(wrongType, hostileNumber).map((value) => ({ pick: 'value' as const, value })) },
    );
    const card = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(SUCCESS_CARD, '4242 4242 4242 4242', '4242-4242-4242-4242', DECLINE_CARD) },
      { weight: 2, arbitrary: fc.stringMatching(/^\d{1,25}$/) },
      { weight: 4, arbitrary: text(300) },
      { weight: 1, arbitrary: fc.oneof(wrongType, hostileNumber) },
    );
    const payment = fc.oneof(
      { weight: 8, arbitrary: card.map((cardNumber) => ({ cardNumber }) as unknown) },
      { weight: 1, arbitrary: card.map((cardNumber) => ({ cardNumber, amount: 0, status: 'PAID' }) as unknown) },
      { weight: 1, arbitrary: wrongType },
    );
    await fc.assert(
      fc.asyncProperty(callerArb({ other: 2 }), orderId, payment, async (caller, target, pay) => {
        const id = target.pick === 'own' ? own[target.i] : target.pick === 'foreign' ? foreign[target.i] : target.value;
        const before = await statusOf(id);
        const { answer, outcome } = await attempt('payOrder', { query: PAY, variables: { orderId: id, payment: pay } }, headersOf(caller), (a) => {
          // A decline is a processed payment, not a refusal: its defined outcome moves the order (tested in order-lifecycle).
          const errors = (a.body?.data?.payOrder as { userErrors?: Array<{ code: string }> } | undefined)?.userErrors ?? [];
          return errors.some((e) => e.code === 'PAYMENT_DECLINED') ? 'accepted' : payloadOutcome('payOrder')(a);
        });
        if (outcome === 'refused') return;
        const after = await statusOf(id);
        const cardNumber = String((pay as { cardNumber?: unknown })?.cardNumber ?? '').replace(/[\s-]/g, '');
        expect(caller === 'buyer' || caller === 'other').toBe(true);
        expect(before?.status).toBe('PENDING_PAYMENT');
        expect(before?.userId).toBe(caller === 'buyer' ? buyer.id : other.id);
        expect(typeof (pay as { cardNumber?: unknown }).cardNumber === 'string' && /^\d{12,19}$/.test(cardNumber)).toBe(true);
        expect(Object.keys(pay as object)).toEqual(['cardNumber']);
        expect(after?.status).toBe(cardNumber === DECLINE_CARD ? 'PAYMENT_FAILED' : 'PREPARING');
        expect((answer.body!.data!.payOrder as { order: { status: string } }).order.status).toBe(after?.status);
      }),
      params(60),
    );
  });
});
