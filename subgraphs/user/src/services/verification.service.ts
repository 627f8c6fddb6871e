/**
 * Email verification codes for sign-up.
 *
 * Invariants
 * - A code is 6 digits from crypto.randomInt, stored only as an HMAC in a Redis hash keyed by a
 *   keyed fingerprint of the email (no address in Redis), living VERIFICATION_CODE_TTL_SECONDS.
 * - One live code per email: a new request replaces it, and is allowed only after the resend
 *   cooldown and within the hourly caps per email and per client address.
 * - `consume` is one Lua script: the right code deletes the hash (used once); a wrong one counts
 *   a try; after VERIFICATION_MAX_ATTEMPTS wrong tries the code is dead even if later guessed.
 * - The answer to a request never depends on whether the address has an account.
 */
import { randomInt } from 'node:crypto';
import type Redis from 'ioredis';
import { Config, Logger, rateLimited, unavailable } from '@flashsale/platform';
import type { Mailer } from './mailer';
import type { PiiCipher } from './pii';
import { Limit, take } from './throttle';

const keys = {
  code: (fp: string) => `user:verify:{${fp}}`,
  cooldown: (fp: string) => `user:verify:{${fp}}:cooldown`,
};

// KEYS: code hash. ARGV: presented code mac, max attempts.
const CONSUME = `
local stored = redis.call('HGET', KEYS[1], 'mac')
if not stored then return {'MISSING', 0} end
local attempts = tonumber(redis.call('HGET', KEYS[1], 'attempts') or '0')
local max = tonumber(ARGV[2])
if attempts >= max then return {'DEAD', 0} end
if stored == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return {'OK', 0}
end
attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
return {'WRONG', max - attempts}
`;

export type ConsumeResult = { status: 'OK' } | { status: 'MISSING' } | { status: 'DEAD' } | { status: 'WRONG'; attemptsLeft: number };

type Scripted = Redis & { verificationConsume(key: string, mac: string, max: number): Promise<[string, number]> };

export class VerificationService {
  private readonly redis: Scripted;
  private readonly sendsPerEmail: Limit;
  private readonly sendsPerIp: Limit;

  constructor(
    redis: Redis,
    private readonly config: Config,
    private readonly pii: PiiCipher,
    private readonly mailer: Mailer,
    private readonly logger: Logger,
  ) {
    redis.defineCommand('verificationConsume', { numberOfKeys: 1, lua: CONSUME });
    this.redis = redis as Scripted;
    this.sendsPerEmail = new Limit(redis, 'verify-email', config.VERIFICATION_MAX_SENDS_PER_EMAIL_PER_HOUR, 3600);
    this.sendsPerIp = new Limit(redis, 'verify-ip', config.VERIFICATION_MAX_SENDS_PER_IP_PER_HOUR, 3600);
  }

  // Keyed with the server secret: whoever reads Redis cannot try the million codes offline.
  private mac(fp: string, code: string): string {
    return this.pii.fingerprint('verify-code', `${fp}\n${code}`);
  }

  /** Mails a fresh code to `email` (already normalised and valid). */
  async request(email: string, clientIp: string): Promise<{ codeExpiresAt: Date; resendAvailableAt: Date }> {
    const c = this.config;
    const fp = this.pii.fingerprint('verify', email);
    const cooldown = c.VERIFICATION_RESEND_COOLDOWN_SECONDS;
    // The cooldown is the first gate, so a resend during it does not eat the hourly caps.
    const claimed = await this.redis.set(keys.cooldown(fp), '1', 'EX', cooldown, 'NX');
    if (claimed !== 'OK') throw rateLimited(Math.max(1, await this.redis.ttl(keys.cooldown(fp))));
    try {
      await take(this.sendsPerEmail.bind(fp), this.sendsPerIp.bind(clientIp || 'unknown'));
    } catch (err) {
      await this.redis.del(keys.cooldown(fp));
      throw err;
    }

    const code = randomInt(0, 1_000_000).toString().padStart(6, '0');
    const ttl = c.VERIFICATION_CODE_TTL_SECONDS;
    await this.redis
      .multi()
      .del(keys.code(fp))
      .hset(keys.code(fp), { mac: this.mac(fp, code), attempts: 0 })
      .expire(keys.code(fp), ttl)
      .exec();
    const minutes = Math.round(ttl / 60);
    try {
      await this.mailer.send({
        to: email,
        subject: 'Your Flash Sale verification code',
        text: `Your verification code is ${code}\n\nIt expires in ${minutes >= 1 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : `${ttl} seconds`}. If you did not ask for it, ignore this mail.\n`,
      });
    } catch (err) {
      // Nothing was delivered: take the code back and let the user retry at once.
      await this.redis.del(keys.code(fp), keys.cooldown(fp));
      this.logger.error({ err }, 'verification mail could not be sent');
      throw unavailable('The verification email could not be sent; please retry');
    }
    const now = Date.now();
    return { codeExpiresAt: new Date(now + ttl * 1000), resendAvailableAt: new Date(now + cooldown * 1000) };
  }

  /** Checks `code` for `email`; the right code is used up, a wrong one counts a try. */
  async consume(email: string, code: string): Promise<ConsumeResult> {
    const fp = this.pii.fingerprint('verify', email);
    const [status, left] = await this.redis.verificationConsume(keys.code(fp), this.mac(fp, code), this.config.VERIFICATION_MAX_ATTEMPTS);
    if (status === 'WRONG') return { status, attemptsLeft: Number(left) };
    return { status: status as 'OK' | 'MISSING' | 'DEAD' };
  }

  /** Redis keys kept for `email` (operations and tests move time by expiring them). */
  redisKeysFor(email: string): { code: string; cooldown: string } {
    const fp = this.pii.fingerprint('verify', email);
    return { code: keys.code(fp), cooldown: keys.cooldown(fp) };
  }
}
