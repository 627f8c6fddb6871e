import { loadConfig, ConfigError, serviceUrl, databaseName } from '@flashsale/platform';

describe('configuration loader', () => {
  it('works with no variables set, using the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      GATEWAY_PORT: 4000,
      USER_PORT: 4001,
      MYSQL_URL: 'mysql://root@127.0.0.1:3306',
      REDIS_URL: 'redis://127.0.0.1:6379',
      ORDER_LOCK_SCOPE: 'script',
      ORDER_COMMIT_PARALLEL: 2,
      ADMISSION_MAX_IN_FLIGHT: 128,
      NODE_ENV: 'development',
    });
    expect(serviceUrl(config, 'order')).toBe('http://127.0.0.1:4004/graphql');
    expect(databaseName(config, 'cart')).toBe('flashsale_cart');
  });

  it.each([
    ['GATEWAY_PORT', 'abc'],
    ['MYSQL_URL', 'postgres://x'],
    ['REDIS_URL', 'localhost:6379'],
    ['ORDER_LOCK_SCOPE', 'global'],
    ['DB_PREFIX', 'Robert"); DROP'],
    ['PAYMENT_FAILURE_RATE', '2'],
    ['IDENTITY_SECRET', 'short'],
  ])('names the bad variable %s=%s', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`\\b${name}\\b`));
  });
});
