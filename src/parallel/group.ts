import { AsyncResource } from 'node:async_hooks';
import { CancelScope } from '../core/cancel-scope.js';
import { type Frame, frameStorage, whileLent } from '../core/frame.js';
import { settleClaimedRun } from '../core/lazy-run.js';
import { type ExecutionResult, markResult } from '../core/result.js';
import { ErrorStrategy, GroupStatus } from '../util/enums.js';
import { UsageError } from '../util/errors.js';
import { type Timer, startTimer } from '../util/timer.js';
import { runTask } from './attempts.js';
import { complete, deliver, failFast, onScopeAbort, onTimeout } from './endings.js';
import { publishGroup, publishTask, watchBreaker } from './group-events.js';
import type { GroupTrace } from '../core/tracing.js';
import type { SlotWaiter } from './limiter.js';
import type { ResolvedParallelOptions } from './options.js';
import type { GroupRuntime } from './runtime.js';
import type { TaskRecord } from './task.js';
import type { GroupError, ParallelResult } from './types.js';

export type Outcome = 'completed' | 'failed' | 'cancelled';

/**
 * @internal The engine of one parallel group: its tasks, counts and status, scheduling (tasks
 * start a microtask after the turn that added them, under `maxWorkers` and the state-wide limiter)
 * and settlement. The attempt loop, the endings, slot lending and event publishing live in their
 * own modules and work on this object; `ParallelExecutionManager` is the public face.
 */
export class Group<T> {
  readonly groupId: string;
  readonly scope: CancelScope;
  readonly parent: Frame;
  readonly depth: number;
  readonly tasks: TaskRecord[] = [];
  readonly results: (ParallelResult<T> | undefined)[] = [];
  readonly finishOrder: number[] = [];
  readonly errors: GroupError[] = [];
  readonly counts = { completed: 0, failed: 0, cancelled: 0 };
  /** The next task to start. */
  next = 0;
  running = 0;
  retries = 0;
  status: GroupStatus = GroupStatus.PENDING;
  announcedTotal = 0;
  turnScheduled = false;
  collecting = false;
  userCancelled = false;
  startTime: number | undefined;
  endTime: number | undefined;
  timer: Timer | undefined;
  waitingForSlot = false;
  deadlinePassed = false;
  /** The group ended because every task finished (whatever their outcome): collection resolves. */
  completedNormally = false;
  /** Every task's result once the group ended (completed, failed or cancelled). */
  final: ParallelResult<T>[] | undefined;
  failure: unknown;
  outcome: Promise<ParallelResult<T>[]> | undefined;
  resolveOutcome: ((results: ParallelResult<T>[]) => void) | undefined;
  rejectOutcome: ((error: unknown) => void) | undefined;
  wakeStreams: (() => void)[] = [];
  idleWaiters: (() => void)[] = [];
  unwatchBreaker: (() => void) | undefined;
  /** The group's tracing span while it runs (with `tracing` on the state). */
  trace: GroupTrace | undefined;
  /** Idle, every task settled, nobody collecting: detached from everything long-lived (see `release`). */
  released = false;
  readonly slotWaiter: SlotWaiter;
  /** Runs `fn` in the async context the group was opened in. */
  readonly inGroupContext: (fn: () => void) => void;

  constructor(
    readonly runtime: GroupRuntime,
    readonly options: Readonly<ResolvedParallelOptions>,
  ) {
    this.parent = runtime.currentFrame();
    this.depth = this.parent.branch ? this.parent.branch.depth + 1 : 0;
    this.groupId = this.parent.childPath(this.parent.claim(options.name ?? 'parallel'));
    this.scope = new CancelScope(this.parent.scope);
    this.scope.onAbort((reason) => onScopeAbort(this, reason));
    // A slot may be granted from another group's context: resume in the one this group was opened in.
    // (An AsyncResource, not `AsyncLocalStorage.snapshot()`, which costs ~20 µs on Node 20.)
    const context = new AsyncResource('rh-agents.group', { requireManualDestroy: true });
    this.inGroupContext = (fn) => context.runInAsyncScope(fn);
    this.slotWaiter = {
      depth: this.depth,
      grant: () => this.inGroupContext(() => this.onSlotGranted()),
    };
  }

  /**
   * Lets go of everything long-lived that points at this group (the parent's cancel scope, a
   * shared circuit breaker, a long timeout timer) once it is idle with every task settled and
   * nobody collecting, so a long-lived state does not retain every group it ever opened. `resume`
   * takes them back when the group is used again.
   */
  release(): void {
    this.released = true;
    this.endTrace();
    this.scope.dispose();
    this.unwatchBreaker?.();
    this.unwatchBreaker = undefined;
    this.timer?.clear();
    this.timer = undefined;
  }

  /** Undoes `release` before the group is used again: more tasks, or collection. */
  resume(): void {
    if (!this.released) return;
    this.released = false;
    // Aborts the group at once if the state was interrupted (or a parent group ended) meanwhile.
    this.scope.attach();
    if (this.final) return;
    watchBreaker(this);
    this.startTrace();
    const { timeoutMs } = this.options;
    if (timeoutMs !== undefined && this.startTime !== undefined) {
      const remaining = this.startTime + timeoutMs - Date.now();
      if (remaining <= 0) this.deadlinePassed = true;
      else this.timer = startTimer(() => onTimeout(this), remaining, { unref: true });
    }
  }

  startTrace(): void {
    const tracing = this.runtime.tracing;
    if (!tracing || this.trace) return;
    this.trace = tracing.startGroup({
      stateId: this.runtime.stateId,
      groupId: this.groupId,
      name: this.options.name,
      maxWorkers: this.options.maxWorkers,
      parent: this.parent.trace,
    });
  }

  /** Ends the group's span with its status and counts (once the group ended, or is released idle). */
  endTrace(): void {
    const trace = this.trace;
    if (!trace) return;
    this.trace = undefined;
    const status = this.final
      ? this.status
      : this.counts.failed > 0
        ? GroupStatus.FAILED
        : GroupStatus.COMPLETED;
    trace.end({ status, total: this.tasks.length, ...this.counts, error: this.failure });
  }

  /** Queues a task; the group's turn starts it a microtask later. */
  enqueue(record: TaskRecord): void {
    this.tasks.push(record);
    if (!this.turnScheduled) {
      this.turnScheduled = true;
      queueMicrotask(() => this.onTurn());
    }
  }

  // ---- scheduling -------------------------------------------------------------------------

  onTurn(): void {
    this.turnScheduled = false;
    if (this.final) {
      // Ended before its tasks started: they never will.
      this.next = this.tasks.length;
      if (this.isIdle()) this.notifyIdle();
      return;
    }
    const runtime = this.runtime;
    const total = this.tasks.length;
    runtime.metrics.tasksAdded(total - this.announcedTotal);
    if (this.status === GroupStatus.PENDING) {
      this.status = GroupStatus.RUNNING;
      this.startTime = Date.now();
      runtime.metrics.groupStarted();
      if (this.options.timeoutMs !== undefined) {
        // Running tasks keep the process alive by themselves; an idle group must not.
        this.timer = startTimer(() => onTimeout(this), this.options.timeoutMs, { unref: true });
      }
      watchBreaker(this);
      this.startTrace();
      this.announcedTotal = total;
      publishGroup(this, 'started');
    } else if (total > this.announcedTotal) {
      this.announcedTotal = total;
      publishGroup(this, 'updated');
    }
    if (this.deadlinePassed) {
      onTimeout(this);
      return;
    }
    this.pump();
  }

  pump(): void {
    const limiter = this.runtime.limiter;
    while (this.running < this.options.maxWorkers && this.next < this.tasks.length && !this.final) {
      if (limiter && !limiter.tryAcquire()) {
        if (!this.waitingForSlot) {
          this.waitingForSlot = true;
          limiter.wait(this.slotWaiter);
        }
        return;
      }
      this.start(this.tasks[this.next++] as TaskRecord, limiter !== undefined);
    }
  }

  onSlotGranted(): void {
    this.waitingForSlot = false;
    if (this.final || this.running >= this.options.maxWorkers || this.next >= this.tasks.length) {
      this.runtime.limiter?.release();
      return;
    }
    this.start(this.tasks[this.next++] as TaskRecord, true);
    this.pump();
  }

  start(task: TaskRecord, holdsSlot: boolean): void {
    task.holdsSlot = holdsSlot;
    this.running++;
    const startedAt = performance.now();
    this.runtime.metrics.taskStarted(startedAt - task.addedAt);
    void runTask(this, task, startedAt);
  }

  // ---- settlement -------------------------------------------------------------------------

  settle(
    task: TaskRecord,
    result: ExecutionResult<unknown>,
    outcome: Outcome,
    durationMs: number,
  ): void {
    task.fn = undefined;
    task.context = undefined; // a group may hold 100 000 settled tasks: keep them small
    this.running--;
    const runtime = this.runtime;
    runtime.metrics.taskEnded(durationMs);
    if (task.holdsSlot) {
      task.holdsSlot = false;
      runtime.limiter?.release();
    }
    if (!this.final) {
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
      this.results[task.index] = entry;
      if (task.run) settleClaimedRun(task.run, markResult(entry));
      this.finishOrder.push(task.index);
      this.counts[outcome]++;
      runtime.metrics.taskOutcome(outcome);
      if (outcome === 'failed') {
        this.errors.push({
          index: task.index,
          name: task.name,
          message: entry.errorMessage ?? '',
          error: entry.error,
        });
      }
      if (runtime.bus.hasSubscribers) publishTask(this, task, entry, outcome, durationMs);
      this.wake();
      if (outcome === 'failed' && this.options.errorStrategy === ErrorStrategy.FAIL_FAST) {
        failFast(this, task, entry);
      } else if (this.collecting && this.finishOrder.length === this.tasks.length) {
        complete(this);
      } else {
        this.pump();
      }
    }
    if (this.isIdle()) {
      this.notifyIdle();
      if (!this.final && !this.collecting && this.finishOrder.length === this.tasks.length)
        this.release();
    }
  }

  // ---- collection and waiters -------------------------------------------------------------

  /** Starts collecting (once): the promise of every result, settled when the group ends. */
  collect(): Promise<ParallelResult<T>[]> {
    const branch = frameStorage.getStore()?.branch;
    if (branch?.groupId === this.groupId && !this.final) {
      throw new UsageError(
        `Parallel group '${this.groupId}': gather()/stream() was called from inside one of the group's own tasks, which would wait for itself forever. Collect from the code that opened the group.`,
      );
    }
    this.resume();
    if (!this.outcome) {
      this.collecting = true;
      let outcome = new Promise<ParallelResult<T>[]>((resolve, reject) => {
        this.resolveOutcome = resolve;
        this.rejectOutcome = reject;
      });
      if (this.final) deliver(this);
      else if (this.finishOrder.length === this.tasks.length && !this.turnScheduled) {
        if (this.status === GroupStatus.PENDING) this.onTurn();
        complete(this);
      } else {
        outcome = whileLent(outcome);
      }
      this.outcome = outcome;
    }
    return this.outcome;
  }

  /** Wakes the `stream()` consumers waiting for the next result. */
  wake(): void {
    if (this.wakeStreams.length === 0) return;
    const wakers = this.wakeStreams;
    this.wakeStreams = [];
    for (const wake of wakers) wake();
  }

  /** No task is running and none will start. */
  isIdle(): boolean {
    return (
      this.running === 0 &&
      (this.final !== undefined || (this.next === this.tasks.length && !this.turnScheduled))
    );
  }

  /** Resolves once the group is idle. */
  settled(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return whileLent(new Promise((resolve) => this.idleWaiters.push(resolve)));
  }

  notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
