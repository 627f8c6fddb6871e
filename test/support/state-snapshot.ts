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
  /** key without the run's prefix -> type, absolute expiry (ms, -1: none) and value as text */
  keys: Record<string, string>;
  /** When the Redis part was read (ms). */
  at: number;
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
   * not, the daily job's periodic lock (`lock:job:`), taken every 30 s by the order subgraph, and
   * the identity replay cache (`identity:nonce:`), one key per signed subgraph request.
   */
  ignoreKey?: (key: string) => boolean;
}

export const defaultIgnoredKey = (key: string) => key.startsWith('rl:') || key.startsWith('lock:job:') || key.startsWith('identity:nonce:');

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

  /** Reads every key in two pipelined round trips: type and expiry, then the value by type. */
  async function redisState(): Promise<Record<string, string>> {
    const keys = await scanKeys();
    if (!keys.length) return {};
    const meta = redis.pipeline();
    for (const k of keys) meta.type(k).call('PEXPIRETIME', k);
    const metaReplies = (await meta.exec()) ?? [];
    const types = keys.map((_, i) => String(metaReplies[2 * i][1]));
    const expiries = keys.map((_, i) => String(metaReplies[2 * i + 1][1]));

    const read = redis.pipeline();
    const readers: Array<(replies: unknown[]) => unknown> = [];
    keys.forEach((k, i) => {
      switch (types[i]) {
        case 'string':
          read.get(k);
          readers.push(([v]) => v);
          break;
        case 'hash':
          read.hgetall(k);
          readers.push(([v]) => Object.entries(v as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : 1)));
          break;
        case 'set':
          read.smembers(k);
          readers.push(([v]) => [...(v as string[])].sort());
          break;
        case 'zset':
          read.zrange(k, 0, -1, 'WITHSCORES');
          readers.push(([v]) => v);
          break;
        case 'list':
          read.lrange(k, 0, -1);
          readers.push(([v]) => v);
          break;
        case 'stream':
          // Entries and every consumer group's position; consumers' idle times are not state.
          read.call('XINFO', 'STREAM', k).call('XINFO', 'GROUPS', k);
          readers.push(([info, groups]) => {
            const pick = (flat: unknown[], fields: string[]) => fields.map((f) => `${f}=${String(flat[flat.indexOf(f) + 1])}`).join(' ');
            return [pick(info as unknown[], ['length', 'last-generated-id', 'entries-added']), ...(groups as unknown[][]).map((g) => pick(g, ['name', 'pending', 'last-delivered-id', 'entries-read']))];
          });
          break;
        default: // 'none' (deleted since the scan) or a type nothing here uses
          readers.push(() => undefined);
      }
    });
    const replies = ((await read.exec()) ?? []).map(([err, v]) => {
      if (err) throw err;
      return v;
    });
    const out: Record<string, string> = {};
    let next = 0;
    keys.forEach((k, i) => {
      const take = types[i] === 'stream' ? 2 : ['string', 'hash', 'set', 'zset', 'list'].includes(types[i]) ? 1 : 0;
      const value = readers[i](replies.slice(next, next + take));
      next += take;
      if (types[i] === 'none') return;
      out[k.slice(prefix.length)] = `${types[i]} exp=${expiries[i]} ${JSON.stringify(value ?? `(${types[i]})`)}`;
    });
    return out;
  }

  const snapshot = async (): Promise<StateSnapshot> => {
    const at = Date.now();
    const [t, k] = await Promise.all([mysqlState(), redisState()]);
    return { tables: t, keys: k, at };
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
    // A key whose own expiry passed in between (a resend cooldown, say) was removed by time, not by a request.
    const expiredByTime = (v: string) => {
      const exp = Number(/^\S+ exp=(-?\d+) /.exec(v)?.[1] ?? -1);
      return exp > 0 && exp <= after.at + 1_000;
    };
    const beforeKeys = Object.fromEntries(Object.entries(before.keys).filter(([k, v]) => k in after.keys || !expiredByTime(v)));
    compare('redis', beforeKeys, after.keys);
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
