/**
 * Failover guard for Redis Cluster (REDIS_CLUSTER_NODES): no shard sells again after its history
 * changed until its stock hashes were taken back to the databases' truth.
 *
 * Redis replication is asynchronous: a master that dies may take its last acknowledged writes
 * (stock decrements, reservation parts) with it, and the replica promoted in its place would sell
 * those units again. A promoted replica (or a restarted master) starts a new replication history:
 * INFO replication's `master_replid` changes. Each shard keeps a history marker
 * (`shard:history:{<tag>}`, a tag hashed into the shard's slots) holding the replid its data is
 * trusted under; a promoted replica holds its old master's marker, a restarted one none.
 *
 * Invariants
 *   G1 This process sends a reservation to a master only once it has seen that master's marker
 *      equal its current replid (`ready`, before every reserve; in memory after the first check).
 *   G2 A marker that disagrees is claimed by one process (Lua compare-and-set, expiring so a dead
 *      claimer never blocks); it quarantines the shard (`shard:quarantine:{tag}`, `quarantineMs`),
 *      makes every stock hash on it 'missing' (`markLost`), then writes the new replid. Reserves
 *      meeting a missing hash rebuild it from the truth (stock-scripts.lua.ts I5), but not while
 *      the shard is quarantined (`quarantined`, asked by the reconciler), so hashes the shard lost
 *      outright wait as long as the ones it kept. Other processes wait for the marker meanwhile.
 *   G3 A failover moves slots to another address, which this process has not verified, so the
 *      first reserve there checks it (ioredis refreshes its slot table on MOVED, on a lost node and
 *      every second). A history change at the same address (a restart with persistence) is found
 *      by the periodic `check` of every master (REDIS_CLUSTER_CHECK_MS).
 *   G4 `waitForReplica` (WAIT 1 <REDIS_CLUSTER_WAIT_MS>) after a reservation narrows what a
 *      failover can lose; it never replaces G1–G2. docs/SCALING.md states what can still happen.
 *   G5 G1 is checked before a command is sent, but ioredis may re-route it (a failover under
 *      way). So the reserve script checks again, atomically, on the node that runs it: every
 *      stock hash records the history it was written under (stock-hash.ts HISTORY_FIELD) and a
 *      hash from another history answers 'stale', never sells; `stale` then verifies that node
 *      (G2) and makes those hashes missing too.
 *   G6 A hash the promoted replica lost outright has nothing to mark, so only the quarantine key
 *      holds its rebuild back, and a rebuild that checked the quarantine just before a failover
 *      would write right after it. So a rebuild takes the history it verified (`history`) before
 *      that check and the rebuild script writes only on a node that still has it.
 */
import type Redis from 'ioredis';
import type { Cluster } from 'ioredis';
import type { Logger } from './logger';

// cluster-key-slot is ioredis's own dependency: the function its Cluster client routes with.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const calculateSlot = require('cluster-key-slot') as (key: string) => number;

/** The Redis Cluster hash slot of a key (hash tags honoured), as ioredis and Redis compute it. */
export const keySlot = (key: string): number => calculateSlot(key);

const CLAIM_LUA = `
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then return 'trusted' end
if current == 'claimed:' .. ARGV[1] then return 'busy' end
redis.call('SET', KEYS[1], 'claimed:' .. ARGV[1], 'PX', ARGV[2])
return 'claimed'
`;
const CLAIM_TTL_MS = 30_000;
const WAIT_FOR_CLAIM_MS = 10_000;

export interface ShardGuardOptions {
  logger: Logger;
  /** How long after a history change the shard's stock may not be rebuilt (G2; the shard's quarantine key lives that long). */
  quarantineMs: number;
  /** Makes these stock hashes missing (rebuilt from the truth before they sell again). */
  markLost(productIds: string[]): Promise<void>;
  /** Called once by the process that claimed a changed shard, before its hashes are marked lost. */
  onHistoryChanged(shard: string): Promise<void>;
}

export class ClusterShardGuard {
  /** node "host:port" -> the replid this process verified it under. */
  private readonly trusted = new Map<string, string>();
  private readonly verifying = new Map<string, Promise<void>>();
  private readonly cluster: Cluster;
  private readonly prefix: string;
  /** Shards whose history change this process reconciled (for tests and logs). */
  readonly reconciled: Array<{ shard: string; products: number; at: Date }> = [];

  constructor(
    redis: Redis,
    private readonly opts: ShardGuardOptions,
  ) {
    this.cluster = redis as unknown as Cluster;
    this.prefix = redis.options.keyPrefix ?? '';
    this.cluster.defineCommand('shardHistoryClaim', { numberOfKeys: 1, lua: CLAIM_LUA });
  }

  /** G1: resolves once the master serving `key` (an unprefixed key name) may sell. */
  async ready(key: string): Promise<void> {
    const node = await this.masterOf(key);
    if (!this.trusted.has(node)) await this.verify(node);
  }

  /**
   * G6: the replication history this process verified `key`'s master under (verifying it first,
   * which starts the quarantine if the history changed). A rebuild takes it before checking the
   * quarantine and writes only if the node still has it (stock-scripts.lua.ts REBUILD_LUA).
   */
  async history(key: string): Promise<string> {
    await this.ready(key);
    const replid = this.trusted.get(await this.masterOf(key));
    if (!replid) throw new Error(`the master serving ${key} changed while it was verified`);
    return replid;
  }

  /** G4: WAIT for one replica to acknowledge this connection's writes to `key`'s master; the replicas that did. */
  async waitForReplica(key: string, timeoutMs: number): Promise<number> {
    const client = this.client(await this.masterOf(key));
    return client ? Number(await client.call('WAIT', 1, timeoutMs)) : 0;
  }

  /** G5: the reserve script found hashes from another history at `keys`: verify their nodes, mark them lost. */
  async stale(keys: readonly string[], productIds: string[]): Promise<void> {
    for (const node of new Set(await Promise.all(keys.map((k) => this.masterOf(k))))) {
      this.trusted.delete(node);
      await this.verify(node);
    }
    this.opts.logger.warn({ products: productIds.length }, 'stock hashes written under an earlier Redis history: rebuilt from the database truth before they sell');
    await this.opts.markLost(productIds);
  }

  /** G2: whether the shard serving `key` is still in its quarantine after a history change. */
  async quarantined(key: string): Promise<boolean> {
    const node = await this.masterOf(key);
    return (await this.cluster.exists(this.quarantineKey(this.markerKey(node)))) === 1;
  }

  private quarantineKey(markerKey: string): string {
    return markerKey.replace('shard:history:', 'shard:quarantine:');
  }

  /** G3: every master's replid against what this process verified; changed ones are verified again. */
  async check(): Promise<void> {
    if (!this.cluster.slots.some(Boolean)) await this.masterOf('');
    const masters = new Set(this.cluster.slots.map((owners) => owners?.[0]).filter((n): n is string => !!n));
    for (const node of masters) {
      const replid = await this.replid(node).catch(() => null);
      if (replid === null) continue; // unreachable: the failover (or its end) is for the next round
      if (this.trusted.get(node) !== replid) {
        this.trusted.delete(node);
        await this.verify(node);
      }
    }
  }

  private verify(node: string): Promise<void> {
    let running = this.verifying.get(node);
    if (!running) {
      running = this.verifyOnce(node).finally(() => this.verifying.delete(node));
      this.verifying.set(node, running);
    }
    return running;
  }

  private async verifyOnce(node: string): Promise<void> {
    const marker = this.markerKey(node);
    const giveUpAt = Date.now() + WAIT_FOR_CLAIM_MS;
    for (;;) {
      const replid = await this.replid(node);
      const claim = await (this.cluster as unknown as Record<'shardHistoryClaim', (k: string, r: string, ttl: number) => Promise<string>>).shardHistoryClaim(marker, replid, CLAIM_TTL_MS);
      if (claim === 'trusted') {
        this.trusted.set(node, replid);
        return;
      }
      if (claim === 'claimed') {
        const productIds = await this.stockProductsOn(node);
        this.opts.logger.warn({ shard: node, replid, products: productIds.length }, 'Redis shard history changed (failover or restart): its stock hashes are rebuilt from the database truth before it sells again');
        // The shard's quarantine covers hashes the shard lost outright too (nothing left to mark).
        await this.cluster.set(this.quarantineKey(marker), replid, 'PX', this.opts.quarantineMs);
        await this.opts.onHistoryChanged(node);
        await this.opts.markLost(productIds);
        await this.cluster.set(marker, replid);
        this.reconciled.push({ shard: node, products: productIds.length, at: new Date() });
        this.trusted.set(node, replid);
        return;
      }
      if (Date.now() > giveUpAt) throw new Error(`shard ${node} is being reconciled by another process`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The product ids of every stock hash stored on `node` (SCAN of that node alone). */
  private async stockProductsOn(node: string): Promise<string[]> {
    const client = this.client(node);
    // Never "no hashes" for want of a connection: the claim then lapses (CLAIM_TTL_MS) and is retried.
    if (!client) throw new Error(`no connection to ${node}`);
    const ids: string[] = [];
    const head = `${this.prefix}stock:{`;
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${head}*`, 'COUNT', 1000);
      cursor = next;
      for (const k of keys) if (k.endsWith('}')) ids.push(k.slice(head.length, -1));
    } while (cursor !== '0');
    return ids;
  }

  private async replid(node: string): Promise<string> {
    const client = this.client(node);
    if (!client) throw new Error(`no connection to ${node}`);
    const info = await client.info('replication');
    const replid = /master_replid:(\w+)/.exec(info)?.[1];
    if (!/role:master/.test(info) || !replid) throw new Error(`${node} is not a master`);
    return replid;
  }

  /** The node serving `key`'s slot, from ioredis's own slot table (waits for the first one). */
  private async masterOf(key: string): Promise<string> {
    const slot = keySlot(`${this.prefix}${key}`);
    for (let i = 0; i < 50 && !this.cluster.slots[slot]?.[0]; i++) await new Promise((r) => setTimeout(r, 100));
    const node = this.cluster.slots[slot]?.[0];
    if (!node) throw new Error(`no Redis Cluster node serves slot ${slot}`);
    return node;
  }

  /**
   * This process's connection to `node`, whatever role ioredis files it under (a slot-table
   * refresh answered by a node that has not heard of a promotion yet can list the promoted
   * replica among the replicas for a moment). Callers that need a master check the role
   * themselves (`replid`).
   */
  private client(node: string): Redis | undefined {
    return this.cluster.nodes('all').find((n) => `${n.options.host}:${n.options.port}` === node);
  }

  /** A marker key whose hash tag lands in a slot `node` serves. */
  private markerKey(node: string): string {
    for (let i = 0; i < 100_000; i++) {
      if (this.cluster.slots[keySlot(`s${i}`)]?.[0] === node) return `shard:history:{s${i}}`;
    }
    throw new Error(`no slot of ${node} found`);
  }
}
