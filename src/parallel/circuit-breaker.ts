import { CircuitState } from '../util/enums.js';
import {
  checkFunction,
  checkInteger,
  checkKnownKeys,
  checkNumber,
  describe,
} from '../util/validate.js';

/** Options of `new CircuitBreaker()`. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  threshold: number;
  /** How long the circuit stays open before it lets one trial through (half-open), in milliseconds. */
  resetTimeoutMs: number;
  /** A state saved with `toJSON()`, to resume where it was. */
  initialState?: CircuitBreakerSnapshot;
  /** The clock, for tests. @default Date.now */
  now?: () => number;
}

/** A breaker's state as plain data. */
export interface CircuitBreakerSnapshot {
  state: CircuitState;
  failures: number;
  openedAt: number | undefined;
}

/**
 * Stops calling a failing dependency. Closed: tasks pass; `threshold` consecutive failures open
 * it. Open: tasks are refused without being invoked. After `resetTimeoutMs` it is half-open: one
 * trial passes at a time; a success closes it, a failure opens it again. One instance may be
 * shared by many groups (and states): it is the dependency's health, not a group's.
 */
export class CircuitBreaker {
  readonly threshold: number;
  readonly resetTimeoutMs: number;
  #state: CircuitState = 'closed';
  #failures = 0;
  #openedAt: number | undefined;
  #trialInFlight = false;
  #refusals = 0;
  readonly #now: () => number;
  readonly #listeners = new Set<(state: CircuitState, breaker: CircuitBreaker) => void>();

  constructor(options: CircuitBreakerOptions) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(
        `new CircuitBreaker(): expected { threshold, resetTimeoutMs }, got ${describe(options)}.`,
      );
    }
    checkKnownKeys('CircuitBreaker', options, [
      'threshold',
      'resetTimeoutMs',
      'initialState',
      'now',
    ]);
    this.threshold = checkInteger('CircuitBreaker', 'threshold', options.threshold);
    this.resetTimeoutMs = checkNumber('CircuitBreaker', 'resetTimeoutMs', options.resetTimeoutMs, {
      exclusive: true,
      unit: 'milliseconds',
    });
    if (options.now !== undefined) checkFunction('CircuitBreaker', 'now', options.now);
    this.#now = options.now ?? Date.now;
    if (options.initialState !== undefined) {
      const initial = options.initialState;
      const states: readonly CircuitState[] = Object.values(CircuitState);
      if (
        initial === null ||
        typeof initial !== 'object' ||
        !states.includes(initial.state) ||
        !Number.isInteger(initial.failures) ||
        initial.failures < 0 ||
        (initial.openedAt !== undefined && !Number.isFinite(initial.openedAt))
      ) {
        throw new TypeError(
          `CircuitBreaker: expected \`initialState\` to be what breaker.toJSON() returned ({ state: 'closed' | 'open' | 'half_open', failures, openedAt }), got ${describe(initial)}.`,
        );
      }
      this.#state = initial.state;
      this.#failures = initial.failures;
      this.#openedAt = initial.openedAt;
    }
  }

  /** The current state; an open circuit whose reset timeout elapsed reads as half-open. */
  get state(): CircuitState {
    if (this.#state === 'open' && this.#now() - (this.#openedAt ?? 0) >= this.resetTimeoutMs) {
      this.#set('half_open');
    }
    return this.#state;
  }

  /** Consecutive failures counted so far. */
  get failures(): number {
    return this.#failures;
  }

  /** Tasks refused so far. */
  get refusals(): number {
    return this.#refusals;
  }

  /** Whether a task may be invoked now. In half-open, one trial passes at a time. */
  tryPass(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'half_open' && !this.#trialInFlight) {
      this.#trialInFlight = true;
      return true;
    }
    this.#refusals++;
    return false;
  }

  recordSuccess(): void {
    this.#trialInFlight = false;
    this.#failures = 0;
    if (this.#state !== 'closed') this.#set('closed');
  }

  recordFailure(): void {
    this.#trialInFlight = false;
    this.#failures++;
    if (
      this.#state === 'half_open' ||
      (this.#state === 'closed' && this.#failures >= this.threshold)
    ) {
      this.#openedAt = this.#now();
      this.#set('open');
    }
  }

  /** A task that passed was cancelled before it finished: it proves nothing either way. */
  recordCancelled(): void {
    this.#trialInFlight = false;
  }

  /** Closes the circuit and forgets the failures. */
  reset(): void {
    this.#failures = 0;
    this.#trialInFlight = false;
    this.#openedAt = undefined;
    if (this.#state !== 'closed') this.#set('closed');
  }

  /** Calls `listener` on every state change; returns the function that removes it. */
  onStateChange(listener: (state: CircuitState, breaker: CircuitBreaker) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  toJSON(): CircuitBreakerSnapshot {
    return { state: this.state, failures: this.#failures, openedAt: this.#openedAt };
  }

  #set(state: CircuitState): void {
    this.#state = state;
    for (const listener of this.#listeners) {
      try {
        listener(state, this);
      } catch {
        // A listener must not break the breaker.
      }
    }
  }
}
