/**
 * `npm start [-- --replicas N] [--redis cluster]`: checks that MySQL and Redis answer, creates the
 * development keys once (before several processes would race to create them), launches the
 * topology, prints the gateway's URL, and stops everything on Ctrl-C / SIGTERM or when any process
 * dies. With --replicas N (N > 1), N replicas of every process run behind HAProxy, which serves
 * the usual public ports (GATEWAY_PORT, USER_PORT, ...); the replicas get free ports of their own.
 */
import { parseArgs } from 'node:util';
import Redis from 'ioredis';
import { createConnection } from 'mysql2/promise';
import { Config, DependencyError, loadConfig, loadEnvFile, loadSecrets, mysqlUnreachable, pingRedis, redisUnreachable } from '@flashsale/platform';
import { Launched, SINGLE, Topology, launch, replicated } from './index';

const say = (msg: string) => process.stdout.write(`[start] ${msg}\n`);

export const START_USAGE = `usage: npm start [-- --replicas <n>] [--redis single|cluster]
  --replicas <n>   n replicas of the gateway and of every subgraph behind HAProxy (default 1: no balancer)
  --redis cluster  start a local Redis Cluster (3 primaries + 1 replica each) instead of using REDIS_URL`;

export function topologyFromArgs(argv: string[]): Topology {
  const { values } = parseArgs({ args: argv, options: { replicas: { type: 'string' }, redis: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    process.stdout.write(`${START_USAGE}\n`);
    process.exit(0);
  }
  const replicas = Number(values.replicas ?? 1);
  if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`--replicas takes a positive integer\n${START_USAGE}`);
  const redis = (values.redis ?? 'single') as Topology['redis'];
  if (redis !== 'single' && redis !== 'cluster') throw new Error(`--redis takes single or cluster\n${START_USAGE}`);
  return replicas > 1 ? replicated(replicas, redis) : { ...SINGLE, redis };
}

async function checkServers(config: Config, topology: Topology): Promise<void> {
  try {
    const conn = await createConnection({ uri: config.MYSQL_URL, connectTimeout: 3000 });
    await conn.end();
  } catch (err) {
    throw mysqlUnreachable(config, err);
  }
  if (topology.redis === 'cluster') return; // the launcher starts its own
  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await pingRedis(config, redis);
  } catch (err) {
    throw err instanceof DependencyError ? err : redisUnreachable(config, err);
  } finally {
    redis.disconnect();
  }
}

export interface StartHooks {
  /** Runs once the stack is ready (e.g. the storefront, issue 13); its `stop` runs before the stack's. */
  afterStart?: (stack: Launched) => Promise<{ stop?: () => Promise<void> } | void>;
}

export async function main(argv: string[], hooks: StartHooks = {}): Promise<void> {
  let stack: Launched | undefined;
  let extra: { stop?: () => Promise<void> } | void;
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping all processes…');
    await extra?.stop?.().catch(() => undefined);
    await stack?.stop().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  try {
    const topology = topologyFromArgs(argv);
    // `.env` in the working directory, if any; the processes started below inherit it.
    if (loadEnvFile()) say('read .env');
    const config = loadConfig();
    await checkServers(config, topology);
    loadSecrets(config, { needPrivateKey: true });
    stack = await launch({
      topology,
      env: process.env,
      output: 'inherit',
      log: say,
      portHint: 'is another `npm start` running? (GATEWAY_PORT, USER_PORT, ... choose others)',
      onUnexpectedExit: (replica, code, signal) => {
        if (stopping) return;
        process.stderr.write(`[start] ${replica.label} exited unexpectedly (${signal ?? code}); stopping the others\n`);
        void stopAll(1);
      },
    });
    if (stack.balancer) say(`HAProxy (${stack.balancer.configFile}) balances ${stack.processes().length} replicas`);
    extra = await hooks.afterStart?.(stack);
    const shown = config.HOST === '0.0.0.0' ? stack.gatewayUrl.replace('127.0.0.1', 'localhost') : stack.gatewayUrl;
    say(`ready: gateway at ${shown}` + (config.NODE_ENV === 'production' ? '' : ' (open it in a browser for Apollo Sandbox)'));
  } catch (err) {
    process.stderr.write(`[start] ${(err as Error).message}\n`);
    await stopAll(1);
  }
}
