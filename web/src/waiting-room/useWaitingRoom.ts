/**
 * A product page's waiting room: joins the line, keeps the buyer's place (ticket-store.ts), and
 * follows the line until the buyer is served, the sale sells out or closes.
 *
 * How it waits (docs/WAITING-ROOM.md): never by polling every second. In line, it holds one turn
 * request at the gateway (answered the moment the number is served or the sale ends, else after
 * TURN_HOLD_SECONDS) and renews it. When that fails, it waits as long as the estimate (or the
 * answer's retryAfter) advises and reads the public status document instead, then holds the turn
 * request again. In the pre-queue it holds a turn request without a number until the opening and
 * then joins again to learn its number. Outside the line, it reads the public status now and then.
 *
 * Invariants:
 * - One watch loop per page, restarted when the stored place changes (joined, numbered, ordered);
 *   an aborted loop (navigation, restart, StrictMode's second mount) sends nothing more.
 * - On load with a stored place it joins again (idempotent: the same ticket and number) to refresh
 *   the place, so a reload or a second tab continues where the first left off.
 * - The time to buy counts from when this browser first learned its number was served, kept with
 *   the place: a reload does not restart it.
 */
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { authorizedFetch } from '../client';
import { useSession } from '../session-context';
import { LineApi, LineError, TURN_HOLD_SECONDS, isFinal, type JoinAnswer, type LineStatus, type TurnAnswer } from './line-api';
import { linePhase, type LineFigures, type LinePhase } from './line-phase';
import { PlaceStore, type StoredPlace } from './ticket-store';

/** Outside the line: how often the public status is read (the edge answers it from memory). */
const OUTSIDE_POLL_MS = 3000;
/** Served, sold out or closed: how often to look whether that changed (units back, sold out meanwhile). */
const SETTLED_POLL_MS = 10_000;
/** A failed turn request is followed by a status read after the estimate, within these bounds (s). */
const FALLBACK_MIN_S = 2;
const FALLBACK_MAX_S = 30;
/** Busy answers to a join are retried after their retryAfter this many times, then the button is back. */
const JOIN_RETRIES = 5;

export interface WaitingRoom {
  phase: LinePhase;
  /** The line's latest figures (null until known). */
  figures: LineFigures | null;
  /** Seconds until the buyer's number is served, as the gateway estimated it last. */
  estimatedWaitSeconds: number | null;
  joining: boolean;
  /** What went wrong last, in words (cleared by the next good answer). */
  problem: string | null;
  /** Something to say that is not a problem (for example: too early for the line). */
  notice: string | null;
  join(): void;
  /** After a refused order: join again (idempotent) to refresh the place. */
  recheck(): void;
  /** The ticket bought this order. */
  ordered(orderId: string): void;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

const clamp = (n: number, low: number, high: number) => Math.min(high, Math.max(low, n));

/** A waiting-room failure in words, saying when the page tries again (`retryIn` seconds) if it does. */
export function lineTrouble(err: unknown, retryIn: number | null): string {
  const again = retryIn !== null ? `: trying again in ${Math.ceil(retryIn)} s` : '';
  if (!(err instanceof LineError)) return `The waiting room could not be reached${again}.`;
  switch (err.status) {
    case 0:
      return `Network problem${again}.`;
    case 401:
      return 'Please sign in to join the line.';
    case 404:
      return 'This sale has no waiting room.';
    case 429:
      return `Too many requests${again}.`;
    case 503:
      return `The line is busy right now${again}.`;
    default:
      return `${err.message}${again}.`;
  }
}

const retryAfterOf = (err: unknown) => (err instanceof LineError ? err.retryAfter : null);

/** `initial`: Product.waitingRoom from GraphQL, for the first render. */
export function useWaitingRoom(productId: string, initial: LineFigures | null, enabled: boolean): WaitingRoom {
  const { session, userId } = useSession();
  const api = useMemo(() => new LineApi(session.gatewayUrl, authorizedFetch(session)), [session]);
  const store = useMemo(() => (userId ? new PlaceStore(userId, productId) : null), [userId, productId]);
  const place = useSyncExternalStore(
    useCallback((l: () => void) => store?.subscribe(l) ?? (() => undefined), [store]),
    () => store?.read() ?? null,
  );
  const [status, setStatus] = useState<LineFigures | null>(null);
  const figures = status ?? initial;
  const [estimate, setEstimate] = useState<number | null>(null);
  const [joining, setJoining] = useState(false);
  // What the last action (join, re-join) and the watch loop ran into, kept apart: the loop's next
  // good answer clears only its own.
  const [actionProblem, setActionProblem] = useState<string | null>(null);
  const [loopProblem, setLoopProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const phase = linePhase(place, figures, now);

  // Refs for the long-running loop: it reads the latest values without restarting.
  const estimateRef = useRef<number | null>(null);

  /** Takes in a status, turn or join answer. */
  const apply = useCallback(
    (doc: LineStatus | TurnAnswer | JoinAnswer) => {
      setStatus({ state: doc.state, nowServing: doc.nowServing, waiting: doc.waiting, admitPerSecond: doc.admitPerSecond, available: doc.available, holding: doc.holding });
      // A number beyond the units left has no time estimate (it depends on units coming back).
      if ('estimatedWaitSeconds' in doc && (doc.estimatedWaitSeconds !== null || doc.waitsForReturns)) {
        estimateRef.current = doc.estimatedWaitSeconds;
        setEstimate(doc.estimatedWaitSeconds);
      }
      const mine = store?.read();
      if (mine && mine.number !== null && mine.servedAt === null && mine.number <= doc.nowServing && !isFinal(doc.state)) store!.update({ servedAt: Date.now() });
    },
    [store],
  );

  /** Joins (or re-joins: the same ticket and number) and keeps the place. */
  const joinOnce = useCallback(
    async (signal?: AbortSignal) => {
      const answer = await api.join(productId, signal);
      if (signal?.aborted || !store) return;
      const previous = store.read();
      if (answer.ticket) {
        const same = previous?.ticket === answer.ticket && previous.number === answer.number;
        const next: StoredPlace = {
          ticket: answer.ticket,
          number: answer.number,
          startedAt: same && previous.startedAt !== null ? previous.startedAt : answer.number !== null ? Math.min(answer.nowServing, answer.number - 1) : null,
          servedAt: same ? previous.servedAt : null,
          orderWindowSeconds: answer.orderWindowSeconds,
          orderId: previous?.ticket === answer.ticket ? previous.orderId : null,
        };
        if (JSON.stringify(next) !== JSON.stringify(previous)) store.write(next);
        setNotice(null);
      } else if (answer.state === 'NOT_OPEN') {
        setNotice('The line opens shortly before the sale: join again closer to the opening.');
      }
      apply(answer);
      setActionProblem(null);
    },
    [api, productId, store, apply],
  );

  const join = useCallback(() => {
    if (!store) {
      setActionProblem('Please sign in to join the line.');
      return;
    }
    setJoining(true);
    setActionProblem(null);
    void (async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          await joinOnce();
          return;
        } catch (err) {
          const retryIn = retryAfterOf(err);
          const again = retryIn !== null && attempt < JOIN_RETRIES;
          setActionProblem(lineTrouble(err, again ? retryIn : null));
          if (!again) return;
          await new Promise((r) => setTimeout(r, retryIn * 1000));
        }
      }
    })().finally(() => setJoining(false));
  }, [store, joinOnce]);

  const recheck = useCallback(() => void joinOnce().catch(() => undefined), [joinOnce]);
  const ordered = useCallback((orderId: string) => store?.update({ orderId }), [store]);

  // On load (and for another user): refresh a stored place by joining again.
  useEffect(() => {
    if (!enabled || !store?.read()) return;
    const abort = new AbortController();
    joinOnce(abort.signal).catch((err: unknown) => {
      if (!abort.signal.aborted) setActionProblem(lineTrouble(err, null));
    });
    return () => abort.abort();
  }, [enabled, store, joinOnce]);

  // The watch loop (see the top of this file); restarted when the place changes.
  const placeKey = place ? `${place.ticket}|${place.number}|${place.orderId}` : '';
  useEffect(() => {
    if (!enabled) return;
    const abort = new AbortController();
    const { signal } = abort;
    let latest: LineStatus | null = null;
    const read = async () => {
      latest = await api.status(productId, signal);
      if (!signal.aborted) apply(latest);
    };
    const step = async () => {
      const mine = store?.read() ?? null;
      const settled = latest !== null && (isFinal(latest.state) || (mine?.number != null && mine.number <= latest.nowServing));
      if (!mine) {
        await sleep(latest ? (isFinal(latest.state) ? SETTLED_POLL_MS : OUTSIDE_POLL_MS) : 0, signal);
        if (!signal.aborted) await read();
      } else if (mine.orderId || settled) {
        await sleep(SETTLED_POLL_MS, signal);
        if (!signal.aborted) await read();
      } else {
        const turn = await api.turn(productId, mine.number, TURN_HOLD_SECONDS, signal);
        if (signal.aborted) return;
        latest = turn;
        apply(turn);
        // The opening drew the pre-queue's numbers: join again to learn this one.
        if (mine.number === null && turn.state !== 'NOT_OPEN') await joinOnce(signal);
      }
      setLoopProblem(null);
    };
    void (async () => {
      while (!signal.aborted) {
        try {
          await step();
        } catch (err) {
          if (signal.aborted) return;
          // The held request failed: wait as the estimate (or the answer) advises, then read the status.
          const delay = retryAfterOf(err) ?? clamp(estimateRef.current ?? FALLBACK_MIN_S, FALLBACK_MIN_S, FALLBACK_MAX_S);
          setLoopProblem(lineTrouble(err, delay));
          await sleep(delay * 1000, signal);
          if (!signal.aborted) await read().catch(() => undefined);
        }
      }
    })();
    return () => abort.abort();
    // placeKey stands for the place's fields the loop depends on.
  }, [enabled, api, store, productId, apply, joinOnce, placeKey]);

  // The time left to buy ticks while served.
  useEffect(() => {
    if (phase.kind !== 'served') return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [phase.kind]);

  return { phase, figures, estimatedWaitSeconds: estimate, joining, problem: actionProblem ?? loopProblem, notice, join, recheck, ordered };
}
