// @ts-check
/**
 * Settings and load shapes for the k6 scripts. Environment values are checked here so a typo
 * (`PEAK_RATE=1k`) stops the run with the variable's name instead of silently using NaN.
 * Pure: the environment is passed in (k6's `__ENV`).
 */

/**
 * @param {Record<string, string | undefined>} env
 * @param {string} name
 * @param {number} fallback
 * @param {number} [min]
 * @returns {number}
 */
export function envInt(env, name, fallback, min = 0) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return value;
}

/**
 * @param {Record<string, string | undefined>} env
 * @param {string} name
 * @param {string} fallback
 */
export function envString(env, name, fallback) {
  const raw = env[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

/**
 * Comma-separated list, blanks dropped.
 * @param {Record<string, string | undefined>} env
 * @param {string} name
 * @returns {string[]}
 */
export function envList(env, name) {
  return (env[name] || '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * @typedef {{ duration: string, target: number }} Stage
 * @typedef {{ startRate: number, rampSeconds: number, peakRate: number, holdSeconds: number, taperSeconds: number, endRate: number }} FlashSaleShape
 */

/**
 * `ramping-arrival-rate` stages for a sale opening: a short ramp that reaches the peak exactly when
 * the sale opens (the script starts the scenario `rampSeconds` early), a plateau at the peak, then a
 * taper as the stock runs out and buyers give up.
 * @param {FlashSaleShape} shape
 * @returns {Stage[]}
 */
export function flashSaleStages(shape) {
  const { rampSeconds, peakRate, holdSeconds, taperSeconds, endRate } = shape;
  /** @type {Stage[]} */
  const stages = [];
  if (rampSeconds > 0) stages.push({ duration: `${rampSeconds}s`, target: peakRate });
  if (holdSeconds > 0) stages.push({ duration: `${holdSeconds}s`, target: peakRate });
  if (taperSeconds > 0) stages.push({ duration: `${taperSeconds}s`, target: endRate });
  if (stages.length === 0) throw new Error('the flash-sale profile needs at least one second of load');
  return stages;
}

/**
 * How many iterations k6 starts for these stages (k6 moves the rate linearly within a stage, so
 * each stage contributes the area of a trapezoid). Used to compare the load with the buyer count.
 * @param {number} startRate  iterations per second at the start
 * @param {readonly Stage[]} stages  durations in whole seconds ("12s")
 */
export function expectedArrivals(startRate, stages) {
  let rate = startRate;
  let total = 0;
  for (const { duration, target } of stages) {
    const m = /^(\d+)s$/.exec(duration);
    if (!m) throw new Error(`expected a duration in seconds, got "${duration}"`);
    total += ((rate + target) / 2) * Number(m[1]);
    rate = target;
  }
  return Math.round(total);
}

/**
 * Milliseconds to wait so that a scenario starting `leadMs` before the opening begins on time;
 * 0 when that moment has passed, null when the product has no (valid) opening time.
 * @param {string | null | undefined} opensAt  ISO date-time (Product.saleOpensAt)
 * @param {number} nowMs
 * @param {number} leadMs
 * @returns {number | null}
 */
export function waitBeforeOpeningMs(opensAt, nowMs, leadMs) {
  if (!opensAt) return null;
  const t = Date.parse(opensAt);
  if (Number.isNaN(t)) return null;
  return Math.max(0, t - leadMs - nowMs);
}

/**
 * Index into `weights` chosen with probability proportional to its weight, for a uniform r in [0, 1).
 * @param {readonly number[]} weights  non-negative, at least one positive
 * @param {number} r
 */
export function pickWeighted(weights, r) {
  const total = weights.reduce((a, w) => a + w, 0);
  if (!(total > 0) || weights.some((w) => w < 0)) throw new Error('weights must be non-negative with a positive sum');
  let x = Math.min(Math.max(r, 0), 1) * total;
  for (let i = 0; i < weights.length; i++) {
    if (x < weights[i]) return i;
    x -= weights[i];
  }
  // r == 1 (or float rounding): the last positive weight.
  for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
  return 0;
}
