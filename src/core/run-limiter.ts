/**
 * The seam between the runtime and a limiter: every actor takes a `limiter` option, and the run
 * acquires a permit around each attempt of the handler. `AdaptiveLimiter` implements it; a
 * third-party limiter implements the same two methods.
 */

/** What a limiter reports when it changes its concurrency (published as a `kind: 'limit'` event). */
export interface LimitChange {
  /** The limiter's name. */
  name: string;
  /** Its concurrency now. */
  concurrency: number;
  /** Its concurrency before the change. */
  previous: number;
  /** Why it changed, for people: e.g. `rate limited (429), retry after 200 ms`. */
  reason: string;
}

/** Options of one `acquire()` call. */
export interface AcquireOptions {
  /** Aborts the wait: `acquire()` then rejects with `signal.reason`, leaving nothing queued. */
  signal?: AbortSignal;
  /**
   * Puts a `kind: 'limit'` event on the bus of the run that acquired. The limiter calls it for
   * every change it makes while this permit is held or released.
   */
  publish?: (change: LimitChange) => void;
}

/** One call's right to run, returned by `acquire()`. */
export interface LimiterPermit {
  /**
   * Ends the call: `error` when it failed (a 429/503 lowers the limit), `result` when it succeeded
   * (token usage is read from `result.usage`). Idempotent: only the first call counts.
   */
  release(outcome: { ok: true; result: unknown } | { ok: false; error: unknown }): void;
}

/** Something that decides when a run's attempt may call out. `AdaptiveLimiter` implements it. */
export interface RunLimiter {
  /**
   * Waits until one more call may start (concurrency, a pause until Retry-After, request and
   * token buckets), then returns a permit. Rejects with `signal.reason` as soon as `signal`
   * aborts, leaving nothing queued.
   */
  acquire(options: AcquireOptions): Promise<LimiterPermit>;
}
