/**
 * One loader for every environment variable of every process. Each process calls
 * `loadConfigOrExit()` at start-up: a bad value stops it with a message naming the variable.
 * Defaults work on a development machine with MariaDB and Redis on their standard ports.
 * `loadConfigOrExit()` (and `npm start`) first read `.env` from the working directory, when there
 * is one (see `loadEnvFile`).
 *
 * Over 300 lines on purpose: it is the one schema of every variable (with why each default is
 * what it is) and the sections saying which process reads which; split, a variable could be
 * documented in one file and defaulted in another.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const optionalUrl = z
  .string()
  .url()
  .optional()
  .or(z.literal('').transform(() => undefined));

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  GATEWAY_PORT: port(4000),
  USER_PORT: port(4001),
  PRODUCT_PORT: port(4002),
  CART_PORT: port(4003),
  ORDER_PORT: port(4004),
  USER_URL: optionalUrl,
  PRODUCT_URL: optionalUrl,
  CART_URL: optionalUrl,
  ORDER_URL: optionalUrl,
  MYSQL_URL: z
    .string()
    .regex(/^mysql:\/\/[^\s]+$/, 'must look like mysql://user:password@host:port')
    .default('mysql://root@127.0.0.1:3306'),
  MYSQL_POOL_SIZE: positiveInt(20),
  // false (production on Kubernetes, where a Job migrates before the rollout): a subgraph does not
  // migrate at start-up but refuses to start while a migration is pending (orm.ts, initOrm).
  MIGRATE_ON_START: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  DB_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,40}$/, 'lower-case letters, digits and _ (at most 41), starting with a letter')
    .default('flashsale'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/[^\s]+$/, 'must look like redis://host:port')
    .default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_:.-]{0,40}$/, 'letters, digits and _ : . - only')
    .default('fs:'),
  REDIS_COMMAND_TIMEOUT_MS: positiveInt(2000),
  // Redis Cluster (platform redis-cluster-guard.ts, docs/SCALING.md): comma-separated host:port
  // seeds; when set, every process uses ioredis's Cluster client and REDIS_URL is not used.
  REDIS_CLUSTER_NODES: z
    .string()
    .regex(/^[^\s,:]+:\d+(,[^\s,:]+:\d+)*$/, 'host:port[,host:port...]')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  // Cluster only: after a reservation, WAIT for one replica's acknowledgement up to this many ms
  // (0 = never wait, the default: the failover guard already reconciles what a failover loses,
  // and WAIT multiplies a reservation's latency; docs/SCALING.md has the figures).
  REDIS_CLUSTER_WAIT_MS: z.coerce.number().int().min(0).max(5000).default(0),
  // Cluster only: how often each order process checks every shard's replication history.
  REDIS_CLUSTER_CHECK_MS: positiveInt(1000),
  // Redlock over several independent Redis masters (comma-separated redis:// URLs; a quorum must
  // agree); unset = the process's own Redis or cluster.
  LOCK_REDIS_URLS: z
    .string()
    .regex(/^rediss?:\/\/[^\s,]+(,rediss?:\/\/[^\s,]+)*$/, 'redis://host:port[,redis://host:port...]')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  OUTBOX_REPLAY_WINDOW_SECONDS: positiveInt(900),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `off`: no GET /metrics and no scrape-time reads (telemetry/metrics.ts reads it where no config is at hand). */
  TELEMETRY_METRICS: z.enum(['on', 'off']).default('on'),
  CORS_ORIGINS: z
    .string()
    .default('http://localhost:3000,http://localhost:5173,http://127.0.0.1:5173')
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean)),
  // Peers whose X-Forwarded-For names the client (the balancer in front of the gateway); none by default.
  TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((s) => new Set(s.split(',').map((a) => a.trim()).filter(Boolean))),
  SUPERGRAPH_SOURCE: z.enum(['file', 'introspect']).default('file'),
  SUPERGRAPH_PATH: z.string().optional(),
  KEYS_DIR: z.string().default('.keys'),
  JWT_ISSUER: z.string().min(1).default('flashsale-user'),
  JWT_AUDIENCE: z.string().min(1).default('flashsale-api'),
  JWT_PRIVATE_KEY: z.string().optional(),
  JWT_PUBLIC_KEY: z.string().optional(),
  JWT_KEY_ID: z.string().optional(),
  JWT_JWKS_URL: optionalUrl,
  ACCESS_TOKEN_TTL_SECONDS: positiveInt(900),
  REFRESH_TOKEN_TTL_SECONDS: positiveInt(14 * 24 * 3600),
  REFRESH_TOKEN_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  IDENTITY_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  IDENTITY_MAX_AGE_SECONDS: positiveInt(60),
  PII_KEYS: z
    .string()
    .regex(/^[A-Za-z0-9_-]+:[A-Za-z0-9+/=]+(,[A-Za-z0-9_-]+:[A-Za-z0-9+/=]+)*$/, 'kid:base64key[,kid:base64key...], first is active')
    .optional(),
  BLIND_INDEX_KEY: z.string().min(32, 'at least 32 characters').optional(),
  SMTP_URL: optionalUrl,
  MAIL_FROM: z.string().default('Flash Sale <no-reply@flashsale.local>'),
  VERIFICATION_CODE_TTL_SECONDS: positiveInt(180),
  VERIFICATION_RESEND_COOLDOWN_SECONDS: positiveInt(60),
  VERIFICATION_MAX_ATTEMPTS: positiveInt(5),
  VERIFICATION_MAX_SENDS_PER_EMAIL_PER_HOUR: positiveInt(5),
  VERIFICATION_MAX_SENDS_PER_IP_PER_HOUR: positiveInt(50),
  LOGIN_MAX_FAILURES_PER_EMAIL: positiveInt(5),
  LOGIN_MAX_FAILURES_PER_IP: positiveInt(50),
  LOGIN_THROTTLE_WINDOW_SECONDS: positiveInt(900),
  ARGON2_MEMORY_KIB: z.coerce.number().int().min(8192).default(19456),
  ARGON2_TIME_COST: z.coerce.number().int().min(1).max(20).default(2),
  ARGON2_PARALLELISM: z.coerce.number().int().min(1).max(16).default(1),
  ORDER_LOCK_SCOPE: z.enum(['script', 'buyer', 'product']).default('script'),
  ORDER_COMMIT_PARALLEL: positiveInt(2),
  ORDER_COMMIT_MAX_BATCH: positiveInt(100),
  ORDER_COMMIT_GAP_MS: z.coerce.number().int().min(0).default(20),
  GATEWAY_SUBGRAPH_CLIENT: z.enum(['undici', 'fetch']).default('undici'),
  OUTBOX_RELAY_GAP_MS: z.coerce.number().int().min(0).default(100),
  EVENT_CONSUMER_LINGER_MS: z.coerce.number().int().min(0).default(100),
  // Failed applications after which a stream consumer moves an event to its dead-letter stream.
  EVENT_MAX_ATTEMPTS: positiveInt(5),
  ORDER_LOCK_TTL_MS: positiveInt(10_000),
  ORDER_LOCK_WAIT_MS: z.coerce.number().int().min(0).default(5000),
  ORDER_SWEEP_INTERVAL_MS: positiveInt(5000),
  RESERVATION_TTL_SECONDS: positiveInt(600),
  PAYMENT_LATENCY_MS: z.coerce.number().int().min(0).default(0),
  PAYMENT_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0),
  PAYMENT_TIMEOUT_MS: positiveInt(5000),
  DAILY_JOB_TIMEZONE: z.string().default('UTC'),
  SHUTDOWN_GRACE_MS: positiveInt(10000),
  MAX_QUERY_DEPTH: positiveInt(12),
  MAX_QUERY_COST: positiveInt(5000),
  MAX_ALIASES: positiveInt(30),
  MAX_BATCH_SIZE: positiveInt(1),
  MAX_BODY_BYTES: positiveInt(100_000),
  // Admission control (README "Overload"): requests in progress, waiting, and how long one may wait.
  // The queue absorbs a burst (the opening instant) for up to ADMISSION_QUEUE_TIMEOUT_MS each; an
  // ADMISSION_CODEL_INTERVAL_MS in which requests queued and arrivals exceeded admissions by 10 %
  // is a standing queue (overload), and new arrivals then get ADMISSION_CODEL_TARGET_MS to find a
  // slot (platform admission.ts).
  ADMISSION_MAX_IN_FLIGHT: positiveInt(128),
  ADMISSION_MAX_QUEUE: z.coerce.number().int().min(0).default(2000),
  ADMISSION_QUEUE_TIMEOUT_MS: positiveInt(2500),
  ADMISSION_CODEL_INTERVAL_MS: positiveInt(1000),
  ADMISSION_CODEL_TARGET_MS: positiveInt(50),
  ADMISSION_RETRY_AFTER_SECONDS: positiveInt(1),
  ADMISSION_RETRY_AFTER_MAX_SECONDS: positiveInt(10),
  SUBGRAPH_ADMISSION_MAX_IN_FLIGHT: positiveInt(128),
  SUBGRAPH_ADMISSION_MAX_QUEUE: z.coerce.number().int().min(0).default(2000),
  SUBGRAPH_ADMISSION_QUEUE_TIMEOUT_MS: positiveInt(3000),
  // Waiting room (platform waiting-room/, docs/WAITING-ROOM.md), for sales scheduled with waitingRoom: true.
  // How long a served number may place its order; then the number is skipped (a no-show).
  WAITING_ROOM_ORDER_WINDOW_SECONDS: positiveInt(300),
  // Joins this long before the opening form the pre-queue, numbered in a random order at the opening.
  WAITING_ROOM_PREQUEUE_SECONDS: z.coerce.number().int().min(0).default(900),
  // Numbers served ahead of the order path: its measured pace (orders/s) times this many seconds.
  WAITING_ROOM_SERVE_AHEAD_SECONDS: z.coerce.number().positive().max(60).default(2),
  // Numbers served ahead at least, while the pace is still unknown (the opening).
  WAITING_ROOM_MIN_SERVING: positiveInt(50),
  // Served numbers that have not ordered may exceed the units left by this fraction (no-shows).
  WAITING_ROOM_NO_SHOW_MARGIN: z.coerce.number().min(0).max(10).default(0.1),
  // ...counting only served numbers that have not ordered for this long (likely no-shows).
  WAITING_ROOM_NO_SHOW_AFTER_SECONDS: z.coerce.number().positive().max(3600).default(15),
  // How often the edge (gateway) refreshes a line's status from Redis and advances it.
  WAITING_ROOM_REFRESH_MS: z.coerce.number().int().min(20).max(5000).default(200),
  // Joins arriving within this many ms go to Redis in one script call, numbered by arrival.
  WAITING_ROOM_JOIN_BATCH_MS: z.coerce.number().int().min(0).max(100).default(2),
  // Turn watchers (held GET .../turn requests, one socket each) one gateway keeps at most; beyond,
  // busy (clients fall back to polling the cacheable status). Keep it under the open-file limit.
  WAITING_ROOM_MAX_WATCHERS: positiveInt(16_000),
  RATE_LIMITS: z
    .string()
    .regex(/^(\w+:(user|ip):\d+\/\d+)(,\w+:(user|ip):\d+\/\d+)*$/, 'field:user|ip:points/seconds[,...]')
    .default('placeOrder:user:20/10,placeOrder:ip:5000/10,payOrder:user:20/10,logIn:ip:60/60,signUp:ip:30/60,requestEmailVerification:ip:20/60,refreshTokens:ip:120/60')
    .transform((s) =>
      s.split(',').map((rule) => {
        const [field, by, rate] = rule.split(':');
        const [points, seconds] = rate.split('/').map(Number);
        return { field, by: by as 'user' | 'ip', points, seconds };
      }),
    ),
});

export type Config = z.infer<typeof configSchema>;
export type ServiceName = 'user' | 'product' | 'cart' | 'order';
export const SERVICES: readonly ServiceName[] = ['user', 'product', 'cart', 'order'];

export class ConfigError extends Error {}

export type ProcessName = 'gateway' | ServiceName;

/**
 * The variables that belong to some processes only (one loader, a section per process); every
 * other variable is read by all. A process refuses to start on a bad value of a variable it reads;
 * a bad value of another process's variable is that process's to refuse, and its default stands in
 * here (so the gateway does not need the order subgraph's settings to be right, nor MySQL's).
 */
const SUBGRAPH_SECTION = ['MYSQL_URL', 'MYSQL_POOL_SIZE', 'MIGRATE_ON_START', 'DB_PREFIX', 'SUBGRAPH_ADMISSION_MAX_IN_FLIGHT', 'SUBGRAPH_ADMISSION_MAX_QUEUE', 'SUBGRAPH_ADMISSION_QUEUE_TIMEOUT_MS', 'EVENT_CONSUMER_LINGER_MS', 'EVENT_MAX_ATTEMPTS'] as const;
export const CONFIG_SECTIONS: Readonly<Record<ProcessName, ReadonlyArray<keyof Config>>> = {
  gateway: ['CORS_ORIGINS', 'TRUSTED_PROXIES', 'SUPERGRAPH_SOURCE', 'SUPERGRAPH_PATH', 'GATEWAY_SUBGRAPH_CLIENT', 'MAX_QUERY_DEPTH', 'MAX_QUERY_COST', 'MAX_ALIASES', 'MAX_BATCH_SIZE', 'ADMISSION_MAX_IN_FLIGHT', 'ADMISSION_MAX_QUEUE', 'ADMISSION_QUEUE_TIMEOUT_MS', 'RATE_LIMITS'],
  user: [
    ...SUBGRAPH_SECTION,
    'ACCESS_TOKEN_TTL_SECONDS',
    'REFRESH_TOKEN_TTL_SECONDS',
    'REFRESH_TOKEN_REUSE_GRACE_SECONDS',
    'SMTP_URL',
    'MAIL_FROM',
    'VERIFICATION_CODE_TTL_SECONDS',
    'VERIFICATION_RESEND_COOLDOWN_SECONDS',
    'VERIFICATION_MAX_ATTEMPTS',
    'VERIFICATION_MAX_SENDS_PER_EMAIL_PER_HOUR',
    'VERIFICATION_MAX_SENDS_PER_IP_PER_HOUR',
    'LOGIN_MAX_FAILURES_PER_EMAIL',
    'LOGIN_MAX_FAILURES_PER_IP',
    'LOGIN_THROTTLE_WINDOW_SECONDS',
    'ARGON2_MEMORY_KIB',
    'ARGON2_TIME_COST',
    'ARGON2_PARALLELISM',
  ],
  product: [...SUBGRAPH_SECTION],
  cart: [...SUBGRAPH_SECTION],
  order: [
    ...SUBGRAPH_SECTION,
    'LOCK_REDIS_URLS',
    'ORDER_LOCK_SCOPE',
    'ORDER_COMMIT_PARALLEL',
    'ORDER_COMMIT_MAX_BATCH',
    'ORDER_COMMIT_GAP_MS',
    'OUTBOX_RELAY_GAP_MS',
    'ORDER_LOCK_TTL_MS',
    'ORDER_LOCK_WAIT_MS',
    'ORDER_SWEEP_INTERVAL_MS',
    'RESERVATION_TTL_SECONDS',
    'PAYMENT_LATENCY_MS',
    'PAYMENT_FAILURE_RATE',
    'PAYMENT_TIMEOUT_MS',
    'DAILY_JOB_TIMEZONE',
  ],
};
const SECTIONED = new Set<string>(Object.values(CONFIG_SECTIONS).flat());

/**
 * The configuration from `env`. With `processName`, only the variables that process reads (the
 * shared ones and its section) can refuse it; without, every variable is checked (scripts, tests).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, processName?: ProcessName): Config {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  const own = processName ? new Set<string>(CONFIG_SECTIONS[processName]) : undefined;
  const theirs = (variable: string) => !!own && SECTIONED.has(variable) && !own.has(variable);
  const mine = result.error.issues.filter((i) => !theirs(String(i.path[0])));
  if (!mine.length) {
    const cleaned = { ...env };
    for (const issue of result.error.issues) delete cleaned[String(issue.path[0])];
    return configSchema.parse(cleaned);
  }
  const lines = mine.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new ConfigError(`Invalid environment configuration:\n${lines.join('\n')}`);
}

/**
 * Reads `.env` (or the file ENV_FILE names; ENV_FILE= with nothing turns this off) into
 * process.env with Node's own parser, when the file exists. A variable already set in the
 * environment wins over the file. Answers the file read, if any.
 */
export function loadEnvFile(path: string | undefined = process.env.ENV_FILE ?? '.env'): string | undefined {
  if (!path || !existsSync(path)) return undefined;
  try {
    process.loadEnvFile(path);
  } catch (err) {
    throw new ConfigError(`Cannot read ${path}: ${(err as Error).message}`);
  }
  return path;
}

/** For process entry points: print which variable is wrong and exit, never a stack trace. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env, processName?: ProcessName): Config {
  try {
    if (env === process.env) loadEnvFile();
    return loadConfig(env, processName);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
}

/** The variable that says on which port each process listens. */
export const PORT_VARIABLE = { gateway: 'GATEWAY_PORT', user: 'USER_PORT', product: 'PRODUCT_PORT', cart: 'CART_PORT', order: 'ORDER_PORT' } as const satisfies Record<ProcessName, keyof Config>;
/** The variable that says where the others reach each subgraph (its balancer, or another host). */
export const URL_VARIABLE = { user: 'USER_URL', product: 'PRODUCT_URL', cart: 'CART_URL', order: 'ORDER_URL' } as const satisfies Record<ServiceName, keyof Config>;

/** The port the process listens on. */
export function servicePort(config: Config, name: ProcessName): number {
  return config[PORT_VARIABLE[name]];
}

/** Where the gateway reaches a subgraph's GraphQL endpoint. */
export function serviceUrl(config: Config, name: ServiceName): string {
  return config[URL_VARIABLE[name]] ?? `http://${config.HOST}:${servicePort(config, name)}/graphql`;
}

export function databaseName(config: Config, name: ServiceName): string {
  return `${config.DB_PREFIX}_${name}`;
}
