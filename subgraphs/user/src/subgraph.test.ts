import { Writable } from 'node:stream';
import pino from 'pino';
import { ConfigError, loadConfig, loadSecrets } from '@flashsale/platform';
import { startUserSubgraph } from './subgraph';
import { createMailer } from './services/mailer';

describe('user subgraph start-up', () => {
  it('refuses to start in production without SMTP_URL, naming the variable, before touching MySQL', async () => {
    const config = loadConfig({ NODE_ENV: 'production', MYSQL_URL: 'mysql://nobody@127.0.0.1:1' });
    const err = await startUserSubgraph(config, pino({ level: 'silent' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/SMTP_URL: required when NODE_ENV=production/);
  });

  it('refuses to start in production without a signing key', () => {
    const config = loadConfig({ NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:25' });
    expect(() => loadSecrets(config, { needPrivateKey: true })).toThrow(/JWT_PRIVATE_KEY/);
  });

  it('in development without SMTP_URL writes the verification mail (with its code) to the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const mailer = createMailer(loadConfig({ NODE_ENV: 'development' }), pino({ level: 'info' }, sink));
    await mailer.send({ to: 'dev@example.test', subject: 'code', text: 'Your verification code is 123456' });
    expect(lines.join('')).toContain('Your verification code is 123456');
    expect(lines.join('')).toMatch(/SMTP_URL is not set/);
  });
});
