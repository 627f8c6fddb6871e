/**
 * The open-model load generator: a constant arrival rate, the way buyers really arrive.
 *
 * Request i (one buyer each) is due at `start + i × 1000 / rate` ms whatever happened to the
 * earlier ones: nothing waits for an answer before sending the next (no coordinated omission).
 * Its latency runs from that scheduled time (not the moment the generator got round to sending
 * it) to the end of the whole response. At most `maxInFlight` requests are in flight (k6's
 * maxVUs); a due request that cannot be sent within `graceMs` of its scheduled time because the
 * cap is reached is counted as "not sent on time" (k6's dropped_iterations), never sent late.
 * A request the generator itself sends late (its own event loop was busy) is sent, and its
 * latency still counts from the scheduled time; the send lag is reported so that shows.
 *
 * With `maxRetries` > 0 a buyer told busy (the caller's `fire` says so, with a retryAfter) tries
 * again after retryAfter, with the same request (so the same idempotency key), at most
 * `maxRetries` times; each retry is due at its own time and obeys the same cap and grace rule.
 */
import { performance } from 'node:perf_hooks';
import type { Outcome } from './load';
import { networkKind } from './load';

/** What one attempt got back, reduced for the report. `busy`: told to retry later (503/429). */
export interface Answer {
  outcome: Outcome;
  busy?: boolean;
  /** When busy: how long the answer asked the client to wait, ms. */
  retryAfterMs?: number;
}

export interface ArrivalOptions {
  rate: number;
  /** Number of arrivals (buyers); the arrivals span requests / rate seconds. */
  requests: number;
  maxInFlight: number;
  /** A due request that cannot be sent within this many ms (cap reached) is not sent at all. */
  graceMs: number;
  /** Retries of a busy answer per buyer (0: none). */
  maxRetries: number;
  /** Called with the buyer index and the attempt number (0 = first). Must not throw for HTTP errors. */
  fire: (buyer: number, attempt: number) => Promise<Answer>;
  /** Performance-clock time (ms) at which arrival 0 is due; default: now. */
  startAt?: number;
}

/** The kind given to a buyer whose request (or a retry) was never sent. */
export const NOT_SENT = 'NOT_SENT_ON_TIME';

export interface AttemptRecord {
  buyer: number;
  attempt: number;
  kind: string;
  busy: boolean;
  error: boolean;
  /** Scheduled time → end of the response, ms. */
  latencyMs: number;
  /** Scheduled time → actually handed to the HTTP client, ms (the generator's own lateness). */
  sendLagMs: number;
  /** End of the response, ms after the start. */
  doneAtMs: number;
}

export interface ArrivalResult {
  rate: number;
  requests: number;
  /** First attempts sent (arrivals minus those not sent on time). */
  sent: number;
  /** Arrivals never sent (cap reached for longer than graceMs). */
  notSent: number;
  /** Retries sent, and retries dropped by the cap. */
  retriesSent: number;
  retriesNotSent: number;
  /** Time from the first scheduled arrival to the last first-attempt send, ms. */
  sendSpanMs: number;
  /** Time from the first scheduled arrival to the last response (or drop), ms. */
  durationMs: number;
  /** Most requests in flight at once. */
  peakInFlight: number;
  attempts: AttemptRecord[];
  /** Each buyer's final outcome (the last attempt's, or NOT_SENT). */
  finals: Outcome[];
  /** Each buyer's first scheduled time → final response, ms (NaN when never sent). */
  buyerLatencyMs: Float64Array;
}

interface Due {
  buyer: number;
  attempt: number;
  /** Performance-clock time this attempt was due. */
  at: number;
}

export function openLoop(opts: ArrivalOptions): Promise<ArrivalResult> {
  const { rate, requests, maxInFlight, graceMs, maxRetries, fire } = opts;
  const start = opts.startAt ?? performance.now();
  const interval = 1000 / rate;
  const dueAt = (i: number) => start + i * interval;

  const attempts: AttemptRecord[] = [];
  const finals = new Array<Outcome>(requests);
  const buyerLatencyMs = new Float64Array(requests).fill(Number.NaN);
  // FIFO of due attempts waiting for a free slot (arrivals in order; retries join when due).
  const queue: Due[] = [];
  let head = 0;
  let next = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  let retriesPending = 0;
  let sent = 0;
  let notSent = 0;
  let retriesSent = 0;
  let retriesNotSent = 0;
  let lastFirstSend = start;
  let lastDone = start;
  let timer: NodeJS.Timeout | undefined;
  /** The last moment a due attempt found every slot taken. */
  let capFullAt = Number.NEGATIVE_INFINITY;

  return new Promise<ArrivalResult>((resolveAll) => {
    const finish = () => {
      if (next < requests || head < queue.length || inFlight > 0 || retriesPending > 0) return;
      if (timer) clearTimeout(timer);
      resolveAll({
        rate,
        requests,
        sent,
        notSent,
        retriesSent,
        retriesNotSent,
        sendSpanMs: lastFirstSend - start,
        durationMs: lastDone - start,
        peakInFlight,
        attempts,
        finals,
        buyerLatencyMs,
      });
    };

    const drop = (d: Due, now: number) => {
      if (d.attempt === 0) {
        notSent++;
        finals[d.buyer] = { kind: NOT_SENT, error: true };
      } else retriesNotSent++; // the buyer keeps the busy answer of the previous attempt
      lastDone = Math.max(lastDone, now);
    };

    const send = (d: Due, now: number) => {
      inFlight++;
      peakInFlight = Math.max(peakInFlight, inFlight);
      if (d.attempt === 0) {
        sent++;
        lastFirstSend = now;
      } else retriesSent++;
      const sendLagMs = now - d.at;
      const settle = (answer: Answer) => {
        const end = performance.now();
        inFlight--;
        lastDone = Math.max(lastDone, end);
        const { outcome } = answer;
        const busy = answer.busy === true;
        attempts.push({ buyer: d.buyer, attempt: d.attempt, kind: outcome.kind, busy, error: outcome.error === true, latencyMs: end - d.at, sendLagMs, doneAtMs: end - start });
        finals[d.buyer] = outcome;
        buyerLatencyMs[d.buyer] = end - dueAt(d.buyer);
        if (busy && d.attempt < maxRetries) {
          retriesPending++;
          setTimeout(
            () => {
              retriesPending--;
              queue.push({ buyer: d.buyer, attempt: d.attempt + 1, at: performance.now() });
              pump();
            },
            Math.max(0, answer.retryAfterMs ?? 1000),
          );
        }
        pump();
      };
      fire(d.buyer, d.attempt).then(settle, (err: unknown) => settle({ outcome: { kind: networkKind(err), error: true } }));
    };

    /**
     * Sends what is due while slots are free (late or not: a late send still counts its latency
     * from the scheduled time); drops what the cap kept waiting longer than the grace.
     */
    const pump = () => {
      const now = performance.now();
      while (head < queue.length) {
        const d = queue[head];
        const free = inFlight < maxInFlight;
        if (!free) capFullAt = now;
        // Blocked by the cap at some moment since it was due, and now past the grace: dropped,
        // even if a slot has just freed (the cap made it miss its time, not the generator).
        if (now - d.at > graceMs && capFullAt >= d.at) {
          head++;
          drop(d, now);
        } else if (free) {
          head++;
          send(d, now);
        } else break;
      }
      if (head > 4096 && head * 2 > queue.length) {
        queue.splice(0, head);
        head = 0;
      }
      if (head < queue.length && !timer) timer = setTimeout(tick, graceMs / 2);
      finish();
    };

    // One timer at a time: the next arrival's, or (after the last arrival, while something waits
    // for a slot) a grace check, so a cap that stays full still drops what waits too long.
    const tick = () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      const now = performance.now();
      while (next < requests && dueAt(next) <= now) {
        queue.push({ buyer: next, attempt: 0, at: dueAt(next) });
        next++;
      }
      pump();
      if (next < requests) {
        if (timer) clearTimeout(timer);
        timer = setTimeout(tick, Math.max(0, dueAt(next) - performance.now()));
      }
    };
    timer = setTimeout(tick, Math.max(0, start - performance.now()));
  });
}
