/**
 * argon2id password hashing. Cost comes from configuration (ARGON2_*); a hash made with older
 * parameters is re-hashed on the next successful login. `verifyOrDummy` checks against a dummy
 * hash when no account exists, so an unknown email costs as much time as a wrong password.
 */
import argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import type { Config } from '@flashsale/platform';

export class PasswordHasher {
  private readonly options: { type: typeof argon2.argon2id; memoryCost: number; timeCost: number; parallelism: number };
  private dummy: Promise<string> | undefined;

  constructor(config: Pick<Config, 'ARGON2_MEMORY_KIB' | 'ARGON2_TIME_COST' | 'ARGON2_PARALLELISM'>) {
    this.options = {
      type: argon2.argon2id,
      memoryCost: config.ARGON2_MEMORY_KIB,
      timeCost: config.ARGON2_TIME_COST,
      parallelism: config.ARGON2_PARALLELISM,
    };
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, this.options);
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false; // a malformed stored hash never authenticates
    }
  }

  /** Verifies against `hash`, or against a dummy hash of the same cost when there is none. */
  async verifyOrDummy(hash: string | undefined, password: string): Promise<boolean> {
    if (hash) return this.verify(hash, password);
    await this.verify(await this.dummyHash(), password);
    return false;
  }

  /** Made once per process with the configured cost; call at start-up so no login pays for it. */
  dummyHash(): Promise<string> {
    this.dummy ??= this.hash(randomBytes(16).toString('hex'));
    return this.dummy;
  }

  needsRehash(hash: string): boolean {
    return argon2.needsRehash(hash, this.options);
  }
}
