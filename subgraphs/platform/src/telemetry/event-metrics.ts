/**
 * The stream consumers' telemetry (stream-consumer.ts): span links from the trace context an event carries,
 * and the consumer group's lag, pending entries and dead letters read at scrape time.
 */
import type Redis from 'ioredis';
import { fieldRecord } from '../redis';
import type { Link } from '@opentelemetry/api';
import { deadLetterStream } from '../dead-letters';
import type { ServiceMetrics } from './metrics';
import { linkFromTraceparent } from './tracing';

/** The `traceparent` enqueueEvent stored in a payload (JSON text), found without parsing it again. */
const TRACEPARENT = /"traceparent":"([0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2})"/;

/**
 * The group's lag and pending count and the dead-letter stream's length, read when Prometheus
 * scrapes, on a connection of their own (the consumer's is parked in a blocking read).
 */
export function consumerStats(metrics: ServiceMetrics, redis: Redis, stream: string, group: string): () => void {
  let stats: Redis | undefined;
  const prefix = redis.options.keyPrefix ?? '';
  metrics.onScrape(`consumer:${stream}:${group}`, async () => {
    stats ??= redis.duplicate();
    // XINFO, like XGROUP, is not key-prefixed by ioredis.
    const [groups, dead] = await Promise.all([stats.xinfo('GROUPS', `${prefix}${stream}`) as Promise<unknown[][]>, stats.xlen(deadLetterStream(stream))]);
    for (const g of groups) {
      const f = fieldRecord(g);
      if (f.name !== group) continue;
      metrics.consumerLag.set({ stream, group }, Number(f.lag ?? 0));
      metrics.consumerPending.set({ stream, group }, Number(f.pending ?? 0));
    }
    metrics.deadLetters.set({ stream }, dead);
  });
  return () => {
    stats?.disconnect();
    stats = undefined;
  };
}

/** Links to the traces that placed these events (payloads as JSON text); events without one add none. */
export function eventLinks(payloads: string[]): Link[] {
  const links: Link[] = [];
  for (const p of payloads) {
    const link = linkFromTraceparent(TRACEPARENT.exec(p)?.[1]);
    if (link) links.push(link);
  }
  return links;
}
