import { CONFIG_SECTIONS, configSchema, loadConfig, ConfigError, serviceUrl, databaseName } from '@flashsale/platform';

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

  describe('a section per process', () => {
    it("the gateway starts on its defaults when an order setting is malformed; the order subgraph refuses it, naming it", () => {
      const env = { ORDER_LOCK_TTL_MS: 'soon', MYSQL_URL: 'not-a-url' };
      expect(loadConfig(env, 'gateway')).toMatchObject({ ORDER_LOCK_TTL_MS: 10_000, MYSQL_URL: 'mysql://root@127.0.0.1:3306' });
      expect(() => loadConfig(env, 'order')).toThrow(/ORDER_LOCK_TTL_MS[\s\S]*MYSQL_URL|MYSQL_URL[\s\S]*ORDER_LOCK_TTL_MS/);
      expect(() => loadConfig({ ORDER_LOCK_TTL_MS: 'soon' }, 'order')).toThrow(/\bORDER_LOCK_TTL_MS\b/);
      expect(() => loadConfig({ MYSQL_URL: 'not-a-url' }, 'cart')).toThrow(/\bMYSQL_URL\b/);
    });

    it('a subgraph ignores a malformed gateway setting; the gateway refuses it', () => {
      expect(loadConfig({ MAX_QUERY_DEPTH: 'deep' }, 'product').MAX_QUERY_DEPTH).toBe(12);
      expect(() => loadConfig({ MAX_QUERY_DEPTH: 'deep' }, 'gateway')).toThrow(/\bMAX_QUERY_DEPTH\b/);
    });

    it('a shared variable is checked by every process, and valid values of other sections are kept as given', () => {
      for (const name of ['gateway', 'user', 'product', 'cart', 'order'] as const) {
        expect(() => loadConfig({ REDIS_URL: 'nope' }, name)).toThrow(/\bREDIS_URL\b/);
      }
      expect(loadConfig({ PAYMENT_TIMEOUT_MS: '1234' }, 'gateway').PAYMENT_TIMEOUT_MS).toBe(1234);
    });

    it('every section names variables the loader knows', () => {
      const known = Object.keys(configSchema.shape);
      for (const names of Object.values(CONFIG_SECTIONS)) for (const name of names) expect(known).toContain(name);
    });
  });
});
