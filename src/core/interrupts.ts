import type { InterruptEvent } from '../bus/events.js';
import type { CancelScope } from './cancel-scope.js';
import { isThenable, messageOf, textOf } from '../util/describe.js';
import { InterruptedError } from '../util/errors.js';
import { type Timer, startTimer } from '../util/timer.js';

/** Returns something truthy (a reason string, or `true`) when the state should stop. */
export type InterruptChecker = () => unknown;

/**
 * The state's stop switch: `requestInterrupt`, an interrupt checker polled at checkpoints (before
 * every run and at `checkInterrupt()`), and a state-wide timeout started by the first run.
 */
export class Interrupts {
  #timer: Timer | undefined;
  #clockStarted = false;

  constructor(
    private readonly root: CancelScope,
    private readonly publish: (event: Omit<InterruptEvent, 'timestamp' | 'stateId'>) => void,
    private readonly checker: InterruptChecker | undefined,
    private readonly timeoutMs: number | undefined,
  ) {}

  get interrupted(): boolean {
    return this.root.aborted;
  }

  /** The interrupt's error; read it only once `interrupted` is true. */
  get error(): InterruptedError {
    return this.root.reason as InterruptedError;
  }

  request(reason: unknown, source: InterruptEvent['source']): void {
    if (this.root.aborted) return;
    // Described first, so a reason that is not a string (a Symbol, say) cannot leave the state half-changed.
    const text = textOf(reason);
    const error = new InterruptedError(
      `Interrupted: ${text}. No new runs are started; running ones see state.signal aborted.`,
    );
    this.#clear();
    this.publish({ kind: 'interrupt', reason: text, source });
    this.root.abort(error);
  }

  /** Starts the state timeout, once; called when the first run starts. */
  startClock(): void {
    if (this.#clockStarted || this.timeoutMs === undefined) return;
    this.#clockStarted = true;
    const ms = this.timeoutMs;
    this.#timer = startTimer(
      () => this.request(`the state timeout of ${ms} ms elapsed`, 'timeout'),
      ms,
      { unref: true },
    );
  }

  /** Polls the checker; returns (or resolves to) whether the state is interrupted. */
  poll(): boolean | Promise<boolean> {
    if (this.root.aborted || !this.checker) return this.root.aborted;
    let verdict: unknown;
    let thenable: boolean;
    try {
      verdict = this.checker();
      thenable = isThenable(verdict);
    } catch (error) {
      this.request(`the interrupt checker threw: ${messageOf(error)}`, 'checker');
      return true;
    }
    if (thenable) {
      // Any thenable, not only a native promise; `Promise.resolve` also turns a `then` that
      // throws into a rejection.
      return Promise.resolve(verdict).then(
        (v) => this.#apply(v),
        (error: unknown) => this.#apply(`the interrupt checker rejected: ${messageOf(error)}`),
      );
    }
    return this.#apply(verdict);
  }

  #apply(verdict: unknown): boolean {
    if (verdict && !this.root.aborted) {
      this.request(
        typeof verdict === 'string' ? verdict : 'the interrupt checker asked to stop',
        'checker',
      );
    }
    return this.root.aborted;
  }

  #clear(): void {
    this.#timer?.clear();
    this.#timer = undefined;
  }
}
