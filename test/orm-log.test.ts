/**
 * Knex's messages reach the process's structured logger, not bare console.log lines: a pooled
 * connection that MariaDB closes (KILL, as a restart or wait_timeout does) is reported as a JSON
 * warning when knex finds it dead. On the real MariaDB, in a database of its own.
 */
import 'reflect-metadata';
import { Writable } from 'node:stream';
import { createConnection } from 'mysql2/promise';
import { createLogger, databaseName, dropDatabase, initOrm, loadConfig } from '@flashsale/platform';
import { cartSubgraph } from '@flashsale/cart-subgraph';
import { testEnv } from './support/stack';
import { eventually } from './support/orders';

const config = loadConfig({ ...testEnv().env, MYSQL_POOL_SIZE: '1' });
afterAll(() => dropDatabase(config.MYSQL_URL, databaseName(config, 'cart')));

it('a pooled connection killed by the server is logged as a JSON warning, and nothing goes to console.log', async () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const logger = createLogger({ LOG_LEVEL: 'warn', NODE_ENV: 'test' }, 'cart', sink);
  const consoleLog = jest.spyOn(console, 'log');
  const orm = await initOrm({ config, service: 'cart', entities: cartSubgraph.entities, migrations: cartSubgraph.migrations, logger });
  const admin = await createConnection({ uri: config.MYSQL_URL });
  try {
    const conn = orm.em.getConnection();
    const [{ id }] = await conn.execute<{ id: number }[]>('select connection_id() as id');
    await admin.query(`KILL ${Number(id)}`);
    // The pool's one connection is dead; once the client has seen it close, knex finds it so on
    // the next acquire and opens another. (A query sent before that fails, and is sent again.)
    let next = id;
    await eventually(async () => {
      next = (await conn.execute<{ id: number }[]>('select connection_id() as id').catch(() => [{ id }]))[0].id;
      return next !== id;
    });
    const warning = lines.find((l) => l.component === 'knex');
    expect(warning).toMatchObject({ level: 40, service: 'cart', component: 'knex' });
    expect(String(warning?.msg)).toMatch(/^Connection Error: .*closed the connection/);
    expect(consoleLog.mock.calls.flat().join('\n')).not.toMatch(/Connection Error/);
  } finally {
    consoleLog.mockRestore();
    await admin.end();
    await orm.close(true);
  }
});
