import { AsyncResource } from 'node:async_hooks';
import type { GroupEvent } from '../bus/events.js';
import { CancelScope } from '../core/cancel-scope.js';
import { ErrorStrategy, GroupStatus } from '../core/enums.js';
import { CancelledError, CircuitOpenError, InterruptedError, messageOf } from '../core/errors.js';
import type { ExecutionState } from '../core/execution-state.js';
import { type BranchInfo, Frame, frameStorage, whileLent } from '../core/frame.js';
import { INTERNAL } from '../core/internal.js';
import { settleClaimedRun } from '../core/lazy-run.js';
import { type ExecutionResult, isExecutionResult, markResult } from '../core/result.js';
import { sleep } from '../core/sleep.js';
import type { CircuitState } from './circuit-breaker.js';
import { ParallelCancelledError, ParallelTimeoutError } from './errors.js';
import type { ConcurrencyLimiter, SlotWaiter } from './limiter.js';
import { Context, type Task, type TaskRecord, createTask } from './task.js';
import {
  type ParallelOptions,
  type ResolvedParallelOptions,
  resolveParallelOptions,
} from './options.js';
import type { GroupError, ParallelGroup, ParallelResult, TaskContext } from './types.js';

type Outcome = 'completed' | 'failed' | 'cancelled';

/**
 * Runs independent tasks concurrently under `maxWorkers` (and the state's `maxConcurrency`).
 * Tasks start as they are added (a microtask after the synchronous turn that added them); `gather`,
 * `gatherDict` and `stream` collect. Get one with `state.parallel(options)`.
 */
export class ParallelExecutionManager<T = unknown> implements AsyncDisposable {
  /** Deterministic: the enclosing address, then the group's name (`parallel` when unnamed). */
  readonly groupId: string;
  readonly options: Readonly<ResolvedParallelOptions>;

  readonly #state: ExecutionState;
  readonly #scope: CancelScope;
  readonly #parent: Frame;
  readonly #depth: number;
  readonly #tasks: TaskRecord[] = [];
  readonly #results: (ParallelResult<T> | undefined)[] = [];
  readonly #finishOrder: number[] = [];
  readonly #errors: GroupError[] = [];
  #next = 0;
  #running = 0;
  #counts = { completed: 0, failed: 0, cancelled: 0 };
  #retries = 0;
  #status: GroupStatus = GroupStatus.PENDING;
  #announcedTotal = 0;
  #turnScheduled = false;
  #collecting = false;
  #userCancelled = false;
  #startTime: number | undefined;
  #endTime: number | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #waitingForSlot = false;
  #deadlinePassed = false;
  #final: ParallelResult<T>[] | undefined;
  #failure: unknown;
  #outcome: Promise<ParallelResult<T>[]> | undefined;
  #resolveOutcome: ((results: ParallelResult<T>[]) => void) | undefined;
  #rejectOutcome: ((error: unknown) => void) | undefined;
  #wakeStreams: (() => void)[] = [];
  #idleWaiters: (() => void)[] = [];
  #unwatchBreaker: (() => void) | undefined;
  readonly #slotWaiter: SlotWaiter;
  readonly #resume: (fn: () => void) => void;

  constructor(state: ExecutionState, options: ParallelOptions = {}) {
    this.options = Object.freeze(resolveParallelOptions(options));
    this.#state = state;
    const internals = state[INTERNAL];
    this.#parent = internals.currentFrame();
    this.#depth = this.#parent.branch ? this.#parent.branch.depth + 1 : 0;
    this.groupId = this.#parent.childPath(this.#parent.claim(this.options.name ?? 'parallel'));
    this.#scope = new CancelScope(this.#parent.scope);
    this.#scope.onAbort((reason) => this.#onScopeAbort(reason));
    // A slot may be granted from another group's context: resume in the one this group was opened in.
    // (An AsyncResource, not `AsyncLocalStorage.snapshot()`, which costs ~20 µs on Node 20.)
    const context = new AsyncResource('rh-agents.group', { requireManualDestroy: true });
    this.#resume = (fn) => context.runInAsyncScope(fn);
    this.#slotWaiter = {
      depth: this.#depth,
      grant: () => this.#resume(() => this.#onSlotGranted()),
    };
  }

  /** The group's name, as given in the options. */
  get name(): string | undefined {
    return this.options.name;
  }

  /** Aborts when the group is cancelled, fails fast, times out, or the state is interrupted. */
  get signal(): AbortSignal {
    return this.#scope.signal;
  }

  /** The collected results, in add order, once the group finished; `undefined` before. */
  get results(): ParallelResult<T>[] | undefined {
    return this.#final;
  }

  /** The group's record and metrics, as a snapshot. */
  get group(): ParallelGroup {
    const finished = this.#counts.completed + this.#counts.failed + this.#counts.cancelled;
    const end = this.#endTime ?? (this.#startTime === undefined ? undefined : Date.now());
    return {
      groupId: this.groupId,
      name: this.options.name,
      status: this.#status,
      total: this.#tasks.length,
      ...this.#counts,
      running: this.#running,
      maxWorkers: this.options.maxWorkers,
      errorStrategy: this.options.errorStrategy,
      timeoutMs: this.options.timeoutMs,
      startTime: this.#startTime,
      endTime: this.#endTime,
      durationMs:
        this.#startTime === undefined || end === undefined ? undefined : end - this.#startTime,
      successRate: finished === 0 ? 0 : this.#counts.completed / finished,
      errors: [...this.#errors],
      retries: this.#retries,
    };
  }

  /**
   * Adds a task: a function returning a promise (it receives `{ signal, index, name, attempt }`),
   * or a lazy run (`event.run(…)`). It starts a microtask after this synchronous turn, when a
   * worker is free. Returns the task's index.
   */
  add(task: Task<T>, nameOrOptions?: string | { name?: string }): number {
    if (this.#collecting) {
      throw new Error(
        `Parallel group '${this.groupId}': add() was called after gather()/gatherDict()/stream() started collecting; add every task first, or open another group.`,
      );
    }
    if (this.#final) {
      // Cancelled, timed out or interrupted before anyone collected: say so, not "collecting".
      const next = this.#state.interrupted
        ? 'the state was interrupted, so no new work starts on it'
        : 'open another group for more work';
      throw new Error(
        `Parallel group '${this.groupId}': add() was called after the group ended (${this.#status}: ${messageOf(this.#failure)}); ${next}.`,
        { cause: this.#failure },
      );
    }
    const record = createTask(this.groupId, this.#tasks.length, task, nameOrOptions);
    this.#tasks.push(record);
    if (!this.#turnScheduled) {
      this.#turnScheduled = true;
      queueMicrotask(() => this.#onTurn());
    }
    return record.index;
  }

  /** Every task's result, in add order. Idempotent: later calls return the same results. */
  gather(): Promise<ParallelResult<T>[]> {
    try {
      return this.#collect();
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
      dict[count === 1 ? key : `${key}#${count}`] = result;
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
    const outcome = this.#collect();
    outcome.catch(() => {});
    return this.#iterate(outcome);
  }

  async *#iterate(outcome: Promise<unknown>): AsyncGenerator<ParallelResult<T>, void, undefined> {
    let cursor = 0;
    let completed = false;
    try {
      for (;;) {
        if (cursor < this.#finishOrder.length) {
          const result = this.#results[this.#finishOrder[cursor++] as number] as ParallelResult<T>;
          yield result;
          continue;
        }
        if (this.#final) {
          if (this.#status !== GroupStatus.COMPLETED) throw this.#failure;
          completed = true;
          return;
        }
        await new Promise<void>((resolve) => this.#wakeStreams.push(resolve));
      }
    } finally {
      if (!completed && !this.#final)
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
    if (this.#final) return;
    this.#userCancelled = true;
    this.#scope.abort(new ParallelCancelledError(this.groupId, reason));
  }

  /** Resolves once no task of the group is running and none will start. */
  settled(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return whileLent(new Promise((resolve) => this.#idleWaiters.push(resolve)));
  }

  /** `await using`: gathers a group that was not collected yet, then waits until no task runs. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      if (!this.#collecting) await this.#collect();
    } catch (error) {
      if (!(this.#userCancelled && error instanceof ParallelCancelledError)) {
        await this.settled();
        throw error;
      }
    }
    await this.settled();
  }

  // ---- scheduling -------------------------------------------------------------------------

  #onTurn(): void {
    this.#turnScheduled = false;
    if (this.#final) {
      this.#cancelUnstarted();
      return;
    }
    const internals = this.#state[INTERNAL];
    const total = this.#tasks.length;
    internals.metrics.tasksAdded(total - this.#announcedTotal);
    if (this.#status === GroupStatus.PENDING) {
      this.#status = GroupStatus.RUNNING;
      this.#startTime = Date.now();
      internals.metrics.groupStarted();
      if (this.options.timeoutMs !== undefined) {
        this.#timer = setTimeout(() => this.#onTimeout(), this.options.timeoutMs);
        // Running tasks keep the process alive by themselves; an idle group must not.
        this.#timer.unref?.();
      }
      this.#watchBreaker();
      this.#announcedTotal = total;
      this.#publish('started');
    } else if (total > this.#announcedTotal) {
      this.#announcedTotal = total;
      this.#publish('updated');
    }
    if (this.#deadlinePassed) {
      this.#onTimeout();
      return;
    }
    this.#pump();
  }

  #pump(): void {
    const limiter = this.#state[INTERNAL].limiter;
    while (
      this.#running < this.options.maxWorkers &&
      this.#next < this.#tasks.length &&
      !this.#final
    ) {
      if (limiter) {
        if (!limiter.tryAcquire()) {
          if (!this.#waitingForSlot) {
            this.#waitingForSlot = true;
            limiter.wait(this.#slotWaiter);
          }
          return;
        }
      }
      this.#start(this.#tasks[this.#next++] as TaskRecord, limiter !== undefined);
    }
  }

  #onSlotGranted(): void {
    this.#waitingForSlot = false;
    const limiter = this.#state[INTERNAL].limiter;
    if (
      this.#final ||
      this.#running >= this.options.maxWorkers ||
      this.#next >= this.#tasks.length
    ) {
      limiter?.release();
      return;
    }
    this.#start(this.#tasks[this.#next++] as TaskRecord, true);
    this.#pump();
  }

  #start(task: TaskRecord, holdsSlot: boolean): void {
    task.holdsSlot = holdsSlot;
    this.#running++;
    const startedAt = performance.now();
    this.#state[INTERNAL].metrics.taskStarted(startedAt - task.addedAt);
    void this.#runTask(task, startedAt);
  }

  async #runTask(task: TaskRecord, startedAt: number): Promise<void> {
    let frame = this.#branchFrame(task, 1);
    const breaker = this.options.circuitBreaker;
    const fn = task.fn as (context: TaskContext) => unknown;
    const asyncContext = task.context as AsyncResource;
    let result: ExecutionResult<unknown>;
    let outcome: Outcome;
    for (;;) {
      // A retry runs the branch again in a fresh frame: its runs get the same addresses as the
      // first attempt's, with `retryAttempt` counting on.
      if (++task.attempt > 1) frame = this.#branchFrame(task, task.attempt);
      if (breaker && !breaker.tryPass()) {
        this.#state[INTERNAL].metrics.refused();
        const error = new CircuitOpenError(
          `Circuit breaker open: task ${task.name ?? task.index} of group '${this.groupId}' was refused without being invoked (${breaker.failures} consecutive failures; trial after ${breaker.resetTimeoutMs} ms).`,
        );
        result = { ok: false, error, errorMessage: error.message };
        outcome = 'failed';
        break;
      }
      try {
        // Adopted inside the branch's frame: a returned lazy run (`() => state.run(…)`) starts on
        // its first `then`, which must see the branch, not the group's context. `Promise.resolve`
        // does that (as an `await` in the frame would) without an async function per task, and
        // passes a native promise through as it is.
        const context = new Context(this.#scope, task.index, task.name, task.attempt);
        const value = await asyncContext.runInAsyncScope(() =>
          frameStorage.run(frame, () => Promise.resolve(fn(context))),
        );
        result = isExecutionResult(value) ? value : { ok: true, result: value };
      } catch (error) {
        result = { ok: false, error, errorMessage: messageOf(error) };
      }
      if (this.#scope.aborted && !result.ok) {
        breaker?.recordCancelled();
        outcome = 'cancelled';
        break;
      }
      if (result.ok) breaker?.recordSuccess();
      else breaker?.recordFailure();
      outcome = result.ok ? 'completed' : 'failed';
      if (result.ok || task.attempt > this.options.maxRetries) break;
      this.#retries++;
      this.#state[INTERNAL].metrics.retried();
      const delay =
        this.options.retryDelayMs * 2 ** (task.attempt - 1) * (0.75 + Math.random() * 0.5);
      try {
        await sleep(delay, this.#scope);
      } catch {
        outcome = 'cancelled';
        break;
      }
    }
    if (
      !result.ok &&
      outcome === 'failed' &&
      task.attempt > 1 &&
      !(result.error instanceof CircuitOpenError)
    ) {
      result = {
        ...result,
        errorMessage: `${result.errorMessage} (after ${task.attempt} attempts)`,
      };
    }
    this.#settle(task, result, outcome, performance.now() - startedAt);
  }

  #branchFrame(task: TaskRecord, attempt: number): Frame {
    const limiter = this.#state[INTERNAL].limiter;
    const branch: BranchInfo = {
      groupId: this.groupId,
      parallelIndex: task.index,
      depth: this.#depth,
      // Only a task holding a state-wide slot has one to lend.
      lendSlot: task.holdsSlot && limiter ? () => this.#lend(task, limiter) : undefined,
      attempt,
    };
    return new Frame(this.#state, `${this.groupId}[${task.index}]`, this.#scope, branch, undefined);
  }

  #settle(
    task: TaskRecord,
    result: ExecutionResult<unknown>,
    outcome: Outcome,
    durationMs: number,
  ): void {
    task.fn = undefined;
    task.context = undefined; // a group may hold 100 000 settled tasks: keep them small
    this.#running--;
    const internals = this.#state[INTERNAL];
    internals.metrics.taskEnded(durationMs);
    if (task.holdsSlot) {
      task.holdsSlot = false;
      internals.limiter?.release();
    }
    if (!this.#final) {
      // One object shape for every result (fields undefined where they do not apply).
      const entry = {
        ok: result.ok,
        result: result.result,
        errorMessage: result.errorMessage,
        error: result.error,
        executionTimeMs: result.executionTimeMs ?? durationMs,
        index: task.index,
        name: task.name,
      } as ParallelResult<T>;
      // (A task ends 'cancelled' only after its group ended, so no cancelled result reaches here.)
      this.#results[task.index] = entry;
      if (task.run) settleClaimedRun(task.run, markResult(entry));
      this.#finishOrder.push(task.index);
      this.#counts[outcome]++;
      internals.metrics.taskOutcome(outcome);
      if (outcome === 'failed') {
        this.#errors.push({
          index: task.index,
          name: task.name,
          message: entry.errorMessage ?? '',
          error: entry.error,
        });
      }
      if (internals.bus.hasSubscribers) this.#publishTask(task, entry, outcome, durationMs);
      this.#wake();
      if (outcome === 'failed' && this.options.errorStrategy === ErrorStrategy.FAIL_FAST) {
        this.#failFast(task, entry);
      } else if (this.#collecting && this.#finishOrder.length === this.#tasks.length) {
        this.#complete();
      } else {
        this.#pump();
      }
    }
    if (this.#isIdle()) this.#notifyIdle();
  }

  // ---- collection and endings -------------------------------------------------------------

  #collect(): Promise<ParallelResult<T>[]> {
    const branch = frameStorage.getStore()?.branch;
    if (branch?.groupId === this.groupId && !this.#final) {
      throw new Error(
        `Parallel group '${this.groupId}': gather()/stream() was called from inside one of the group's own tasks, which would wait for itself forever. Collect from the code that opened the group.`,
      );
    }
    if (!this.#outcome) {
      this.#collecting = true;
      let outcome = new Promise<ParallelResult<T>[]>((resolve, reject) => {
        this.#resolveOutcome = resolve;
        this.#rejectOutcome = reject;
      });
      if (this.#final) this.#deliver();
      else if (this.#finishOrder.length === this.#tasks.length && !this.#turnScheduled) {
        if (this.#status === GroupStatus.PENDING) this.#onTurn();
        this.#complete();
      } else {
        outcome = whileLent(outcome);
      }
      this.#outcome = outcome;
    }
    return this.#outcome;
  }

  #lend(task: TaskRecord, limiter: ConcurrencyLimiter): () => Promise<void> {
    // A branch may wait on several nested groups at once: the first lends the slot, the last
    // takes it back. A branch that already settled (it did not await its nested group) takes
    // nothing back, or the slot would be lost for good.
    if (task.lends++ === 0 && task.holdsSlot) {
      task.holdsSlot = false;
      limiter.release();
    }
    let returned = false;
    return async () => {
      if (returned) return;
      returned = true;
      if (--task.lends > 0 || task.holdsSlot || task.fn === undefined) return;
      await limiter.reacquire();
      if (task.lends > 0 || task.holdsSlot || task.fn === undefined) limiter.release();
      else task.holdsSlot = true;
    };
  }

  #complete(): void {
    this.#finish(GroupStatus.COMPLETED, undefined);
    this.#scope.dispose();
  }

  #failFast(task: TaskRecord, entry: ParallelResult<T>): void {
    const error = entry.error;
    this.#finish(GroupStatus.FAILED, error);
    this.#scope.abort(
      new CancelledError(
        `sibling task ${task.name ?? task.index} of group '${this.groupId}' failed under fail_fast: ${entry.errorMessage}`,
        {
          cause: error,
        },
      ),
    );
  }

  #onTimeout(): void {
    this.#timer = undefined;
    if (this.#final) return;
    if (this.#finishOrder.length === this.#tasks.length && !this.#turnScheduled) {
      // Every task finished in time; nobody collected yet. Tasks added later are already late.
      this.#deadlinePassed = true;
      return;
    }
    const { timeoutMs = 0, maxWorkers } = this.options;
    const results = this.#snapshot('the group timed out');
    const error = new ParallelTimeoutError(
      this.groupId,
      timeoutMs,
      results,
      this.#finishOrder.length,
      this.#tasks.length,
      maxWorkers,
    );
    this.#finish(GroupStatus.FAILED, error, results);
    this.#scope.abort(error);
  }

  /** The group's scope aborted: `cancel()`, an interrupt, or an enclosing group's ending. */
  #onScopeAbort(reason: unknown): void {
    if (this.#final) return;
    const why =
      reason instanceof ParallelCancelledError
        ? reason.reason
        : reason instanceof InterruptedError
          ? 'the state was interrupted'
          : `an enclosing group ended (${messageOf(reason)})`;
    const results = this.#snapshot(why);
    this.#finish(
      GroupStatus.CANCELLED,
      new ParallelCancelledError(this.groupId, why, results, { cause: reason }),
      results,
    );
  }

  /** Results so far, with `ok: false` cancelled results for the tasks that did not finish. */
  #snapshot(why: string): ParallelResult<T>[] {
    // Made only when a task did not finish: a completed group pays no stack trace.
    let error: CancelledError | undefined;
    const results: ParallelResult<T>[] = [];
    for (let i = 0; i < this.#tasks.length; i++) {
      const result = this.#results[i];
      if (result) {
        results.push(result);
        continue;
      }
      error ??= new CancelledError(`Cancelled: ${why}.`);
      results.push({
        ok: false,
        errorMessage: error.message,
        error,
        index: i,
        name: (this.#tasks[i] as TaskRecord).name,
      });
    }
    return results;
  }

  #finish(status: GroupStatus, failure: unknown, results?: ParallelResult<T>[]): void {
    if (this.#final) return;
    if (status !== GroupStatus.COMPLETED) {
      const unfinished = this.#tasks.length - this.#finishOrder.length;
      this.#counts.cancelled += unfinished;
      this.#state[INTERNAL].metrics.taskOutcome('cancelled', unfinished);
    }
    this.#final =
      results ??
      this.#snapshot(
        status === GroupStatus.FAILED ? 'a sibling failed under fail_fast' : 'the group ended',
      );
    this.#status = status;
    this.#failure = failure;
    this.#endTime = Date.now();
    for (const task of this.#tasks) {
      // Claimed runs that did not finish resolve with their cancelled result.
      if (task.run && this.#results[task.index] === undefined) {
        settleClaimedRun(task.run, markResult(this.#final[task.index] as ParallelResult<T>));
      }
    }
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#unwatchBreaker?.();
    if (this.#waitingForSlot) {
      this.#waitingForSlot = false;
      this.#state[INTERNAL].limiter?.cancelWait(this.#slotWaiter);
    }
    if (this.#startTime !== undefined) {
      this.#state[INTERNAL].metrics.groupFinished(status);
      this.#publish(
        status === GroupStatus.COMPLETED
          ? 'completed'
          : status === GroupStatus.FAILED
            ? 'failed'
            : 'cancelled',
      );
    }
    this.#deliver();
    this.#wake();
    if (this.#isIdle()) this.#notifyIdle();
  }

  #deliver(): void {
    if (!this.#resolveOutcome || !this.#final) return;
    if (this.#status === GroupStatus.COMPLETED) this.#resolveOutcome(this.#final);
    else this.#rejectOutcome?.(this.#failure);
    this.#resolveOutcome = undefined;
    this.#rejectOutcome = undefined;
  }

  #cancelUnstarted(): void {
    this.#next = this.#tasks.length;
    if (this.#isIdle()) this.#notifyIdle();
  }

  #wake(): void {
    if (this.#wakeStreams.length === 0) return;
    const wakers = this.#wakeStreams;
    this.#wakeStreams = [];
    for (const wake of wakers) wake();
  }

  #isIdle(): boolean {
    return (
      this.#running === 0 &&
      (this.#final !== undefined || (this.#next === this.#tasks.length && !this.#turnScheduled))
    );
  }

  #notifyIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  // ---- events -----------------------------------------------------------------------------

  #watchBreaker(): void {
    const breaker = this.options.circuitBreaker;
    if (!breaker) return;
    this.#unwatchBreaker = breaker.onStateChange((state: CircuitState) =>
      this.#publish('breaker', { breakerState: state }),
    );
  }

  #publishTask(
    task: TaskRecord,
    entry: ParallelResult<T>,
    outcome: Outcome,
    durationMs: number,
  ): void {
    this.#publish('task', {
      index: entry.index,
      taskName: entry.name,
      outcome,
      taskDurationMs: durationMs,
      message: entry.ok ? undefined : entry.errorMessage,
      attempts: task.attempt,
    });
  }

  #publish(type: GroupEvent['type'], extra?: Partial<GroupEvent>): void {
    const internals = this.#state[INTERNAL];
    if (!internals.bus.hasSubscribers) return;
    const end = this.#endTime;
    const counts = this.#counts;
    // Built field by field, not with spreads: one event per task when someone listens.
    const event: Omit<GroupEvent, 'timestamp' | 'stateId'> = {
      kind: 'group',
      type,
      groupId: this.groupId,
      name: this.options.name,
      status: this.#status,
      total: this.#tasks.length,
      started: this.#next,
      completed: counts.completed,
      failed: counts.failed,
      cancelled: counts.cancelled,
      running: this.#running,
      maxWorkers: this.options.maxWorkers,
      parentGroupId: this.#parent.branch?.groupId,
      depth: this.#depth,
      durationMs:
        this.#startTime === undefined || end === undefined ? undefined : end - this.#startTime,
      message:
        end !== undefined && this.#failure !== undefined ? messageOf(this.#failure) : undefined,
    };
    if (extra) Object.assign(event, extra);
    internals.publish(event);
  }
}
