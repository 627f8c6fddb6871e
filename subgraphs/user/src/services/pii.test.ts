import { randomBytes } from 'node:crypto';
import { PiiCipher } from './pii';
import { AccountService } from './account.service';
import { PasswordHasher } from './passwords';
import { User } from '../entities/user.entity';
import pino from 'pino';

const key = () => randomBytes(32);
const blindKey = randomBytes(32);

describe('personal data encryption', () => {
  const k1 = key();
  const cipher = new PiiCipher(new Map([['k1', k1]]), 'k1', blindKey);

  it('round-trips text (including non-ASCII) and never repeats a ciphertext', () => {
    const a = cipher.seal('Zoë Ångström, 東京', 'user:1:name');
    const b = cipher.seal('Zoë Ångström, 東京', 'user:1:name');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.k1\./);
    expect(cipher.open(a, 'user:1:name')).toBe('Zoë Ångström, 東京');
  });

  it('refuses a blob moved to another user or column, or altered', () => {
    const blob = cipher.seal('alice@example.com', 'user:1:email');
    expect(() => cipher.open(blob, 'user:2:email')).toThrow();
    expect(() => cipher.open(blob, 'user:1:name')).toThrow();
    const parts = blob.split('.');
    const ct = Buffer.from(parts[4], 'base64url');
    ct[0] ^= 1;
    parts[4] = ct.toString('base64url');
    expect(() => cipher.open(parts.join('.'), 'user:1:email')).toThrow();
  });

  it('after rotation, old rows stay readable and new data goes under the new key', () => {
    const old = cipher.seal('+1 555 0100', 'user:1:phone');
    const rotated = new PiiCipher(new Map([['k2', key()], ['k1', k1]]), 'k2', blindKey);
    expect(rotated.open(old, 'user:1:phone')).toBe('+1 555 0100');
    expect(rotated.isStale(old)).toBe(true);
    expect(rotated.seal('x', 'c')).toMatch(/^v1\.k2\./);
    // Without the old key the old row cannot be read: keys must stay configured until re-encrypted.
    expect(() => new PiiCipher(new Map([['k2', key()]]), 'k2', blindKey).open(old, 'user:1:phone')).toThrow(/k1/);
  });

  it('re-encrypts a row sealed under an old key, keeping its values', () => {
    const logger = pino({ level: 'silent' });
    const hasher = new PasswordHasher({ ARGON2_MEMORY_KIB: 8192, ARGON2_TIME_COST: 1, ARGON2_PARALLELISM: 1 });
    const before = new AccountService(cipher, hasher, logger);
    const user = new User();
    before.seal(user, { email: 'bob@example.com', name: 'Bob', phone: null, address: 'Main St 1' });
    const after = new AccountService(new PiiCipher(new Map([['k2', key()], ['k1', k1]]), 'k2', blindKey), hasher, logger);
    expect(after.reencryptIfStale(user)).toBe(true);
    expect([user.emailCipher, user.nameCipher, user.addressCipher].every((b) => b!.startsWith('v1.k2.'))).toBe(true);
    expect(user.phoneCipher).toBeNull();
    expect(['email', 'name', 'phone', 'address'].map((f) => after.reveal(user, f as 'email'))).toEqual(['bob@example.com', 'Bob', null, 'Main St 1']);
    expect(after.reencryptIfStale(user)).toBe(false);
  });

  it('indexes an email deterministically under its key only', () => {
    expect(cipher.blindIndex('a@example.com')).toBe(cipher.blindIndex('a@example.com'));
    expect(cipher.blindIndex('a@example.com')).not.toBe(cipher.blindIndex('b@example.com'));
    expect(new PiiCipher(new Map([['k1', k1]]), 'k1', randomBytes(32)).blindIndex('a@example.com')).not.toBe(cipher.blindIndex('a@example.com'));
  });
});
