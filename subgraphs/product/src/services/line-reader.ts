/**
 * `Product.waitingRoom` reads a sale's line through here: one Redis call per line per refresh
 * period at most, however many requests ask (concurrent reads share one call; a result is reused
 * for `maxAgeMs`, as the edge does). Reading also moves the line, as any edge refresh does.
 */
import type { LineStatus, WaitingLine } from '@flashsale/platform';

interface Entry {
  at: number;
  value: Promise<LineStatus | null>;
}

/** Lines remembered at most (least recently read dropped). */
const MAX_LINES = 1000;

export class LineReader {
  private readonly cache = new Map<string, Entry>();

  constructor(
    private readonly line: WaitingLine,
    private readonly maxAgeMs: number,
  ) {}

  /** The line's status; null when the product has no line or its stock hash is being recovered. */
  status(productId: string): Promise<LineStatus | null> {
    const hit = this.cache.get(productId);
    if (hit && Date.now() - hit.at < this.maxAgeMs) return hit.value;
    const value = this.line.status(productId).then((read) => (read.kind === 'line' ? read.status : null));
    this.cache.delete(productId);
    this.cache.set(productId, { at: Date.now(), value });
    value.catch(() => this.cache.delete(productId));
    if (this.cache.size > MAX_LINES) this.cache.delete(this.cache.keys().next().value as string);
    return value;
  }
}
