/** A background worker of a process (outbox relay, stream consumer, periodic job): kicked, stopped. */
export interface Worker {
  /** Ask the worker to run its next round now instead of waiting for its interval. */
  kick(): void;
  stop(): Promise<void>;
}
