/**
 * "Changes nothing", checked: a snapshot of everything a stack stores — every table of the four
 * subgraph databases (row count and CHECKSUM TABLE, which covers every column of every row) and
 * every Redis key under the run's prefix (its value read by type, and its absolute expiry) — and a
 * readable diff of two snapshots.
 *
 *   const probe = await stateProbe(stack);
 *   const before = await probe.settled();
 *   await somethingThatMustBeRefused();
 *   expect(probe.diff(before, await probe.snapshot())).toEqual([]);
 *   await probe.close();
 *
 * Background work can move state without any request (the outbox relay, stream consumers, the
 * daily job's periodic lock), so `settled()` waits until the outboxes are published, every stream
 * group has read and acknowledged everything, and two snapshots a moment apart agree.
 */
import Redis from 'ioredis';
import { SERVICES, ServiceName, databaseName } from '@flashsale/platform';
import type { Stack } from './stack';

export interface StateSnapshot {
  /** `<service>.<table>` -> "rows=N checksum=C" */
  tables: Record<string, string>;
  /** key without the run's prefix -> type and value as text */
  keys: Record<string, string>;
}

export interface StateProbe {
  snapshot(): Promise<StateSnapshot>;
  /** A snapshot taken once background work has finished (bounded; throws if it never settles). */
  settled(timeoutMs?: number): Promise<StateSnapshot>;
  /** Human-readable differences; empty when equal. */
  diff(before: StateSnapshot, after: StateSnapshot): string[];
  /** The raw (unprefixed) Redis client the probe reads with. */
  redis: Redis;
  close(): Promise<void>;
}

export interface ProbeOptions {
  /**
   * Keys (without prefix) whose changes are bookkeeping by design, not state a request changed.
   * Default: the gateway's rate-limit counters (`rl:`), which count every attempt, accepted or
   * not, and the daily job's periodic lock (`lock:job:`), taken every 30 s by the order subgraph.
   */
  ignoreKey?: (key: string) => boolean;
}

export const defaultIgnoredKey = (key: string) => key.startsWith('rl:') || key.startsWith('lock:job:');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function stateProbe(stack: Stack, opts: ProbeOptions = {}): Promise<StateProbe> {
  const prefix = stack.config.REDIS_PREFIX;
  const ignoreKey = opts.ignoreKey ?? defaultIgnoredKey;
  const redis = new Redis(stack.config.REDIS_URL, { lazyConnect: false });
  const conn = (s: ServiceName) => stack[s].deps.orm.em.getConnection();

  // Tables exist from start-up (migrations ran); list them once.
  const tables = new Map<ServiceName, string[]>();
  for (const s of SERVICES) {
    const rows = await conn(s).execute<Array<{ name: string }>>(
      'select table_name as name from information_schema.tables where table_schema = ? order by table_name',
      [databaseName(stack.config, s)],
    );
    tables.set(s, rows.map((r) => r.name));
  }
  const q = (name: string) => `\`${name.replace(/`/g, '``')}\``;

  async function mysqlState(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    await Promise.all(
      SERVICES.map(async (s) => {
        const db = databaseName(stack.config, s);
        const names = tables.get(s)!;
        if (!names.length) return;
        const counts = await conn(s).execute<Array<Record<string, number | string>>>(
          `select ${names.map((t, i) => `(select count(*) from ${q(db)}.${q(t)}) as c${i}`).join(', ')}`,
        );
        const sums = await conn(s).execute<Array<{ Table: string; Checksum: number | string | null }>>(
          `checksum table ${names.map((t) => `${q(db)}.${q(t)}`).join(', ')}`,
        );
        names.forEach((t, i) => {
          const sum = sums.find((r) => r.Table === `${db}.${t}`)?.Checksum;
          out[`${s}.${t}`] = `rows=${counts[0][`c${i}`]} checksum=${sum}`;
        });
      }),
    );
    return out;
  }

  async function scanKeys(): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      found.push(...batch);
    } while (cursor !== '0');
    return [...new Set(found)].filter((k) => !ignoreKey(k.slice(prefix.length))).sort();
  }

  async function valueOf(key: string): Promise<string> {
    const type = await redis.type(key);
    const expiry = await redis.call('PEXPIRETIME', key);
    let value: unknown;
    switch (type) {
      case 'string':
        value = await redis.get(key);
        break;
      case 'hash':
        value = Object.entries(await redis.hgetall(key)).sort(([a], [b]) => (a < b ? -1 : 1));
        break;
      case 'set':
        value = (await redis.smembers(key)).sort();
        break;
      case 'zset':
        value = await redis.zrange(key, 0, -1, 'WITHSCORES');
        break;
      case 'list':
        value = await redis.lrange(key, 0, -1);
        break;
      case 'stream': {
        // Entries and every consumer group's position; consumers' idle times are not state.
        const info = (await redis.call('XINFO', 'STREAM', key)) as unknown[];
        const groups = (await redis.call('XINFO', 'GROUPS', key)) as unknown[][];
        const pick = (flat: unknown[], fields: string[]) => fields.map((f) => `${f}=${String(flat[flat.indexOf(f) + 1])}`).join(' ');
        value = [pick(info, ['length', 'last-generated-id', 'entries-added']), ...groups.map((g) => pick(g, ['name', 'pending', 'last-delivered-id', 'entries-read']))];
        break;
      }
      case 'none':
        return 'gone';
      default:
        value = `(${type})`;
    }
    return `${type} exp=${expiry} ${JSON.stringify(value)}`;
  }

  async function redisState(): Promise<Record<string, string>> {
    const keys = await scanKeys();
    const values = await Promise.all(keys.map(valueOf));
    return Object.fromEntries(keys.map((k, i) => [k.slice(prefix.length), values[i]]).filter(([, v]) => v !== 'gone'));
  }

  const snapshot = async (): Promise<StateSnapshot> => {
    const [t, k] = await Promise.all([mysqlState(), redisState()]);
    return { tables: t, keys: k };
  };

  /** No unpublished outbox row, and every stream group has delivered and acknowledged everything. */
  async function quiet(snap: StateSnapshot): Promise<boolean> {
    for (const s of SERVICES) {
      if (!tables.get(s)!.includes('outbox')) continue;
      const [row] = await conn(s).execute<Array<{ n: number }>>('select count(*) as n from outbox where published_at is null');
      if (Number(row.n) > 0) return false;
    }
    for (const v of Object.values(snap.keys)) {
      if (!v.startsWith('stream ')) continue;
      const [streamInfo, ...groups] = JSON.parse(v.slice(v.indexOf('['))) as string[];
      const last = /last-generated-id=(\S+)/.exec(streamInfo)?.[1];
      for (const g of groups) {
        if (!/pending=0\b/.test(g) || /last-delivered-id=(\S+)/.exec(g)?.[1] !== last) return false;
      }
    }
    return true;
  }

  const diff = (before: StateSnapshot, after: StateSnapshot): string[] => {
    const out: string[] = [];
    const compare = (kind: string, a: Record<string, string>, b: Record<string, string>) => {
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (a[k] === b[k]) continue;
        const cut = (s: string | undefined) => (s === undefined ? '(absent)' : s.length > 300 ? `${s.slice(0, 300)}…` : s);
        out.push(`${kind} ${k}: ${cut(a[k])} -> ${cut(b[k])}`);
      }
    };
    compare('table', before.tables, after.tables);
    compare('redis', before.keys, after.keys);
    return out;
  };

  return {
    redis,
    snapshot,
    diff,
    async settled(timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      let last = await snapshot();
      for (;;) {
        await sleep(60);
        const next = await snapshot();
        if (!diff(last, next).length && (await quiet(next))) return next;
        if (Date.now() > until) throw new Error(`state did not settle within ${timeoutMs} ms:\n${diff(last, next).join('\n')}`);
        last = next;
      }
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
