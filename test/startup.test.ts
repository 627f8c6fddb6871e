import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '..');
/** Runs a process entry point the way `npm start` does, but from source. */
function run(entry: string, env: Record<string, string>) {
  return spawnSync(process.execPath, ['-r', '@swc-node/register', entry], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', KEYS_DIR: resolve(root, '.keys'), ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('start-up failures are explained, never a stack trace', () => {
  it('exits at once naming the MySQL URL it tried when MySQL is unreachable', () => {
    const r = run('subgraphs/product/src/main.ts', { MYSQL_URL: 'mysql://root@127.0.0.1:1', PRODUCT_PORT: '0', DB_PREFIX: 'startup_probe' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Cannot reach MySQL at mysql://root@127.0.0.1:1');
    expect(r.stderr).toMatch(/start|MYSQL_URL/i);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits at once naming the Redis URL it tried when Redis is unreachable', () => {
    const r = run('subgraphs/cart/src/main.ts', { REDIS_URL: 'redis://127.0.0.1:1', CART_PORT: '0', DB_PREFIX: 'startup_probe' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Cannot reach Redis at redis://127.0.0.1:1');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits naming the variable when configuration is invalid', () => {
    const r = run('gateway/src/main.ts', { GATEWAY_PORT: 'not-a-port' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('GATEWAY_PORT');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
