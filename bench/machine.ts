/** Where a run happened, printed with every report (numbers mean little without it). */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { createConnection } from 'mysql2/promise';
import Redis from 'ioredis';
import type { Config } from '@flashsale/platform';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  mysql: string;
  redis: string;
  /** 1-minute load average when the run began: other work on the machine skews every figure. */
  loadAtStart: number;
  /** The commit measured, and whether the code under test had uncommitted changes. */
  code: string;
}

function codeVersion(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: __dirname, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git('status', '--porcelain', '--', '../gateway', '../subgraphs', '../schema') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes' : ''}`;
  } catch {
    return 'unknown';
  }
}

export async function describeMachine(config: Config): Promise<Machine> {
  const conn = await createConnection({ uri: config.MYSQL_URL });
  const [[row]] = (await conn.query('select version() as v')) as unknown as [[{ v: string }]];
  await conn.end();
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  const info = await redis.info('server').finally(() => redis.disconnect());
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    mysql: row.v,
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
    loadAtStart: Math.round(os.loadavg()[0] * 100) / 100,
    code: codeVersion(),
  };
}

export const machineLine = (m: Machine) =>
  `code ${m.code}; ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}; Node ${m.node}; MySQL ${m.mysql}; Redis ${m.redis}; ` +
  `load average ${m.loadAtStart} at start, ${Math.round(os.loadavg()[0] * 100) / 100} at end`;
