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
    // Knex learns that an idle pooled connection died from its 'error' event, and says so on the
    // next acquire. (A query already in flight when the server closes it gets the error instead,
    // and nothing is logged: so nothing is sent until the server has dropped the connection and
    // the client, idle, has had time to see its socket close.)
    await eventually(async () => {
      const [rows] = await admin.query('select id from information_schema.processlist where id = ?', [id]);
      return (rows as unknown[]).length === 0;
    });
    await new Promise((r) => setTimeout(r, 1000));
    const [{ id: next }] = await conn.execute<{ id: number }[]>('select connection_id() as id');
    expect(next).not.toBe(id);
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
