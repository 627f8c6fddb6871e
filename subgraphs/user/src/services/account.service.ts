/**
 * Accounts: sign-up with an emailed code, the profile, password changes, admin creation and bulk
 * seeding. Sessions (login, tokens) are in session.service.ts.
 *
 * Invariants
 * - No plaintext email, name, phone or address is ever written to MySQL, Redis or the log: rows
 *   hold AES-256-GCM blobs bound to (user id, column) and a keyed blind index of the email.
 * - One account per normalised email, enforced by the unique blind index (a concurrent duplicate
 *   loses at the database and is answered EMAIL_TAKEN).
 * - Every rejected input changes nothing: validation and the password policy run before the code
 *   is consumed, and the code is consumed before anything is written.
 * - A verification code is asked for without revealing whether the address has an account. Only
 *   after the mailed code proves the caller owns the mailbox does signUp say EMAIL_TAKEN.
 */
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/mysql';
import { Logger, Role, assertValid, badInput, isBlank, notFound } from '@flashsale/platform';
import { User } from '../entities/user.entity';
import {
  AccountErrorCode,
  LogInArgs,
  RequestEmailVerificationPayload,
  SignUpInput,
  SignUpPayload,
  UpdateProfileInput,
  UpdateProfilePayload,
  accountError,
} from '../types/account.types';
import { PiiCipher } from './pii';
import { PasswordHasher } from './passwords';
import { VerificationService } from './verification.service';
import { boundedPassword, normaliseEmail, normaliseText, passwordWeakness, validEmail, validName } from './validation';

export type PiiField = 'email' | 'name' | 'phone' | 'address';
const COLUMN = { email: 'emailCipher', name: 'nameCipher', phone: 'phoneCipher', address: 'addressCipher' } as const;

export interface NewAccount {
  email: string;
  password: string;
  name: string;
  phone?: string | null;
  address?: string | null;
  roles?: Role[];
}

export class AccountService {
  constructor(
    private readonly pii: PiiCipher,
    private readonly passwords: PasswordHasher,
    private readonly logger: Logger,
    /** Absent in scripts (create-admin, seed:buyers), which never mail codes. */
    private readonly verification?: VerificationService,
  ) {}

  private verifier(): VerificationService {
    if (!this.verification) throw new Error('AccountService was built without email verification');
    return this.verification;
  }

  /** Mails a sign-up code. Same answer for known and unknown addresses. */
  async requestEmailVerification(rawEmail: string, clientIp: string): Promise<RequestEmailVerificationPayload> {
    const email = normaliseEmail(rawEmail);
    const sent = await this.verifier().request(email, clientIp);
    return Object.assign(new RequestEmailVerificationPayload(), sent);
  }

  async signUp(em: EntityManager, input: SignUpInput): Promise<SignUpPayload> {
    // SignUpInput's rules have refused malformed values; these are their stored forms.
    const email = normaliseEmail(input.email);
    const code = input.code.trim();
    const name = normaliseText(input.name);
    const phone = blankToNull(input.phone);
    const address = blankToNull(input.address);
    const password = input.password;
    const weakness = passwordWeakness(password);
    const payload = new SignUpPayload();
    if (weakness) {
      payload.userErrors.push(accountError(AccountErrorCode.WEAK_PASSWORD, weakness, { field: 'password' }));
      return payload;
    }

    const check = await this.verifier().consume(email, code);
    if (check.status !== 'OK') {
      payload.userErrors.push(
        check.status === 'WRONG'
          ? accountError(
              AccountErrorCode.INVALID_CODE,
              check.attemptsLeft > 0 ? `The code is not right; ${check.attemptsLeft} tries left` : 'The code is not right, and no tries are left; request a new code',
              { field: 'code', attemptsLeft: check.attemptsLeft },
            )
          : check.status === 'DEAD'
            ? accountError(AccountErrorCode.TOO_MANY_ATTEMPTS, 'Too many wrong tries for this code; request a new one', { field: 'code', attemptsLeft: 0 })
            : accountError(AccountErrorCode.CODE_EXPIRED, 'There is no live code for this email (it expired or was used); request a new one', { field: 'code' }),
      );
      return payload;
    }

    try {
      payload.user = await this.create(em, { email, password, name, phone, address });
      this.logger.info({ userId: payload.user.id }, 'account created');
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException)) throw err;
      payload.userErrors.push(accountError(AccountErrorCode.EMAIL_TAKEN, 'An account with this email already exists; log in instead', { field: 'email' }));
    }
    return payload;
  }

  /**
   * Writes a new account from already-validated values (sign-up, create-admin, test fixtures).
   * Throws UniqueConstraintViolationException when the email is taken.
   */
  async create(em: EntityManager, account: NewAccount): Promise<User> {
    const user = new User();
    const email = normaliseEmail(account.email);
    user.emailIndex = this.pii.blindIndex(email);
    user.passwordHash = await this.passwords.hash(account.password);
    if (account.roles) user.roles = [...account.roles];
    this.seal(user, { email, name: account.name, phone: account.phone ?? null, address: account.address ?? null });
    await em.persistAndFlush(user);
    return user;
  }

  /** Reads one personal field of `user` in clear. */
  reveal(user: User, field: PiiField): string | null {
    const blob = user[COLUMN[field]];
    return blob == null ? null : this.pii.open(blob, `user:${user.id}:${field}`);
  }

  /** Encrypts the given personal fields into `user` under the active key. */
  seal(user: User, values: Partial<Record<PiiField, string | null>>): void {
    for (const [field, value] of Object.entries(values) as [PiiField, string | null | undefined][]) {
      if (value === undefined) continue;
      if (field === 'email') user.emailCipher = this.pii.seal(value!, `user:${user.id}:email`);
      else if (field === 'name') user.nameCipher = this.pii.seal(value!, `user:${user.id}:name`);
      else user[COLUMN[field]] = value === null ? null : this.pii.seal(value, `user:${user.id}:${field}`);
    }
  }

  /** Re-encrypts the row under the active key when any blob was sealed under an older one. */
  reencryptIfStale(user: User): boolean {
    const fields = (Object.keys(COLUMN) as PiiField[]).filter((f) => user[COLUMN[f]] != null);
    if (!fields.some((f) => this.pii.isStale(user[COLUMN[f]]!))) return false;
    this.seal(user, Object.fromEntries(fields.map((f) => [f, this.reveal(user, f)])));
    return true;
  }

  async get(em: EntityManager, id: string): Promise<User> {
    const user = await em.findOne(User, { id });
    if (!user) throw notFound('User not found');
    return user;
  }

  async findByEmail(em: EntityManager, rawEmail: string, opts: { withPassword?: boolean } = {}): Promise<User | null> {
    return em.findOne(User, { emailIndex: this.pii.blindIndex(normaliseEmail(rawEmail)) }, opts.withPassword ? { populate: ['passwordHash'] } : {});
  }

  async updateProfile(em: EntityManager, userId: string, input: UpdateProfileInput): Promise<UpdateProfilePayload> {
    const changes: Partial<Record<PiiField, string | null>> = {};
    // UpdateProfileInput's rules have refused malformed values (and a null name).
    if (input.name != null) changes.name = normaliseText(input.name);
    if (input.phone !== undefined) changes.phone = blankToNull(input.phone);
    if (input.address !== undefined) changes.address = blankToNull(input.address);
    const user = await this.get(em, userId);
    this.reencryptIfStale(user);
    this.seal(user, changes);
    await em.flush();
    return Object.assign(new UpdateProfilePayload(), { user });
  }

  /** create-admin: creates an ADMIN account, or adds ADMIN to an existing one (its password is kept). */
  async createOrPromoteAdmin(em: EntityManager, rawEmail: string, password: string, name = 'Administrator'): Promise<{ user: User; created: boolean }> {
    // The command line is an edge of its own: the same rules as logIn's arguments, and a name.
    await assertValid(Object.assign(new LogInArgs(), { email: rawEmail, password }));
    const email = normaliseEmail(rawEmail);
    const existing = await this.findByEmail(em, email);
    if (existing) {
      if (!existing.roles.includes('ADMIN')) {
        existing.roles = [...existing.roles, 'ADMIN'];
        await em.flush();
      }
      return { user: existing, created: false };
    }
    const weakness = passwordWeakness(password);
    if (weakness) throw badInput(weakness, 'password');
    return { user: await this.create(em, { email, password, name: validName(name), roles: ['CUSTOMER', 'ADMIN'] }), created: true };
  }

  /**
   * Bulk verified CUSTOMER accounts for load tests: one INSERT per chunk, and one argon2 hash
   * shared by all of them (hashing thousands of distinct passwords would take minutes and prove
   * nothing a load test needs).
   */
  async seedCustomers(em: EntityManager, emails: string[], password: string, name = 'Load Test Buyer', chunk = 1000): Promise<Array<{ id: string; email: string }>> {
    const sharedHash = await this.passwords.hash(boundedPassword(password));
    const out: Array<{ id: string; email: string }> = [];
    for (let i = 0; i < emails.length; i += chunk) {
      const rows = emails.slice(i, i + chunk).map((raw) => {
        const email = validEmail(raw);
        const user = new User();
        user.emailIndex = this.pii.blindIndex(email);
        user.passwordHash = sharedHash;
        out.push({ id: user.id, email });
        this.seal(user, { email, name: `${name} ${out.length}` });
        return {
          id: user.id,
          emailIndex: user.emailIndex,
          emailCipher: user.emailCipher,
          nameCipher: user.nameCipher,
          phoneCipher: null,
          addressCipher: null,
          passwordHash: sharedHash,
          roles: ['CUSTOMER'] as Role[],
          createdAt: user.createdAt,
          updatedAt: user.updatedAt,
        };
      });
      await em.insertMany(User, rows);
    }
    return out;
  }
}

/** An optional text field as stored: null when left out or blank, else trimmed and NFC. */
function blankToNull(raw: string | null | undefined): string | null {
  return isBlank(raw) ? null : normaliseText(raw as string);
}
