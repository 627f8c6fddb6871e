// @ts-check
/**
 * Buyers for the load scripts: the JSON file written by
 * `npm run seed:buyers -- --count <n> --out <file>` (an array of `{ userId, email, accessToken }`),
 * and how an iteration chooses one. Pure: no k6 imports.
 */

/** @typedef {{ userId: string, email: string, accessToken: string }} Buyer */

/**
 * Parses and checks a buyers file; throws a message naming the file and the first bad entry, so a
 * wrong path or an old file fails at start-up rather than as thousands of UNAUTHENTICATED answers.
 * @param {string} text
 * @param {string} source  file name, for messages
 * @returns {Buyer[]}
 */
export function parseBuyers(text, source) {
  /** @type {unknown} */
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!Array.isArray(value)) throw new Error(`${source}: expected a JSON array of { userId, email, accessToken }`);
  if (value.length === 0) throw new Error(`${source}: no buyers; run npm run seed:buyers -- --count <n> --out ${source}`);
  return value.map((b, i) => {
    if (!b || typeof b.userId !== 'string' || typeof b.email !== 'string' || typeof b.accessToken !== 'string' || b.accessToken === '') {
      throw new Error(`${source}: entry ${i} is not { userId, email, accessToken }`);
    }
    return { userId: b.userId, email: b.email, accessToken: b.accessToken };
  });
}

/**
 * The buyer for the n-th pick (0-based): consecutive picks are distinct buyers until all have been
 * used, then the list starts over.
 * @template T
 * @param {readonly T[]} buyers
 * @param {number} n  e.g. `exec.scenario.iterationInTest` or `exec.vu.idInTest - 1`
 * @returns {T}
 */
export function pickBuyer(buyers, n) {
  if (buyers.length === 0) throw new Error('no buyers');
  if (!Number.isInteger(n) || n < 0) throw new Error(`pick index must be a non-negative integer, got ${n}`);
  return buyers[n % buyers.length];
}

/**
 * An idempotency key unique to this run and iteration: a retry of the same iteration would reuse
 * it, a second run against the same database never collides with the first.
 * @param {string} runId
 * @param {number} iteration
 */
export function idempotencyKey(runId, iteration) {
  return `k6-${runId}-${iteration}`;
}
