import type { ExecutionResult } from './result.js';

const EXECUTE = Symbol('rh-agents.execute');

/**
 * A run that has not started: nothing happens until it is awaited (its `then` is first called)
 * or handed to a parallel group, which starts it when a worker is free.
 */
export class LazyRun<T> implements PromiseLike<ExecutionResult<T>> {
  #promise: Promise<ExecutionResult<T>> | undefined;
  #claimed = false;
  readonly #execute: () => Promise<ExecutionResult<T>>;

  constructor(execute: () => Promise<ExecutionResult<T>>) {
    this.#execute = execute;
  }

  /** Whether the run has started, or was handed to a group. */
  get started(): boolean {
    return this.#promise !== undefined || this.#claimed;
  }

  then<A = ExecutionResult<T>, B = never>(
    onFulfilled?: ((value: ExecutionResult<T>) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.#promise ??= this.#execute();
    return this.#promise.then(onFulfilled, onRejected);
  }

  catch<B = never>(
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<ExecutionResult<T> | B> {
    return this.then(undefined, onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<ExecutionResult<T>> {
    return this.then().finally(onFinally);
  }

  /** @internal Marks the run as owned by a group; returns false when it was started or claimed before. */
  [EXECUTE](): (() => Promise<ExecutionResult<T>>) | undefined {
    if (this.started) return undefined;
    this.#claimed = true;
    return this.#execute;
  }
}

/** @internal Takes ownership of a lazy run for a group: the function that starts a fresh execution. */
export function claimRun<T>(run: LazyRun<T>): (() => Promise<ExecutionResult<T>>) | undefined {
  return run[EXECUTE]();
}
