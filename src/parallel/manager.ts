import { isInstance, messageOf, textOf } from '../util/describe.js';
import { UsageError } from '../util/errors.js';
import { ParallelCancelledError } from './errors.js';
import { Group } from './group.js';
import { groupRecord } from './group-events.js';
import {
  type ParallelOptions,
  type ResolvedParallelOptions,
  resolveParallelOptions,
} from './options.js';
import type { GroupRuntime } from './runtime.js';
import type { LazyRun } from '../core/lazy-run.js';
import { type Task, createTask } from './task.js';
import type { ParallelGroup, ParallelResult } from './types.js';

/**
 * What the compiler says when `add()` is handed a promise that is already running: it could not
 * be limited by `maxWorkers` or run again by a retry.
 */
export interface AlreadyRunningPromise {
  'p.add() cannot limit or retry a promise that is already running: pass a function instead, p.add(() => work())': true;
}

/** A task as `add()` checks it: an already-running promise is refused with a readable message. */
type NotRunning<X> =
  X extends LazyRun<unknown> ? X : X extends PromiseLike<unknown> ? AlreadyRunningPromise : X;

/**
 * Runs independent tasks concurrently under `maxWorkers` (and the state's `maxConcurrency`).
 * Tasks start as they are added (a microtask after the synchronous turn that added them); `gather`,
 * `gatherDict` and `stream` collect. Get one with `state.parallel(options)`.
 */
export class ParallelExecutionManager<T = unknown> implements AsyncDisposable {
  /** Deterministic: the enclosing address, then the group's name (`parallel` when unnamed). */
  readonly groupId: string;
  readonly options: Readonly<ResolvedParallelOptions>;
  readonly #group: Group<T>;

  /** @internal Use `state.parallel(options)`. */
  constructor(runtime: GroupRuntime, options: ParallelOptions = {}) {
    this.options = Object.freeze(resolveParallelOptions(options));
    this.#group = new Group<T>(runtime, this.options);
    this.groupId = this.#group.groupId;
  }

  /** The group's name, as given in the options. */
  get name(): string | undefined {
    return this.options.name;
  }

  /** Aborts when the group is cancelled, fails fast, times out, or the state is interrupted. */
  get signal(): AbortSignal {
    return this.#group.scope.signal;
  }

  /** The collected results, in add order, once the group finished; `undefined` before. */
  get results(): ParallelResult<T>[] | undefined {
    return this.#group.final;
  }

  /** The group's record and metrics, as a snapshot. */
  get group(): ParallelGroup {
    return groupRecord(this.#group);
  }

  /**
   * Adds a task: a function returning a promise (it receives `{ signal, index, name, attempt }`),
   * or a lazy run (`event.run(…)`). It starts a microtask after this synchronous turn, when a
   * worker is free. Returns the task's index.
   */
  add<X extends Task<T> | PromiseLike<unknown>>(
    task: NotRunning<X> & Task<T>,
    nameOrOptions?: string | { name?: string },
  ): number {
    const group = this.#group;
    group.resume();
    if (group.collecting) {
      throw new UsageError(
        `Parallel group '${this.groupId}': add() was called after gather()/gatherDict()/stream() started collecting; add every task first, or open another group.`,
      );
    }
    if (group.final) {
      // Cancelled, timed out or interrupted before anyone collected: say so, not "collecting".
      const next = group.runtime.interrupts.interrupted
        ? 'the state was interrupted, so no new work starts on it'
        : 'open another group for more work';
      throw new UsageError(
        `Parallel group '${this.groupId}': add() was called after the group ended (${group.status}: ${messageOf(group.failure)}); ${next}.`,
        { cause: group.failure },
      );
    }
    const record = createTask(
      this.groupId,
      group.tasks.length,
      task,
      nameOrOptions,
      this.options.executor !== undefined,
    );
    group.enqueue(record);
    return record.index;
  }

  /** Every task's result, in add order. Idempotent: later calls return the same results. */
  gather(): Promise<ParallelResult<T>[]> {
    try {
      return this.#group.collect();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The results keyed by task name, or by index (as a string) for unnamed tasks. A name given to
   * several tasks keeps every result: the second under `name#2`, the third under `name#3`.
   */
  async gatherDict(): Promise<Record<string, ParallelResult<T>>> {
    const results = await this.gather();
    const dict: Record<string, ParallelResult<T>> = {};
    const seen = new Map<string, number>();
    for (const result of results) {
      // A name given twice keeps both results: the second under `name#2`, as addresses do.
      const key = result.name ?? String(result.index);
      const count = (seen.get(key) ?? 0) + 1;
      seen.set(key, count);
      // Defined, not assigned: `__proto__` or `constructor` is an ordinary key like any other.
      Object.defineProperty(dict, count === 1 ? key : `${key}#${count}`, {
        value: result,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return dict;
  }

  /**
   * The results in finishing order, each as soon as its task settles. Leaving the loop early
   * cancels the tasks still queued or running. Under `fail_fast` or a timeout, the iteration throws
   * the group's error after the results that came before it.
   */
  stream(): AsyncGenerator<ParallelResult<T>, void, undefined> {
    // Collection starts now, not at the first `next()`: adding after `stream()` is refused.
    const outcome = this.#group.collect();
    outcome.catch(() => {});
    return this.#iterate(outcome);
  }

  async *#iterate(outcome: Promise<unknown>): AsyncGenerator<ParallelResult<T>, void, undefined> {
    const group = this.#group;
    let cursor = 0;
    let completed = false;
    try {
      for (;;) {
        if (cursor < group.finishOrder.length) {
          yield group.results[group.finishOrder[cursor++] as number] as ParallelResult<T>;
          continue;
        }
        if (group.final) {
          if (!group.completedNormally) throw group.failure;
          completed = true;
          return;
        }
        await new Promise<void>((resolve) => group.wakeStreams.push(resolve));
      }
    } finally {
      if (!completed && !group.final)
        this.cancel('the stream() consumer stopped before the group finished');
      await outcome.catch(() => {});
    }
  }

  /**
   * Cancels the group: running tasks' signals abort, queued tasks never start and give
   * `ok: false` results; a pending `gather()` rejects with a `ParallelCancelledError`.
   * Does nothing once the group finished.
   */
  cancel(reason = 'cancel() was called'): void {
    const group = this.#group;
    if (group.final) return;
    // Described first: a reason that cannot be turned into text must not leave the group half-changed.
    const error = new ParallelCancelledError(this.groupId, textOf(reason));
    group.userCancelled = true;
    group.scope.abort(error);
  }

  /** Resolves once no task of the group is running and none will start. */
  settled(): Promise<void> {
    return this.#group.settled();
  }

  /**
   * `await using`: gathers a group that was not collected yet. A timeout or a `fail_fast` failure
   * rethrows at once, and a group the user cancelled ends quietly; a task that ignores its aborted
   * signal is abandoned (it keeps its worker slot until it settles, and a warning names it).
   */
  async [Symbol.asyncDispose](): Promise<void> {
    const group = this.#group;
    if (group.collecting) return; // collected inside the scope: its outcome was seen there
    try {
      await group.collect();
    } catch (error) {
      if (!(group.userCancelled && isInstance(error, ParallelCancelledError))) throw error;
    }
  }
}
