/**
 * Secrets for a stack started by the launcher (tests, bench, chaos, a scaled `npm start`): made
 * fresh for each run and kept in memory (environment variables of the processes), never written
 * anywhere. NODE_ENV=production refuses to start without them, which is what the bench and chaos
 * runs use.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';

export function generatedSecretsEnv(label: string): Record<'JWT_PRIVATE_KEY' | 'IDENTITY_SECRET' | 'PII_KEYS' | 'BLIND_INDEX_KEY', string> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    IDENTITY_SECRET: randomBytes(32).toString('base64url'),
    PII_KEYS: `${label}:${randomBytes(32).toString('base64')}`,
    BLIND_INDEX_KEY: randomBytes(32).toString('base64url'),
  };
}

/** Variables derived from others that a launch recomputes (subgraph URLs follow ports, keys follow the private key). */
export const DERIVED_VARIABLES = ['USER_URL', 'PRODUCT_URL', 'CART_URL', 'ORDER_URL', 'JWT_PUBLIC_KEY', 'JWT_KEY_ID', 'JWT_JWKS_URL', 'SUPERGRAPH_PATH'] as const;

/**
 * The rate limits shipped, with placeOrder per address raised: every buyer of a bench or chaos run
 * shares 127.0.0.1 (the per-user limits stay as shipped).
 */
export const LOAD_RATE_LIMITS =
  'placeOrder:user:20/10,placeOrder:ip:100000000/10,payOrder:user:20/10,logIn:ip:60/60,signUp:ip:30/60,requestEmailVerification:ip:20/60,refreshTokens:ip:120/60';
