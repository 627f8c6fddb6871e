/**
 * "The system is idle again": the work a request leaves behind (the outbox relay publishing
 * `order.placed`, the cart consuming it, MySQL flushing) belongs to the request's CPU cost, so
 * the open model keeps its CPU meter running after the last answer until this says idle.
 *
 * Idle means, checked every `pollMs`:
 *   - no unpublished outbox row in any of the stack's databases (`published_at is null`);
 *   - every consumer group of every stream under the stack's Redis prefix has nothing pending
 *     and no lag (XINFO GROUPS);
 *   - the stack's own Node processes (gateway and subgraphs, not the bench) used at most the
 *     idle baseline + `marginCores` of CPU over the last poll interval;
 * all three for `quietPolls` polls in a row, or `maxMs` passed (reported as not settled).
 * MySQL and Redis are not part of the CPU test (other jobs on the machine share them), but
 * their CPU is metered until the same moment.
 */
import { createConnection } from 'mysql2/promise';
import Redis from 'ioredis';
import { Config, databaseName, fieldRecord, SERVICES } from '@flashsale/platform';
import { performance } from 'node:perf_hooks';
import { startCpuMeter } from './cpu';

export interface SettleResult {
  settled: boolean;
  /** From the call to the idle verdict (or the bound), ms. */
  waitedMs: number;
  /** What was still outstanding at the last check (all 0 when settled). */
  unpublishedOutbox: number;
  unconsumedEvents: number;
}

export interface SettleOptions {
  pids: number[];
  /** The stack's Node processes' CPU when idle, in cores (idleCores below). */
  idleCores: number;
  marginCores?: number;
  pollMs?: number;
  quietPolls?: number;
  maxMs?: number;
}

/** Unpublished outbox rows over every database of the stack that has an outbox. */
async function unpublishedOutbox(config: Config): Promise<number> {
  const conn = await createConnection({ uri: config.MYSQL_URL });
  try {
    const dbs = SERVICES.map((s) => databaseName(config, s));
    const [tables] = (await conn.query("select table_schema as db from information_schema.tables where table_name = 'outbox' and table_schema in (?)", [dbs])) as unknown as [
      Array<{ db: string }>,
    ];
    let n = 0;
    for (const { db } of tables) {
      const [[row]] = (await conn.query(`select count(*) as n from \`${db}\`.outbox where published_at is null`)) as unknown as [[{ n: number }]];
      n += Number(row.n);
    }
    return n;
  } finally {
    await conn.end();
  }
}

/** Entries pending or not yet delivered, over every consumer group of the stack's streams. */
async function unconsumedEvents(redis: Redis, prefix: string): Promise<number> {
  let n = 0;
  let cursor = '0';
  do {
    const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000, 'TYPE', 'stream');
    cursor = nextCursor;
    for (const key of keys) {
      const groups = (await redis.xinfo('GROUPS', key)) as unknown[][];
      for (const g of groups) {
        const f = fieldRecord(g);
        n += Number(f.pending ?? 0) + (typeof f.lag === 'number' ? f.lag : 0);
      }
    }
  } while (cursor !== '0');
  return n;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU cores the given processes use over `ms` (the idle baseline before a measurement). */
export async function measureCores(pids: number[], ms: number): Promise<number> {
  const stop = startCpuMeter({ stack: pids });
  const t = performance.now();
  await sleep(ms);
  const used = stop().stack;
  return used / (performance.now() - t);
}

export async function waitUntilIdle(config: Config, opts: SettleOptions): Promise<SettleResult> {
  const pollMs = opts.pollMs ?? 250;
  const quietPolls = opts.quietPolls ?? 2;
  const maxMs = opts.maxMs ?? 20_000;
  const margin = opts.marginCores ?? 0.05;
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  const t0 = performance.now();
  let quiet = 0;
  let outbox = -1;
  let events = -1;
  try {
    await redis.connect();
    while (performance.now() - t0 < maxMs) {
      const meter = startCpuMeter({ stack: opts.pids });
      const t = performance.now();
      [outbox, events] = await Promise.all([unpublishedOutbox(config), unconsumedEvents(redis, config.REDIS_PREFIX)]);
      await sleep(Math.max(0, pollMs - (performance.now() - t)));
      const cores = meter().stack / (performance.now() - t);
      quiet = outbox === 0 && events === 0 && cores <= opts.idleCores + margin ? quiet + 1 : 0;
      if (quiet >= quietPolls) return { settled: true, waitedMs: performance.now() - t0, unpublishedOutbox: 0, unconsumedEvents: 0 };
    }
    return { settled: false, waitedMs: performance.now() - t0, unpublishedOutbox: outbox, unconsumedEvents: events };
  } finally {
    redis.disconnect();
  }
}
