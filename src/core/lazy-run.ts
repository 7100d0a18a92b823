import { whileLent } from './frame.js';
import type { RunResult } from './result.js';

const CLAIM = Symbol('rh-agents.claim');
const SETTLE = Symbol('rh-agents.settle');

/**
 * The development check for the lazy-run mistake: a run that is garbage-collected without ever
 * starting was never awaited nor handed to a group, so it did nothing. Off when
 * `NODE_ENV=production`; it costs one registration per run otherwise.
 */
const neverStarted =
  process.env.NODE_ENV === 'production'
    ? undefined
    : new FinalizationRegistry<string>((what) => {
        process.emitWarning(
          `${what} was never awaited nor handed to a parallel group, so it never ran. \`state.run(…)\` and \`event.run(…)\` are lazy: \`await\` the run, or pass it to \`p.add(run)\`. (This check is off with NODE_ENV=production.)`,
          { type: 'RhAgentsLazyRunWarning' },
        );
      });

/**
 * A run that has not started: nothing happens until it is awaited (its `then` is first called)
 * or handed to a parallel group, which starts it when a worker is free. Awaiting a run that was
 * handed to a group does not start it again: it resolves with the group's result for that task.
 */
export class LazyRun<T> implements PromiseLike<RunResult<T>> {
  #promise: Promise<RunResult<T>> | undefined;
  #claimed = false;
  #groupResult: RunResult<T> | undefined;
  // Typed without T so that LazyRun stays covariant (a LazyRun<number> is a LazyRun<unknown>).
  #resolveGroupResult: ((result: RunResult<unknown>) => void) | undefined;
  readonly #execute: () => Promise<RunResult<T>>;

  /** @internal `what` names the run in the never-started warning, e.g. "A run of FetchDoc". */
  constructor(execute: () => Promise<RunResult<T>>, what = 'A lazy run') {
    this.#execute = execute;
    neverStarted?.register(this, what, this);
  }

  /** Whether the run has started, or was handed to a group. */
  get started(): boolean {
    return this.#promise !== undefined || this.#claimed;
  }

  then<A = RunResult<T>, B = never>(
    onFulfilled?: ((value: RunResult<T>) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    if (!this.#promise) {
      if (!this.#claimed) {
        neverStarted?.unregister(this);
        this.#promise = this.#execute();
      } else if (this.#groupResult) this.#promise = Promise.resolve(this.#groupResult);
      else {
        // Waiting on a group's task: a branch lends its state-wide slot meanwhile.
        this.#promise = whileLent(
          new Promise((resolve) => {
            this.#resolveGroupResult = resolve as (result: RunResult<unknown>) => void;
          }),
        );
      }
    }
    return this.#promise.then(onFulfilled, onRejected);
  }

  catch<B = never>(
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<RunResult<T> | B> {
    return this.then(undefined, onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<RunResult<T>> {
    return this.then().finally(onFinally);
  }

  /** @internal */
  [CLAIM](): (() => Promise<RunResult<T>>) | undefined {
    if (this.started) return undefined;
    neverStarted?.unregister(this);
    this.#claimed = true;
    return this.#execute;
  }

  /** @internal */
  [SETTLE](result: RunResult<T>): void {
    // The group settles each claimed run exactly once.
    this.#groupResult = result;
    this.#resolveGroupResult?.(result);
    this.#resolveGroupResult = undefined;
  }
}

/**
 * @internal Takes ownership of a lazy run for a group: returns the function that starts a fresh
 * execution (once per attempt), or `undefined` when the run was started or claimed before.
 */
export function claimRun<T>(run: LazyRun<T>): (() => Promise<RunResult<T>>) | undefined {
  return run[CLAIM]();
}

/** @internal The group's final result for a claimed run: what awaiting the run resolves to. */
export function settleClaimedRun<T>(run: LazyRun<T>, result: RunResult<T>): void {
  run[SETTLE](result);
}
