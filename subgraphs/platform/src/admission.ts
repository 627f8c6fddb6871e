/**
 * Admission control: at most `maxInFlight` requests in progress, at most `maxQueue` more waiting,
 * each waiting one for at most `queueTimeoutMs`. A request that finds the queue full, or that is
 * still waiting when its deadline passes, is refused at once (the caller answers it HTTP 503
 * SERVICE_UNAVAILABLE with a Retry-After) instead of being served late: under overload the
 * process keeps serving at full speed what it admitted and tells the excess in milliseconds.
 *
 * Shed a standing queue, not a burst (controlled delay, after CoDel and its use for RPC queues):
 * the opening instant of a sale brings more requests at once than there are slots, and a queue
 * the process drains within a second or two is not overload: each waits up to `queueTimeoutMs`
 * (the burst budget). A queue that stands is overload: when, over a whole `codel.intervalMs`,
 * requests had to queue and more than 10 % more requests arrived than were admitted (service did
 * not keep up), the controller is overloaded and gives new arrivals only `codel.targetMs` to find
 * a slot, so the excess hears busy at once, as before; the first interval in which service keeps
 * up ends it. A burst's own requests queued before the verdict keep their long deadline, so the
 * burst is served. (CoDel judges by the shortest wait in an interval, and a queue's emptying was
 * tried here too; but the overloaded deadline itself keeps waits short and lets admissions empty
 * the tiny queue now and then, so both flap between the two deadlines: measured, busy answers'
 * p99 4.3 s at three times capacity. Arrivals against admissions does not flap.) Order stays
 * first in, first out
 * (no adaptive LIFO: the first buyer must stay first).
 *
 * Why not cockatiel's bulkhead: its queued entries wait until a slot frees, however long that
 * takes; an aborted entry keeps its queue place and is only dropped when it reaches the head, so
 * a deadline cannot be answered at the deadline. This is the small part of it we need, plus that.
 */
import { AnswerError } from './errors';

export interface AdmissionOptions {
  /** Requests in progress at once (>= 1). */
  maxInFlight: number;
  /** Requests waiting for a slot (>= 0; 0 means refuse whenever every slot is taken). */
  maxQueue: number;
  /** How long a request may wait for a slot before it is refused (ms): the burst budget. */
  queueTimeoutMs: number;
  /** Standing-queue detection (see above); omitted: every request gets `queueTimeoutMs`. */
  codel?: { targetMs: number; intervalMs: number };
}

export type Refusal = 'queue-full' | 'deadline' | 'cancelled';

/** Releases the slot a request holds; safe to call more than once. */
export type Release = () => void;

interface Waiter {
  admit: (release: Release) => void;
  refuse: (why: Refusal) => void;
  timer: NodeJS.Timeout | undefined;
  done: boolean;
}

/** A request not admitted: an answer (busy, retry), not a fault. */
export class AdmissionRefused extends AnswerError {
  constructor(readonly reason: Refusal) {
    super(`request not admitted: ${reason}`);
  }
}

export class AdmissionController {
  private inFlight = 0;
  // A FIFO as an array with a moving head: shift() is O(n) on big queues; this is O(1) amortised.
  private queue: Array<Waiter | undefined> = [];
  private head = 0;
  private waiting = 0;
  /** Counters since start, for logs and tests. */
  readonly stats = { admitted: 0, queued: 0, refusedQueueFull: 0, refusedDeadline: 0, cancelled: 0, overloadedIntervals: 0 };
  /** Controlled delay: arrivals and admissions in this interval, whether any queued, and the verdict on the last one. */
  private codel = { intervalStart: Date.now(), arrivals: 0, admissions: 0, queued: false, overloaded: false };
  /** Admissions and refusals in the current second and the one before it (for retryAfter). */
  private rate = { second: 0, admitted: 0, refused: 0, lastAdmitted: 0, lastRefused: 0 };

  constructor(private readonly opts: AdmissionOptions) {
    if (!(opts.maxInFlight >= 1)) throw new Error('maxInFlight must be at least 1');
    if (!(opts.maxQueue >= 0)) throw new Error('maxQueue must be at least 0');
  }

  /**
   * When a refused request should come back, in whole seconds: `base`, plus a random whole number
   * of seconds from 0 up to a spread that grows with how many requests are refused for each one
   * admitted (over this second and the last), at most `max` in all (never less than `base`). Told to come back all after
   * `base`, the refused of one second return together and are mostly refused again; spread over
   * as many seconds as it takes to serve them, each one lands on a second with room (full jitter,
   * proportional to the overload). Without overload (a short burst) the spread is 0 or 1.
   */
  retryAfterSeconds(base: number, max: number, random: () => number = Math.random): number {
    this.roll();
    const refused = Math.max(this.rate.refused, this.rate.lastRefused);
    const admitted = Math.max(1, this.rate.admitted, this.rate.lastAdmitted);
    const spread = Math.max(0, Math.min(max - base, Math.ceil(refused / admitted)));
    return base + Math.floor(random() * (spread + 1));
  }

  /** Starts a new second of counts when the clock has moved on. */
  private roll(): void {
    const second = Math.floor(Date.now() / 1000);
    if (second === this.rate.second) return;
    const previous = second - this.rate.second === 1;
    this.rate = { second, admitted: 0, refused: 0, lastAdmitted: previous ? this.rate.admitted : 0, lastRefused: previous ? this.rate.refused : 0 };
  }

  get running(): number {
    return this.inFlight;
  }

  get queued(): number {
    return this.waiting;
  }

  /**
   * Admits now (returns the release function), or queues, or refuses. Queued requests get a
   * promise that resolves with the release function when a slot frees, or rejects with
   * AdmissionRefused('deadline') when the queue timeout passes first. `signal` (the client went
   * away) withdraws a queued request without it ever taking a slot.
   */
  acquire(signal?: { onCancel(cb: () => void): void }): Release | Promise<Release> {
    this.noteArrival();
    if (this.inFlight < this.opts.maxInFlight && this.waiting === 0) return this.take();
    if (this.waiting >= this.opts.maxQueue) {
      this.stats.refusedQueueFull++;
      this.roll();
      this.rate.refused++;
      throw new AdmissionRefused('queue-full');
    }
    return new Promise<Release>((resolve, reject) => {
      const w: Waiter = {
        admit: resolve,
        refuse: (why) => reject(new AdmissionRefused(why)),
        timer: undefined,
        done: false,
      };
      w.timer = setTimeout(() => this.drop(w, 'deadline'), this.overloaded ? Math.min(this.opts.codel!.targetMs, this.opts.queueTimeoutMs) : this.opts.queueTimeoutMs);
      this.queue.push(w);
      this.noteQueued();
      this.waiting++;
      this.stats.queued++;
      signal?.onCancel(() => this.drop(w, 'cancelled'));
    });
  }

  /** Whether the queue has been standing for a whole interval (new arrivals then get only the target wait). */
  get overloaded(): boolean {
    if (!this.opts.codel) return false;
    this.closeInterval(Date.now());
    return this.codel.overloaded;
  }

  /** Counts an arrival (whatever becomes of it) for the interval's verdict. */
  private noteArrival(): void {
    if (!this.opts.codel) return;
    this.closeInterval(Date.now());
    this.codel.arrivals++;
  }

  /** Notes that a request had to queue. */
  private noteQueued(): void {
    if (this.opts.codel) this.codel.queued = true;
  }

  /**
   * Judges the interval that ended (if one did): overloaded when requests queued in it and more
   * than 10 % more arrived than were admitted.
   */
  private closeInterval(now: number): void {
    const { intervalMs } = this.opts.codel!;
    if (now - this.codel.intervalStart < intervalMs) return;
    const standing = this.codel.queued && this.codel.arrivals > 1.1 * this.codel.admissions;
    this.codel = { intervalStart: now, arrivals: 0, admissions: 0, queued: this.waiting > 0, overloaded: standing };
    if (standing) this.stats.overloadedIntervals++;
  }

  private take(): Release {
    if (this.opts.codel) this.codel.admissions++;
    this.inFlight++;
    this.stats.admitted++;
    this.roll();
    this.rate.admitted++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.next();
    };
  }

  private drop(w: Waiter, why: Refusal): void {
    if (w.done) return;
    w.done = true;
    clearTimeout(w.timer);
    this.waiting--;
    if (why === 'deadline') {
      this.stats.refusedDeadline++;
      this.roll();
      this.rate.refused++;
    } else this.stats.cancelled++;
    // Its array slot is skipped when it reaches the head; compact if refusals pile up while no
    // slot frees (every request in progress hung), so the array stays bounded.
    if (this.queue.length - this.head > 2 * this.opts.maxQueue + 1024) {
      this.queue = this.queue.slice(this.head).filter((x) => x && !x.done);
      this.head = 0;
    }
    w.refuse(why);
  }

  /** Hands a freed slot to the oldest waiter still waiting. */
  private next(): void {
    while (this.inFlight < this.opts.maxInFlight && this.head < this.queue.length) {
      const w = this.queue[this.head];
      this.queue[this.head++] = undefined;
      if (!w || w.done) continue;
      w.done = true;
      clearTimeout(w.timer);
      this.waiting--;
      w.admit(this.take());
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
