import {
  checkBoolean,
  checkInteger,
  checkKnownKeys,
  checkNumber,
  describe,
} from '../util/validate.js';
import { isRateLimitError, retryAfterMs } from '../util/retry-after.js';
import type {
  AcquireOptions,
  LimitChange,
  LimiterPermit,
  RunLimiter,
} from '../core/run-limiter.js';
import { TokenBucket } from './token-bucket.js';

/** Options of `new AdaptiveLimiter()`. */
export interface AdaptiveLimiterOptions {
  /** The most calls in flight at once, whatever the successes: a whole number from 1, or `Infinity`. */
  maxConcurrency: number;
  /** The fewest calls in flight a run of rate limits can lower it to. @default 1 */
  minConcurrency?: number;
  /** The concurrency to start from, between `minConcurrency` and `maxConcurrency`. @default 8 (at most `maxConcurrency`) */
  initialConcurrency?: number;
  /** A request budget: at most this many calls start per minute, spread evenly (one second's worth may start at once). @default none */
  requestsPerMinute?: number;
  /** A token budget, charged from each call's reported `result.usage` (`totalTokens`, or input + output): calls wait while it is spent. @default none */
  tokensPerMinute?: number;
  /** Whether the concurrency adapts: down on a rate-limit failure, up on sustained success. `false` keeps it fixed (the pause until Retry-After still applies). @default true */
  adaptive?: boolean;
  /** Names the limiter in `limit` events and messages. @default 'limiter' */
  name?: string;
}

/** What `limiter.snapshot()` returns. */
export interface LimiterSnapshot {
  /** The current concurrency: at most this many calls in flight. */
  concurrency: number;
  /** Calls holding a permit now. */
  inFlight: number;
  /** Calls waiting for a permit. */
  queued: number;
  /** Until when (epoch ms) every call waits because a server asked for it with Retry-After. */
  pausedUntil?: number;
  /** Rate-limit failures (429 or 503) seen so far. */
  rateLimited: number;
}

export const defaultAdaptiveLimiterOptions = Object.freeze({
  minConcurrency: 1,
  initialConcurrency: 8,
  adaptive: true,
  name: 'limiter',
});

const KEYS = [
  'maxConcurrency',
  'minConcurrency',
  'initialConcurrency',
  'requestsPerMinute',
  'tokensPerMinute',
  'adaptive',
  'name',
];

/** On a rate limit, the concurrency is multiplied by this (rounded down, not below the minimum). */
const DECREASE = 0.8;
/** Near the level that was rate-limited last, growing needs this many times more successes. */
const CAUTION = 4;

interface Waiter {
  resolve(permit: LimiterPermit): void;
  publish: AcquireOptions['publish'];
  /** Removes the abort listener. */
  detach(): void;
}

/**
 * A concurrency limit shared by every actor given it, that adapts to the provider: a rate-limit
 * failure (HTTP 429 or 503) lowers it multiplicatively and pauses every call until the
 * `Retry-After` the failure carried; sustained success raises it by one at a time, up to
 * `maxConcurrency`. Optional request and token budgets per minute hold the rate below a known
 * quota. Implements `RunLimiter`: give it to any actor as its `limiter` option.
 */
export class AdaptiveLimiter implements RunLimiter {
  readonly name: string;
  readonly maxConcurrency: number;
  readonly minConcurrency: number;
  readonly adaptive: boolean;
  #concurrency: number;
  #inFlight = 0;
  readonly #queue: Waiter[] = [];
  #pausedUntil = 0;
  #rateLimited = 0;
  /** Successes since the concurrency last changed (the additive increase counts these). */
  #successes = 0;
  /** When the concurrency was last lowered: failures of calls started before it are the same episode. */
  #lastDecreaseAt = -Infinity;
  /** The concurrency at which the last rate limit was hit: growth slows down near it. */
  #ceiling = Infinity;
  readonly #requests: TokenBucket | undefined;
  readonly #tokens: TokenBucket | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;

  constructor(options: AdaptiveLimiterOptions) {
    const owner = 'new AdaptiveLimiter()';
    if (options === null || typeof options !== 'object') {
      throw new TypeError(
        `${owner}: expected an options object such as { maxConcurrency: 64 }, got ${describe(options)}.`,
      );
    }
    checkKnownKeys(owner, options, KEYS);
    const max = checkInteger(owner, 'maxConcurrency', options.maxConcurrency, {
      allowInfinity: true,
    });
    const min = checkInteger(
      owner,
      'minConcurrency',
      options.minConcurrency ?? defaultAdaptiveLimiterOptions.minConcurrency,
    );
    if (min > max) {
      throw new RangeError(
        `${owner}: \`minConcurrency\` ${describe(min)} is above \`maxConcurrency\` ${describe(max)}; lower minConcurrency or raise maxConcurrency.`,
      );
    }
    const initial =
      options.initialConcurrency === undefined
        ? Math.max(min, Math.min(defaultAdaptiveLimiterOptions.initialConcurrency, max))
        : checkInteger(owner, 'initialConcurrency', options.initialConcurrency);
    if (initial < min || initial > max) {
      throw new RangeError(
        `${owner}: expected \`initialConcurrency\` to be between minConcurrency (${min}) and maxConcurrency (${max}), got ${describe(initial)}.`,
      );
    }
    const perMinute = (option: 'requestsPerMinute' | 'tokensPerMinute'): TokenBucket | undefined =>
      options[option] === undefined
        ? undefined
        : new TokenBucket(checkNumber(owner, option, options[option], { exclusive: true }));
    this.#requests = perMinute('requestsPerMinute');
    this.#tokens = perMinute('tokensPerMinute');
    this.adaptive = checkBoolean(
      owner,
      'adaptive',
      options.adaptive ?? defaultAdaptiveLimiterOptions.adaptive,
    );
    const name = options.name ?? defaultAdaptiveLimiterOptions.name;
    if (typeof name !== 'string' || name.trim() === '') {
      throw new TypeError(
        `${owner}: expected \`name\` to be a non-empty string, got ${describe(name)}.`,
      );
    }
    this.name = name;
    this.maxConcurrency = max;
    this.minConcurrency = min;
    this.#concurrency = initial;
  }

  /** The current concurrency, in-flight and queued calls, the pause and the rate limits seen. */
  snapshot(): LimiterSnapshot {
    const snapshot: LimiterSnapshot = {
      concurrency: this.#concurrency,
      inFlight: this.#inFlight,
      queued: this.#queue.length,
      rateLimited: this.#rateLimited,
    };
    if (this.#pausedUntil > Date.now()) snapshot.pausedUntil = this.#pausedUntil;
    return snapshot;
  }

  acquire(options: AcquireOptions = {}): Promise<LimiterPermit> {
    const { signal, publish } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<LimiterPermit>((resolve, reject) => {
      const waiter: Waiter = { resolve, publish, detach: () => {} };
      if (signal) {
        const onAbort = (): void => {
          const index = this.#queue.indexOf(waiter);
          if (index !== -1) this.#queue.splice(index, 1);
          reject(signal.reason);
          // A waiter that left may have been the one the timer was for.
          this.#pump();
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.detach = () => signal.removeEventListener('abort', onAbort);
      }
      this.#queue.push(waiter);
      this.#pump();
    });
  }

  /** Hands out permits while the limits allow, or sets one timer for when they will. */
  #pump(): void {
    while (this.#queue.length > 0 && this.#inFlight < this.#concurrency) {
      const paused = this.#pausedUntil - Date.now();
      const wait = Math.max(
        paused,
        this.#requests?.waitFor(1) ?? 0,
        this.#tokens?.waitPositive() ?? 0,
      );
      if (wait > 0) return this.#wake(wait);
      this.#requests?.take(1);
      const waiter = this.#queue.shift() as Waiter;
      waiter.detach();
      this.#inFlight++;
      waiter.resolve(this.#permit(waiter.publish));
    }
    if (this.#queue.length === 0) this.#clearTimer();
  }

  #wake(ms: number): void {
    const at = performance.now() + ms;
    if (this.#timer !== undefined && this.#timerAt <= at + 1) return;
    this.#clearTimer();
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.#pump();
    }, Math.ceil(ms));
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  #permit(publish: AcquireOptions['publish']): LimiterPermit {
    const startedAt = performance.now();
    let released = false;
    return {
      release: (outcome) => {
        if (released) return;
        released = true;
        this.#inFlight--;
        const change = outcome.ok
          ? this.#succeeded(outcome.result)
          : this.#failed(outcome.error, startedAt);
        if (change && publish) {
          try {
            publish(change);
          } catch {
            // A failing publisher must not break the limiter's accounting.
          }
        }
        this.#pump();
      },
    };
  }

  #succeeded(result: unknown): LimitChange | undefined {
    const tokens = tokensOf(result);
    if (tokens > 0) this.#tokens?.take(tokens);
    // Grow only while the limit is what holds calls back: someone is waiting for a permit.
    if (!this.adaptive || this.#queue.length === 0) return undefined;
    if (this.#concurrency >= this.maxConcurrency) return undefined;
    this.#successes++;
    const near = this.#concurrency + 1 >= this.#ceiling;
    if (this.#successes < this.#concurrency * (near ? CAUTION : 1)) return undefined;
    return this.#change(this.#concurrency + 1, 'sustained success');
  }

  #failed(error: unknown, startedAt: number): LimitChange | undefined {
    if (!isRateLimitError(error)) return undefined;
    this.#rateLimited++;
    const delay = retryAfterMs(error);
    if (delay !== undefined && delay > 0)
      this.#pausedUntil = Math.max(this.#pausedUntil, Date.now() + delay);
    // One decrease per episode: calls that started before the last decrease hit the old limit.
    if (!this.adaptive || startedAt < this.#lastDecreaseAt) return undefined;
    this.#lastDecreaseAt = performance.now();
    this.#ceiling = this.#concurrency;
    const next = Math.max(this.minConcurrency, Math.floor(this.#concurrency * DECREASE));
    const status = statusOf(error);
    const reason = `rate limited (${status})${delay === undefined ? '' : `, retry after ${Math.round(delay)} ms`}`;
    return this.#change(next, reason);
  }

  #change(next: number, reason: string): LimitChange | undefined {
    this.#successes = 0;
    const previous = this.#concurrency;
    if (next === previous) return undefined;
    this.#concurrency = next;
    return { name: this.name, concurrency: next, previous, reason };
  }
}

/** The 429 or 503 of a rate-limit failure, for the event's reason. */
function statusOf(error: unknown): number {
  let current = error as { statusCode?: unknown; status?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth++) {
    for (const code of [Number(current.statusCode), Number(current.status)])
      if (code === 429 || code === 503) return code;
    current = current.cause as typeof current;
  }
  return 429;
}

/** Tokens a call used, read from `result.usage`: `totalTokens`, or input + output. */
function tokensOf(result: unknown): number {
  if (result === null || typeof result !== 'object') return 0;
  const usage = (result as { usage?: unknown }).usage;
  if (usage === null || typeof usage !== 'object') return 0;
  const { totalTokens, inputTokens, outputTokens } = usage as Record<string, unknown>;
  const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return n(totalTokens) > 0 ? n(totalTokens) : n(inputTokens) + n(outputTokens);
}
