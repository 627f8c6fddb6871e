/**
 * Secrets: JWT signing keys, the gateway→subgraph identity secret, PII encryption keys and the
 * blind-index key. In production each must come from configuration and a missing one stops
 * start-up. In development and test, a missing one is generated once into KEYS_DIR (git-ignored)
 * so that every process on the machine shares it.
 */
import { createHash, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync, linkSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Config, ConfigError } from './config';

export interface Secrets {
  jwtPrivateKeyPem?: string;
  jwtPublicKeyPem: string;
  jwtKeyId: string;
  identitySecret: string;
  /** key id → 32-byte key; `activePiiKeyId` encrypts new data, all decrypt. */
  piiKeys: Map<string, Buffer>;
  activePiiKeyId: string;
  blindIndexKey: Buffer;
}

function readOrCreate(dir: string, file: string, make: () => string): string {
  const path = join(dir, file);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Write to a private temp file then hard-link: two processes starting together agree on one value.
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(tmp, make(), { mode: 0o600 });
    try {
      linkSync(tmp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(tmp);
    }
  }
  return readFileSync(path, 'utf8').trim();
}

export function parsePiiKeys(spec: string): { keys: Map<string, Buffer>; active: string } {
  const keys = new Map<string, Buffer>();
  let active = '';
  for (const part of spec.split(',')) {
    const [kid, b64] = part.split(':');
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32) throw new ConfigError(`Invalid environment configuration:\n  PII_KEYS: key "${kid}" must be 32 bytes (base64)`);
    keys.set(kid, key);
    if (!active) active = kid;
  }
  return { keys, active };
}

export function loadSecrets(config: Config, opts: { needPrivateKey?: boolean } = {}): Secrets {
  const prod = config.NODE_ENV === 'production';
  const dir = resolve(config.KEYS_DIR);
  const missing = (name: string): never => {
    throw new ConfigError(`Invalid environment configuration:\n  ${name}: required when NODE_ENV=production`);
  };

  let privatePem = config.JWT_PRIVATE_KEY?.replace(/\\n/g, '\n');
  let publicPem = config.JWT_PUBLIC_KEY?.replace(/\\n/g, '\n');
  if (!publicPem && privatePem) {
    publicPem = createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }).toString();
  }
  if (!publicPem && !config.JWT_JWKS_URL) {
    if (prod) missing(opts.needPrivateKey ? 'JWT_PRIVATE_KEY' : 'JWT_PUBLIC_KEY');
    privatePem = readOrCreate(dir, 'jwt-private.pem', () => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    });
    publicPem = createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }).toString();
  }
  if (opts.needPrivateKey && !privatePem) {
    if (prod) missing('JWT_PRIVATE_KEY');
  }

  const identitySecret =
    config.IDENTITY_SECRET ?? (prod ? missing('IDENTITY_SECRET') : readOrCreate(dir, 'identity-secret', () => randomBytes(32).toString('base64url')));

  const piiSpec =
    config.PII_KEYS ?? (prod ? missing('PII_KEYS') : readOrCreate(dir, 'pii-keys', () => `dev1:${randomBytes(32).toString('base64')}`));
  const { keys: piiKeys, active: activePiiKeyId } = parsePiiKeys(piiSpec);

  const blindIndex =
    config.BLIND_INDEX_KEY ?? (prod ? missing('BLIND_INDEX_KEY') : readOrCreate(dir, 'blind-index-key', () => randomBytes(32).toString('base64url')));

  return {
    jwtPrivateKeyPem: privatePem,
    jwtPublicKeyPem: publicPem ?? '',
    jwtKeyId: config.JWT_KEY_ID ?? (publicPem ? keyIdOf(publicPem) : 'remote'),
    identitySecret,
    piiKeys,
    activePiiKeyId,
    blindIndexKey: Buffer.from(blindIndex),
  };
}

/** A stable key id derived from the public key, so rotating the key rotates the `kid`. */
function keyIdOf(publicPem: string): string {
  const der = createPublicKey(publicPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url').slice(0, 16);
}
