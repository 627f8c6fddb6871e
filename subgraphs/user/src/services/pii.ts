/**
 * Personal data at rest. Every value is sealed with AES-256-GCM under the active key id; the blob
 * names its key id so rows written under an older key stay readable after rotation (all
 * configured keys decrypt, the first one encrypts). The additional authenticated data binds a
 * blob to its user and column, so a ciphertext copied into another row or column fails to open.
 * Email look-ups use a blind index: HMAC-SHA256(blindIndexKey, normalised email).
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { Secrets } from '@flashsale/platform';

const VERSION = 'v1';
const IV_BYTES = 12;

export class PiiCipher {
  constructor(
    private readonly keys: Map<string, Buffer>,
    private readonly activeKeyId: string,
    private readonly blindIndexKey: Buffer,
  ) {
    if (!keys.has(activeKeyId)) throw new Error(`active PII key "${activeKeyId}" is not configured`);
  }

  static fromSecrets(secrets: Secrets): PiiCipher {
    return new PiiCipher(secrets.piiKeys, secrets.activePiiKeyId, secrets.blindIndexKey);
  }

  /** `v1.<kid>.<iv>.<tag>.<ciphertext>`, base64url parts. `context` is e.g. `user:<id>:email`. */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.activeKeyId)!, iv);
    cipher.setAAD(Buffer.from(context));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const b = (x: Buffer) => x.toString('base64url');
    return [VERSION, this.activeKeyId, b(iv), b(cipher.getAuthTag()), b(ct)].join('.');
  }

  open(blob: string, context: string): string {
    const [version, kid, iv, tag, ct] = blob.split('.');
    const key = this.keys.get(kid);
    if (version !== VERSION || !key || ct === undefined) throw new Error(`cannot open PII blob (key "${kid}" unknown or blob malformed)`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** True when the blob was sealed under a key that is no longer the active one. */
  isStale(blob: string): boolean {
    return blob.split('.')[1] !== this.activeKeyId;
  }

  /** Keyed, deterministic index of a normalised email: equality look-ups without decrypting. */
  blindIndex(normalisedEmail: string): string {
    return createHmac('sha256', this.blindIndexKey).update(normalisedEmail).digest('hex');
  }

  /** A keyed fingerprint for Redis key names (codes, throttles), so no email sits in Redis. */
  fingerprint(purpose: string, value: string): string {
    return createHmac('sha256', this.blindIndexKey).update(`${purpose}\n${value}`).digest('base64url').slice(0, 32);
  }
}
