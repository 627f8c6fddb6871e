/**
 * Sessions: logIn, refreshTokens, logOut, logOutEverywhere, changePassword.
 *
 * Invariants
 * - An access token is an ES256 JWT (kid, sub, roles, iss, aud, exp, jti) valid
 *   ACCESS_TOKEN_TTL_SECONDS; roles are read from the database at every login and refresh, so a
 *   promotion or demotion takes effect at the next refresh.
 * - Wrong email and wrong password give the same answer (INVALID_CREDENTIALS) after the same
 *   work: an unknown email is checked against a dummy argon2 hash.
 * - Failed logins are counted per email and per client address in fixed windows; an attempt
 *   beyond either limit is refused with RATE_LIMITED before the password is looked at, so a
 *   correct password does not help during a lock-out. A success clears the email's count.
 * - Refresh tokens rotate on every use (refresh-tokens.ts); presenting a rotated one revokes its
 *   family and is logged at warn level with `securityEvent: "refresh_token_reuse"`.
 * - changePassword ends every session of the user, then starts a new one for the caller.
 */
import type { EntityManager } from '@mikro-orm/mysql';
import type Redis from 'ioredis';
import { AccessTokenSigner, Config, ConfigError, Logger, makeSigner, signAccessToken } from '@flashsale/platform';
import type { Secrets } from '@flashsale/platform';
import { User } from '../entities/user.entity';
import { AccountErrorCode, AuthPayload, LogOutPayload, accountError } from '../types/account.types';
import type { AccountService } from './account.service';
import { PasswordHasher } from './passwords';
import { PiiCipher } from './pii';
import { RefreshTokenStore } from './refresh-tokens';
import { BoundLimit, Limit, refund, reset, take } from './throttle';
import { normaliseEmail, passwordWeakness } from './validation';

export class SessionService {
  readonly signer: AccessTokenSigner;
  readonly refreshTokens: RefreshTokenStore;
  private readonly failuresPerEmail: Limit;
  private readonly failuresPerIp: Limit;
  private readonly passwordFailuresPerUser: Limit;

  constructor(
    private readonly config: Config,
    secrets: Secrets,
    redis: Redis,
    private readonly pii: PiiCipher,
    private readonly passwords: PasswordHasher,
    private readonly accounts: AccountService,
    private readonly logger: Logger,
  ) {
    if (!secrets.jwtPrivateKeyPem) {
      throw new ConfigError('Invalid environment configuration:\n  JWT_PRIVATE_KEY: the user subgraph signs access tokens and needs the private key');
    }
    this.signer = makeSigner(
      secrets.jwtPrivateKeyPem,
      secrets.jwtKeyId,
      { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
      config.ACCESS_TOKEN_TTL_SECONDS,
    );
    this.refreshTokens = new RefreshTokenStore(redis, {
      ttlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
      reuseGraceSeconds: config.REFRESH_TOKEN_REUSE_GRACE_SECONDS,
      secret: secrets.identitySecret,
    });
    const window = config.LOGIN_THROTTLE_WINDOW_SECONDS;
    this.failuresPerEmail = new Limit(redis, 'login-email', config.LOGIN_MAX_FAILURES_PER_EMAIL, window);
    this.failuresPerIp = new Limit(redis, 'login-ip', config.LOGIN_MAX_FAILURES_PER_IP, window);
    this.passwordFailuresPerUser = new Limit(redis, 'password-user', config.LOGIN_MAX_FAILURES_PER_EMAIL, window);
  }

  /** The login failure windows of an email and a client address. */
  loginLimits(email: string, clientIp: string): { email: BoundLimit; ip: BoundLimit } {
    return { email: this.failuresPerEmail.bind(this.pii.fingerprint('login', email)), ip: this.failuresPerIp.bind(clientIp || 'unknown') };
  }

  async logIn(em: EntityManager, rawEmail: string, password: string, clientIp: string): Promise<AuthPayload> {
    const email = normaliseEmail(rawEmail);
    const limits = this.loginLimits(email, clientIp);
    await take(limits.email, limits.ip);

    const user = await this.accounts.findByEmail(em, email, { withPassword: true });
    const ok = await this.passwords.verifyOrDummy(user?.passwordHash, password);
    if (!user || !ok) {
      this.logger.info({ event: 'login_failed', clientIp }, 'login failed');
      const payload = new AuthPayload();
      payload.userErrors.push(accountError(AccountErrorCode.INVALID_CREDENTIALS, 'Email or password is incorrect'));
      return payload;
    }

    await Promise.all([reset(limits.email), refund(limits.ip)]);
    // Keep stored secrets current: stronger argon2 settings and the active PII key apply on next login.
    let dirty = this.accounts.reencryptIfStale(user);
    if (this.passwords.needsRehash(user.passwordHash)) {
      user.passwordHash = await this.passwords.hash(password);
      dirty = true;
    }
    if (dirty) await em.flush();
    return this.startSession(user);
  }

  /** A new session (refresh-token family) and access token for `user`. */
  async startSession(user: User): Promise<AuthPayload> {
    const [access, refresh] = await Promise.all([
      signAccessToken(this.signer, { userId: user.id, roles: user.roles }),
      this.refreshTokens.issue(user.id),
    ]);
    return Object.assign(new AuthPayload(), {
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken: refresh.token,
      refreshTokenExpiresAt: refresh.expiresAt,
      user,
    });
  }

  async refresh(em: EntityManager, refreshToken: string, clientIp: string): Promise<AuthPayload> {
    const payload = new AuthPayload();
    const rotated = await this.refreshTokens.rotate(refreshToken);
    if (rotated.status === 'REUSED') {
      this.logger.warn(
        { securityEvent: 'refresh_token_reuse', userId: rotated.userId, family: rotated.familyId, clientIp },
        'security: an already-rotated refresh token was presented; its session was revoked',
      );
      payload.userErrors.push(
        accountError(AccountErrorCode.REFRESH_TOKEN_REUSED, 'This refresh token was already used; the session was ended for safety. Log in again', {
          field: 'refreshToken',
        }),
      );
      return payload;
    }
    if (rotated.status === 'OK' && rotated.retried) {
      this.logger.info({ userId: rotated.userId, clientIp }, 'a refresh was retried within the reuse grace; answered with the same successor');
    }
    const user = rotated.status === 'OK' ? await em.findOne(User, { id: rotated.userId }) : null;
    if (rotated.status !== 'OK' || !user) {
      if (rotated.status === 'OK') await this.refreshTokens.revoke(rotated.token);
      payload.userErrors.push(accountError(AccountErrorCode.INVALID_REFRESH_TOKEN, 'The refresh token is not valid (expired, logged out or unknown). Log in again', { field: 'refreshToken' }));
      return payload;
    }
    const access = await signAccessToken(this.signer, { userId: user.id, roles: user.roles });
    return Object.assign(payload, {
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken: rotated.token,
      refreshTokenExpiresAt: rotated.expiresAt,
      user,
    });
  }

  /** Ends the session the refresh token belongs to. */
  async logOut(refreshToken: string): Promise<LogOutPayload> {
    const payload = new LogOutPayload();
    const ended = await this.refreshTokens.revoke(refreshToken);
    if (!ended) {
      payload.userErrors.push(accountError(AccountErrorCode.INVALID_REFRESH_TOKEN, 'The refresh token is not valid (expired, logged out or unknown)', { field: 'refreshToken' }));
      return payload;
    }
    return Object.assign(payload, { success: true, revokedSessions: 1 });
  }

  /** Ends every session of the user. Access tokens already issued live out their 15 minutes. */
  async logOutEverywhere(userId: string): Promise<LogOutPayload> {
    const revokedSessions = await this.refreshTokens.revokeAll(userId);
    return Object.assign(new LogOutPayload(), { success: true, revokedSessions });
  }

  async changePassword(em: EntityManager, userId: string, oldPassword: string, newPassword: string): Promise<AuthPayload> {
    const payload = new AuthPayload();
    const weakness = passwordWeakness(newPassword);
    if (weakness) {
      payload.userErrors.push(accountError(AccountErrorCode.WEAK_PASSWORD, weakness, { field: 'newPassword' }));
      return payload;
    }
    // A stolen access token must not become a password-guessing oracle.
    const limit = this.passwordFailuresPerUser.bind(userId);
    await take(limit);
    const user = await em.findOne(User, { id: userId }, { populate: ['passwordHash'] });
    if (!user || !(await this.passwords.verify(user.passwordHash, oldPassword))) {
      payload.userErrors.push(accountError(AccountErrorCode.WRONG_PASSWORD, 'The current password is not right', { field: 'oldPassword' }));
      return payload;
    }
    await reset(limit);
    user.passwordHash = await this.passwords.hash(newPassword);
    await em.flush();
    const revoked = await this.refreshTokens.revokeAll(user.id);
    this.logger.info({ userId: user.id, revokedSessions: revoked }, 'password changed; all sessions ended');
    return this.startSession(user);
  }
}
