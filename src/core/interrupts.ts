import type { InterruptEvent } from '../bus/events.js';
import type { CancelScope } from './cancel-scope.js';
import { InterruptedError } from '../util/errors.js';

/** Returns something truthy (a reason string, or `true`) when the state should stop. */
export type InterruptChecker = () => unknown;

/**
 * The state's stop switch: `requestInterrupt`, an interrupt checker polled at checkpoints (before
 * every run and at `checkInterrupt()`), and a state-wide timeout started by the first run.
 */
export class Interrupts {
  #timer: ReturnType<typeof setTimeout> | undefined;
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

  request(reason: string, source: InterruptEvent['source']): void {
    if (this.root.aborted) return;
    this.#clear();
    this.publish({ kind: 'interrupt', reason, source });
    this.root.abort(
      new InterruptedError(
        `Interrupted: ${reason}. No new runs are started; running ones see state.signal aborted.`,
      ),
    );
  }

  /** Starts the state timeout, once; called when the first run starts. */
  startClock(): void {
    if (this.#clockStarted || this.timeoutMs === undefined) return;
    this.#clockStarted = true;
    const ms = this.timeoutMs;
    this.#timer = setTimeout(
      () => this.request(`the state timeout of ${ms} ms elapsed`, 'timeout'),
      ms,
    );
    this.#timer.unref?.();
  }

  /** Polls the checker; returns (or resolves to) whether the state is interrupted. */
  poll(): boolean | Promise<boolean> {
    if (this.root.aborted || !this.checker) return this.root.aborted;
    let verdict: unknown;
    try {
      verdict = this.checker();
    } catch (error) {
      this.request(
        `the interrupt checker threw: ${error instanceof Error ? error.message : String(error)}`,
        'checker',
      );
      return true;
    }
    if (verdict instanceof Promise)
      return verdict.then(
        (v) => this.#apply(v),
        (error: unknown) => this.#apply(`the interrupt checker rejected: ${String(error)}`),
      );
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
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
