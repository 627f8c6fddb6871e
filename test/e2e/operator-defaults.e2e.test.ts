/**
 * Issue 12, item 5: what an operator or a user would trip on.
 *  - `npm run db:migrate` / `npm run db:reset` work on a fresh database (real npm processes,
 *    configured through a `.env` file, which proves that file is read outside Docker Compose);
 *  - the gateway turns Apollo's usage telemetry off unless the operator set it;
 *  - anonymous (and foreign) `_entities` on the user subgraph do not reveal `roles`/`createdAt`;
 *  - an access token whose `roles` claim is not a list of known roles is refused 401.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';
import { createConnection } from 'mysql2/promise';
import { SignJWT } from 'jose';
import { ACCESS_TOKEN_ALG, SERVICES, deletePrefixedKeys, dropDatabase } from '@flashsale/platform';
import { startStack, Stack, GraphQLResponse } from '../support/stack';
import { createTestUser } from '../support/users';
import { CATEGORY_IDS } from '../support/catalog';
import { graphql } from '../gql';
import { signedHeaders } from '../support/signed';
import { userMigrations } from '@flashsale/user-subgraph';
import { productMigrations } from '@flashsale/product-subgraph';
import { cartMigrations } from '@flashsale/cart-subgraph';
import { orderMigrations } from '@flashsale/order-subgraph';

const ROOT = resolve(__dirname, '../..');
const telemetryBefore = process.env.APOLLO_TELEMETRY_DISABLED;
let stack: Stack;
beforeAll(async () => {
  delete process.env.APOLLO_TELEMETRY_DISABLED;
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
  if (telemetryBefore === undefined) delete process.env.APOLLO_TELEMETRY_DISABLED;
  else process.env.APOLLO_TELEMETRY_DISABLED = telemetryBefore;
});

const codeOf = (r: GraphQLResponse) => r.errors?.[0]?.extensions?.code;

describe('npm run db:migrate and db:reset on a fresh database', () => {
  const prefix = `t_dbm${randomBytes(4).toString('hex')}`;
  const redisPrefix = `t:dbm${randomBytes(4).toString('hex')}:`;
  const dir = mkdtempSync(join(tmpdir(), 'flashsale-env-'));
  const envFile = join(dir, 'test.env');
  const mysqlUrl = process.env.MYSQL_URL || 'mysql://root@127.0.0.1:3306';
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  afterAll(async () => {
    await Promise.all(SERVICES.map((s) => dropDatabase(mysqlUrl, `${prefix}_${s}`)));
    const redis = new Redis(redisUrl);
    await deletePrefixedKeys(redis, redisPrefix).finally(() => redis.quit());
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs an npm script as a user would; its configuration comes only from the .env file. */
  const npm = (script: string, ...args: string[]) =>
    new Promise<{ code: number | null; out: string }>((done) => {
      const env: NodeJS.ProcessEnv = { ...process.env, ENV_FILE: envFile, NODE_ENV: 'development' };
      for (const k of ['DB_PREFIX', 'REDIS_PREFIX', 'MYSQL_URL', 'REDIS_URL']) delete env[k];
      const child = spawn('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], { cwd: ROOT, env });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('close', (code) => done({ code, out }));
    });
  const query = async (sql: string) => {
    const conn = await createConnection({ uri: mysqlUrl });
    try {
      return ((await conn.query(sql)) as unknown as [Array<Record<string, unknown>>])[0];
    } finally {
      await conn.end();
    }
  };
  const expected: Record<string, number> = { user: userMigrations.length, product: productMigrations.length, cart: cartMigrations.length, order: orderMigrations.length };

  it('db:migrate creates and migrates all four databases; db:reset empties them and the Redis keys', async () => {
    writeFileSync(envFile, `# read through ENV_FILE\nMYSQL_URL=${mysqlUrl}\nREDIS_URL=${redisUrl}\nDB_PREFIX=${prefix}\nREDIS_PREFIX=${redisPrefix}\n`);
    expect(await query(`SHOW DATABASES LIKE '${prefix}\\_%'`)).toHaveLength(0);

    const migrate = await npm('db:migrate');
    expect(migrate).toEqual({ code: 0, out: expect.stringContaining(`${prefix}_order`) });
    for (const s of SERVICES) {
      const rows = await query(`SELECT name FROM \`${prefix}_${s}\`.mikro_orm_migrations`);
      expect({ s, n: rows.length }).toEqual({ s, n: expected[s] });
    }
    // Again: nothing to do, still success.
    expect((await npm('db:migrate', 'product')).code).toBe(0);

    // Data in a database and in Redis, then reset.
    await query(`INSERT INTO \`${prefix}_product\`.category (id, name, created_at) VALUES ('${randomUUID()}', 'Doomed', NOW())`);
    expect(await query(`SELECT name FROM \`${prefix}_product\`.category`)).toEqual([{ name: 'Doomed' }]);
    const redis = new Redis(redisUrl);
    try {
      await redis.set(`${redisPrefix}stock:doomed`, '1');
      const reset = await npm('db:reset');
      expect(reset.code).toBe(0);
      expect(await query(`SELECT * FROM \`${prefix}_product\`.category`)).toEqual([]);
      for (const s of SERVICES) expect((await query(`SELECT name FROM \`${prefix}_${s}\`.mikro_orm_migrations`)).length).toBe(expected[s]);
      expect(await redis.exists(`${redisPrefix}stock:doomed`)).toBe(0);
    } finally {
      await redis.quit();
    }

    // Production asks for --yes before dropping anything; an unknown subgraph is refused.
    writeFileSync(envFile, `MYSQL_URL=${mysqlUrl}\nREDIS_URL=${redisUrl}\nDB_PREFIX=${prefix}\nREDIS_PREFIX=${redisPrefix}\n`);
    const prod = await new Promise<number | null>((done) => {
      const env: NodeJS.ProcessEnv = { ...process.env, ENV_FILE: envFile, NODE_ENV: 'production' };
      delete env.DB_PREFIX;
      spawn('npm', ['run', '--silent', 'db:reset'], { cwd: ROOT, env, stdio: 'ignore' }).on('close', done);
    });
    expect(prod).toBe(1);
    expect((await query(`SHOW DATABASES LIKE '${prefix}\\_%'`)).length).toBe(4);
    expect((await npm('db:migrate', 'nope')).code).toBe(1);
  }, 120_000);
});

describe('Apollo usage telemetry', () => {
  it('is off unless the operator set APOLLO_TELEMETRY_DISABLED', () => {
    expect(process.env.APOLLO_TELEMETRY_DISABLED).toBe('true');
  });
});

describe('User.roles and User.createdAt through _entities', () => {
  // Sent to the user subgraph itself (_entities is not in the API schema): raw queries.
  const ENTITIES = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { id roles createdAt } } }`;

  it('are refused to anonymous and foreign callers, and shown to the user and admins', async () => {
    const u = await createTestUser(stack, { roles: ['CUSTOMER', 'ADMIN'] });
    const reps = [{ __typename: 'User', id: u.id }];
    const anonymous = await stack.gql(ENTITIES, { reps }, { url: stack.user.url });
    expect(codeOf(anonymous)).toBe('FORBIDDEN');
    expect(JSON.stringify(anonymous.data ?? null)).not.toMatch(/ADMIN|CUSTOMER|\d{4}-\d\d-\d\d/);
    for (const field of ['roles', 'createdAt']) {
      const one = await stack.gql(`query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { id ${field} } } }`, { reps }, { url: stack.user.url });
      expect(codeOf(one)).toBe('FORBIDDEN');
    }
    const as = (identity: { userId: string; roles: Array<'CUSTOMER' | 'ADMIN'> }) =>
      stack.gql(ENTITIES, { reps }, { url: stack.user.url, headers: signedHeaders(stack.user.deps.secrets.identitySecret, identity, stack.user.url, { query: ENTITIES, variables: { reps } }) });
    expect(codeOf(await as({ userId: randomUUID(), roles: ['CUSTOMER'] }))).toBe('FORBIDDEN');
    const admin = await as({ userId: randomUUID(), roles: ['ADMIN'] });
    expect(admin.errors).toBeUndefined();
    expect((admin.data as { _entities: Array<{ roles: string[] }> })._entities[0].roles).toEqual(['CUSTOMER', 'ADMIN']);

    // Through the gateway, the user still reads their own.
    const me = await stack.gql(graphql(`query OperatorMeRoles { me { id roles createdAt } }`), {}, { token: u.token });
    expect(me.errors).toBeUndefined();
    expect(me.data?.me).toEqual({ id: u.id, roles: ['CUSTOMER', 'ADMIN'], createdAt: expect.any(String) });
  });
});

describe('an access token whose roles claim is not a list of known roles', () => {
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid: stack.signer.keyId, typ: 'JWT' })
      .setSubject(randomUUID())
      .setIssuer(stack.signer.issuer)
      .setAudience(stack.signer.audience)
      .setIssuedAt()
      .setExpirationTime('5m')
      .setJti(randomUUID())
      .sign(stack.signer.privateKey);

  it.each([
    ['missing', {}],
    ['a string', { roles: 'ADMIN' }],
    ['an object', { roles: { ADMIN: true } }],
    ['null', { roles: null }],
    ['an unknown role', { roles: ['CUSTOMER', 'ROOT'] }],
    ['a number in the list', { roles: [1] }],
  ])('is refused 401 when the claim is %s', async (_name, claims) => {
    const res = await stack.gql(CATEGORY_IDS, {}, { token: await sign(claims) });
    expect(res.status).toBe(401);
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
  });

  it('is accepted when the claim is a list of known roles', async () => {
    const res = await stack.gql(CATEGORY_IDS, {}, { token: await sign({ roles: ['CUSTOMER'] }) });
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
  });
});
