import { AsyncResource } from 'node:async_hooks';
import type { CancelScope } from '../core/cancel-scope.js';
import { LazyRun, claimRun } from '../core/lazy-run.js';
import type { RunResult } from '../core/result.js';
import { checkKnownKeys, describe } from '../util/validate.js';
import type { TaskContext, TaskFunction } from './types.js';

/**
 * A task as `add` accepts it: a function returning `T` or a promise of it (or of a run's result,
 * as `() => event.run(…)` does), or a lazy run yielding `T`.
 */
export type Task<T> = TaskFunction<T | RunResult<T>> | LazyRun<T>;

/** @internal One task of a group, from `add` to its settlement. */
export interface TaskRecord {
  readonly index: number;
  readonly name: string | undefined;
  /** Invoked once per attempt; dropped once the task settled. */
  fn: ((context: TaskContext) => unknown) | undefined;
  readonly addedAt: number;
  attempt: number;
  /** Whether the task holds a slot of the state-wide limiter. */
  holdsSlot: boolean;
  /** Nested groups this branch is waiting on, which it lent its state-wide slot to. */
  lends: number;
  /** The async context `add` was called in: the task runs in it, so the user's own stores reach it. Dropped once the task settled. */
  context: AsyncResource | undefined;
  /** The lazy run this task was added as: awaiting it resolves with the task's result. */
  readonly run: LazyRun<unknown> | undefined;
}

/**
 * Checks what `add` received and makes the task's record; the messages say what to pass instead.
 * A lazy run is claimed: it belongs to the group from now on.
 */
export function createTask(
  groupId: string,
  index: number,
  task: unknown,
  nameOrOptions: unknown,
  remote = false,
): TaskRecord {
  let name: unknown;
  if (typeof nameOrOptions === 'string' || nameOrOptions === undefined) name = nameOrOptions;
  else if (typeof nameOrOptions === 'object' && nameOrOptions !== null) {
    checkKnownKeys(`Parallel group '${groupId}': add() options`, nameOrOptions, ['name']);
    name = (nameOrOptions as { name?: unknown }).name;
  } else {
    throw new TypeError(
      `Parallel group '${groupId}': add(task, nameOrOptions) expects a name (a string) or { name }, got ${describe(nameOrOptions)}.`,
    );
  }
  if (name !== undefined && typeof name !== 'string') {
    throw new TypeError(
      `Parallel group '${groupId}': expected the task name to be a string, got ${describe(name)}.`,
    );
  }
  let fn: ((context: TaskContext) => unknown) | undefined;
  let run: LazyRun<unknown> | undefined;
  if (task instanceof LazyRun) {
    run = task as LazyRun<unknown>;
    fn = claimRun(run);
    if (!fn) {
      throw new TypeError(
        `Parallel group '${groupId}': this run has already started (it was awaited or added before), so the group could not limit or retry it. Pass a fresh \`event.run(input, context, state)\` or \`() => event.run(…)\`.`,
      );
    }
  } else if (typeof task === 'function') {
    if (remote) {
      throw new TypeError(
        `Parallel group '${groupId}' runs its tasks on other processes through its executor, and a plain function cannot travel there. Add a lazy run of an actor the workers know instead: p.add(event.run(input, context, state)) or p.add(state.run(actor, input)).`,
      );
    }
    fn = task as (context: TaskContext) => unknown;
  } else if (task !== null && typeof (task as { then?: unknown })?.then === 'function') {
    throw new TypeError(
      `Parallel group '${groupId}': add() received a promise that is already running, so maxWorkers could not limit it and retries could not repeat it. Pass a function instead: p.add(() => doWork(x)).`,
    );
  } else {
    throw new TypeError(
      `Parallel group '${groupId}': add() expects a function returning a promise, e.g. p.add(() => doWork(x)), or a lazy run from event.run(…); got ${describe(task)}.`,
    );
  }
  return {
    index,
    name,
    fn,
    addedAt: performance.now(),
    attempt: 0,
    holdsSlot: false,
    lends: 0,
    context: new AsyncResource('rh-agents.task', { requireManualDestroy: true }),
    run,
  };
}

/** The context object a task function receives; its signal is the group's, made on first use. */
export class Context implements TaskContext {
  constructor(
    private readonly scope: CancelScope,
    readonly index: number,
    readonly name: string | undefined,
    readonly attempt: number,
  ) {}

  get signal(): AbortSignal {
    return this.scope.signal;
  }
}
