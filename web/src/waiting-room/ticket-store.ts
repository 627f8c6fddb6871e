/**
 * The buyer's place in a line, kept in localStorage per user per product, so a reload or a second
 * tab keeps it (each tab re-joins on load to refresh it: joining is idempotent, the same ticket and
 * number come back). Tabs hear about each other's changes through the `storage` event.
 */
import type { StoredPlace } from './line-phase';

export type { StoredPlace };

const PREFIX = 'flashsale.line.';
const keyOf = (userId: string, productId: string) => `${PREFIX}${userId}.${productId}`;

const listeners = new Set<() => void>();
window.addEventListener('storage', (e) => {
  if (e.key === null || e.key.startsWith(PREFIX)) for (const l of listeners) l();
});

/** One user's place in one product's line. */
export class PlaceStore {
  private readonly key: string;
  private cachedRaw: string | null = null;
  private cached: StoredPlace | null = null;

  constructor(userId: string, productId: string) {
    this.key = keyOf(userId, productId);
  }

  /** The stored place; the same object while the stored text is unchanged (for useSyncExternalStore). */
  read(): StoredPlace | null {
    const raw = localStorage.getItem(this.key);
    if (raw !== this.cachedRaw) {
      this.cachedRaw = raw;
      try {
        this.cached = raw ? (JSON.parse(raw) as StoredPlace) : null;
      } catch {
        this.cached = null;
      }
    }
    return this.cached;
  }

  write(place: StoredPlace): void {
    localStorage.setItem(this.key, JSON.stringify(place));
    for (const l of listeners) l();
  }

  /** Changes some fields of the stored place (nothing when there is none). */
  update(patch: Partial<StoredPlace>): void {
    const current = this.read();
    if (current) this.write({ ...current, ...patch });
  }

  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }
}
