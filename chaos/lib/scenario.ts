/** What every scenario shares: its context, its report, and small waiting/retrying helpers. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatAudit, ProductAudit } from './audit';
import { Buyer, Client, crowd, Outcome } from './client';
import { ChaosStack, OUT_DIR } from './stack';
import { redisKeys } from '@flashsale/platform';

export interface ScenarioContext {
  portBase: number;
  /** The shared MySQL for scenarios that do not break MySQL (databases chaos_*). */
  mysqlUrl: string;
  log: (msg: string) => void;
}

export interface Scenario {
  name: string;
  /** One line: what breaks. */
  summary: string;
  run(ctx: ScenarioContext): Promise<Report>;
}

export class Report {
  private readonly lines: string[] = [];
  private readonly started = Date.now();
  audit?: ProductAudit;
  /** Extra conditions the scenario checked besides the audit (each must hold). */
  readonly checks: Array<{ what: string; ok: boolean }> = [];

  constructor(
    readonly name: string,
    private readonly log: (msg: string) => void,
  ) {}

  line(text: string): void {
    this.lines.push(text);
    this.log(text);
  }

  check(what: string, ok: boolean): void {
    this.checks.push({ what, ok });
    this.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  }

  get ok(): boolean {
    return !!this.audit?.exact && this.checks.every((c) => c.ok);
  }

  text(): string {
    const out = [`## chaos: ${this.name}`, '', ...this.lines.map((l) => `- ${l}`), ''];
    if (this.checks.length) out.push('checks:', ...this.checks.map((c) => `  ${c.ok ? '[ok]  ' : '[FAIL]'} ${c.what}`), '');
    if (this.audit) out.push('final audit:', ...formatAudit(this.audit).split('\n').map((l) => `  ${l}`), '');
    out.push(`result: ${this.ok ? 'PASS' : 'FAIL'} (${((Date.now() - this.started) / 1000).toFixed(1)} s)`);
    return out.join('\n');
  }

  save(): string {
    mkdirSync(OUT_DIR, { recursive: true });
    const file = resolve(OUT_DIR, `${this.name}-${new Date().toISOString().replace(/[:.]/g, '-')}.md`);
    writeFileSync(file, `${this.text()}\n`);
    return file;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `available` in the stack's Redis stock hash (0 when missing). */
export async function availableOf(stack: Pick<ChaosStack, 'redis'>, productId: string): Promise<number> {
  return Number((await stack.redis().hget(redisKeys.productStock(productId), 'available')) ?? 0);
}

/** Polls `check` until it holds; returns how long that took (ms). Throws after `timeoutMs`. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 30_000, everyMs = 100): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    let done = false;
    try {
      done = await check();
    } catch {
      /* the thing we wait for may be down still */
    }
    if (done) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Outcomes a client retries with the same idempotency key (the system was briefly unable to answer). */
export const RETRYABLE = (kind: string) => kind === 'SERVICE_UNAVAILABLE' || kind === 'INTERNAL_SERVER_ERROR' || kind.startsWith('NETWORK_') || kind.startsWith('HTTP_5') || kind === 'CLIENT_TIMEOUT';

export interface Persistent {
  first: Outcome;
  final: Outcome;
  attempts: number;
  key: string;
}

/** A buyer who keeps pressing "buy" with the same idempotency key until a definite answer. */
export async function placeUntilAnswered(
  client: Client,
  buyer: Buyer,
  productId: string,
  key: string,
  opts: { maxAttempts?: number; delayMs?: number; quantity?: number } = {},
): Promise<Persistent> {
  const first = await client.placeOrder(buyer, productId, opts.quantity ?? 1, key);
  let final = first;
  let attempts = 1;
  while (RETRYABLE(final.kind) && attempts < (opts.maxAttempts ?? 120)) {
    await sleep(opts.delayMs ?? 250);
    final = await client.placeOrder(buyer, productId, opts.quantity ?? 1, key);
    attempts++;
  }
  return { first, final, attempts, key };
}

/**
 * Sells what is left: buyers of 10 units each until `available` cannot cover 10, then buyers of
 * one unit, always more buyers than units, so a sale that works ends at exactly zero.
 */
export async function sellOut(client: Client, available: () => Promise<number>, productId: string): Promise<Persistent[]> {
  const out: Persistent[] = [];
  const round = async (n: number, quantity: number) => {
    const buyers = await client.buyers(n);
    out.push(...(await crowd(n, 40, (i) => placeUntilAnswered(client, buyers[i], productId, `sellout-${quantity}-${i}`, { quantity }))));
  };
  const left = await available();
  if (left >= 10) await round(Math.floor(left / 10) + 5, 10);
  await round(Math.min(left, 10) + 10, 1);
  return out;
}

/** Lines of a process log containing `text` (logs are JSON lines from pino). */
export function countInLog(file: string, text: string): number {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes(text)).length;
  } catch {
    return 0;
  }
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
export const fmtTally = (t: Record<string, number>) =>
  Object.entries(t)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'none';
