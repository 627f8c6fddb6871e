/**
 * The signed-in session: access + refresh tokens in localStorage (shared by every tab of this
 * origin), refreshed silently before the access token expires and once after a 401.
 *
 * Invariants:
 * - A refresh token is single use (rotation): only one tab may spend it. Every refresh runs inside
 *   the Web Locks API lock `flashsale-refresh`; inside it the tab re-reads the tokens, and when
 *   another tab already rotated the pair (the access token differs from the stale one and is not
 *   about to expire) it uses that result instead of spending the refresh token again.
 * - Inside the lock the tokens are read from IndexedDB as well as localStorage, and the newer pair
 *   wins. localStorage alone is not enough: right after another tab rotated the pair and released
 *   the lock, this tab's renderer can still see the old pair there for a moment, and spending the
 *   old refresh token again is a reuse, which ends the session (seen in the two-tab browser test
 *   under load). An IndexedDB transaction sees every transaction committed before it, and the
 *   rotating tab commits its write before it releases the lock.
 * - Tabs hear about sign-in, refresh and sign-out on the BroadcastChannel `flashsale-session`.
 * - The roles shown (ADMIN pages) come from the access token's `roles` claim; the gateway checks
 *   them on every request, this is display only.
 */
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { graphql } from './gql';

const STORAGE_KEY = 'flashsale.session';
const LOCK = 'flashsale-refresh';
/** Refresh this long before expiry (or at 80% of a short token's life). */
const REFRESH_AHEAD_MS = 30_000;

export interface Tokens {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
}

/** The pair that expires last (the most recently issued); either may be missing. */
function newer(a: Tokens | null, b: Tokens | null | undefined): Tokens | null {
  if (!a || !b) return a ?? b ?? null;
  return Date.parse(b.accessTokenExpiresAt) > Date.parse(a.accessTokenExpiresAt) ? b : a;
}

/** The tokens' IndexedDB copy (see the invariants above); every call settles, null/undefined when IndexedDB is unusable. */
const lockedCopy = {
  db: null as Promise<IDBDatabase | null> | null,
  open(): Promise<IDBDatabase | null> {
    this.db ??= new Promise((resolve) => {
      if (typeof indexedDB === 'undefined') return resolve(null);
      const request = indexedDB.open('flashsale', 1);
      request.onupgradeneeded = () => request.result.createObjectStore('session');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => resolve(null);
    });
    return this.db;
  },
  async read(): Promise<Tokens | null | undefined> {
    const db = await this.open();
    if (!db) return undefined;
    return new Promise((resolve) => {
      const request = db.transaction('session', 'readonly').objectStore('session').get(STORAGE_KEY);
      request.onsuccess = () => resolve((request.result as Tokens | undefined) ?? null);
      request.onerror = () => resolve(undefined);
    });
  },
  /** Resolves once the write is committed (or failed: then localStorage is all there is). */
  async write(tokens: Tokens | null): Promise<void> {
    const db = await this.open();
    if (!db) return;
    await new Promise<void>((resolve) => {
      const tx = db.transaction('session', 'readwrite');
      if (tokens) tx.objectStore('session').put(tokens, STORAGE_KEY);
      else tx.objectStore('session').delete(STORAGE_KEY);
      tx.oncomplete = () => resolve();
      tx.onerror = () => resolve();
      tx.onabort = () => resolve();
    });
  },
};

const RefreshTokens = graphql(`
  mutation RefreshTokens($refreshToken: String!) {
    refreshTokens(refreshToken: $refreshToken) {
      accessToken
      accessTokenExpiresAt
      refreshToken
      userErrors { code message }
    }
  }
`);
const LogOut = graphql(`
  mutation LogOut($refreshToken: String!) {
    logOut(refreshToken: $refreshToken) { success }
  }
`);

/** The access token's claims (display only: the gateway verifies the token). */
function claimsOf(accessToken: string): { roles?: unknown; sub?: unknown } {
  try {
    return JSON.parse(atob(accessToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as { roles?: unknown; sub?: unknown };
  } catch {
    return {};
  }
}

export function rolesOf(accessToken: string): string[] {
  const { roles } = claimsOf(accessToken);
  return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [];
}

export class Session {
  private listeners = new Set<() => void>();
  private channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('flashsale-session');
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** How many refreshes this tab performed (shown nowhere; read by the browser tests). */
  refreshes = 0;

  constructor(readonly gatewayUrl: string) {
    if (this.channel) this.channel.onmessage = () => this.changed(false);
    window.addEventListener('storage', (e) => e.key === STORAGE_KEY && this.changed(false));
    this.schedule();
  }

  get tokens(): Tokens | null {
    const raw = localStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Tokens) : null;
  }

  get roles(): string[] {
    const t = this.tokens;
    return t ? rolesOf(t.accessToken) : [];
  }

  /** The signed-in user's id (the token's `sub`), null when signed out. */
  get userId(): string | null {
    const t = this.tokens;
    const sub = t ? claimsOf(t.accessToken).sub : undefined;
    return typeof sub === 'string' ? sub : null;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stores a new pair; resolves once its IndexedDB copy is committed (a refresh waits for that before releasing the lock). */
  signedIn(tokens: Tokens): Promise<void> {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(tokens));
    const committed = lockedCopy.write(tokens);
    this.changed(true);
    return committed;
  }

  /** Drops the pair here and in every tab; resolves once its IndexedDB copy is gone too. */
  private forget(): Promise<void> {
    localStorage.removeItem(STORAGE_KEY);
    const committed = lockedCopy.write(null);
    this.changed(true);
    return committed;
  }

  async signOut(): Promise<void> {
    const t = this.tokens;
    void this.forget();
    if (t) await this.post(LogOut, { refreshToken: t.refreshToken }).catch(() => undefined);
  }

  /** The access token to send now, refreshed first when it is about to expire. */
  async accessToken(): Promise<string | null> {
    const t = this.tokens;
    if (!t) return null;
    if (Date.parse(t.accessTokenExpiresAt) - Date.now() < 5_000) return this.refresh(t.accessToken);
    return t.accessToken;
  }

  /** Rotates the pair once across all tabs; returns the access token to use (null: signed out). */
  async refresh(staleAccessToken: string): Promise<string | null> {
    const run = async (): Promise<string | null> => {
      const stored = this.tokens;
      if (!stored) return null;
      const current = newer(stored, await lockedCopy.read())!;
      const fresh = current.accessToken !== staleAccessToken && Date.parse(current.accessTokenExpiresAt) - Date.now() > 5_000;
      if (fresh) {
        // Another tab already rotated it; this renderer's localStorage may not show it yet.
        if (current !== stored) localStorage.setItem(STORAGE_KEY, JSON.stringify(current));
        return current.accessToken;
      }
      const res = await this.post(RefreshTokens, { refreshToken: current.refreshToken });
      const p = res.refreshTokens;
      if (!p.accessToken || !p.refreshToken || !p.accessTokenExpiresAt) {
        await this.forget();
        return null;
      }
      this.refreshes += 1;
      // Committed before the lock is released, so the next tab to take it reads this pair.
      await this.signedIn({ accessToken: p.accessToken, accessTokenExpiresAt: p.accessTokenExpiresAt, refreshToken: p.refreshToken });
      return p.accessToken;
    };
    return navigator.locks ? navigator.locks.request(LOCK, run) : run();
  }

  private changed(broadcast: boolean): void {
    if (broadcast) this.channel?.postMessage('changed');
    this.schedule();
    for (const l of this.listeners) l();
  }

  /** A timer that refreshes ahead of expiry, so requests rarely wait for a refresh. */
  private schedule(): void {
    clearTimeout(this.timer);
    const t = this.tokens;
    if (!t) return;
    const left = Date.parse(t.accessTokenExpiresAt) - Date.now();
    const ahead = Math.min(REFRESH_AHEAD_MS, left * 0.2);
    this.timer = setTimeout(() => void this.refresh(t.accessToken).catch(() => undefined), Math.max(0, left - ahead));
  }

  private async post<R, V>(doc: TypedDocumentNode<R, V>, variables: V): Promise<R> {
    const res = await fetch(this.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: print(doc), variables }),
    });
    const body = (await res.json()) as { data?: R; errors?: Array<{ message: string }> };
    if (!body.data) throw new Error(body.errors?.[0]?.message ?? `HTTP ${res.status}`);
    return body.data;
  }
}
