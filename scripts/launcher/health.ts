/** The one health wait of every launch: poll GET /health until 200, the process dies, or time runs out. */
export async function waitHealthy(
  name: string,
  url: string,
  opts: { exited: () => number | null | undefined; timeoutMs?: number; logHint?: string },
): Promise<number> {
  const t0 = Date.now();
  const timeoutMs = opts.timeoutMs ?? 90_000;
  const hint = opts.logHint ? `; see ${opts.logHint}` : '';
  for (;;) {
    const code = opts.exited();
    if (code !== null && code !== undefined) throw new Error(`${name} exited with code ${code} while starting${hint}`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2000) })).ok) return Date.now() - t0;
    } catch {
      /* not listening yet */
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`${name} was not healthy at ${url} within ${timeoutMs / 1000}s${hint}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
