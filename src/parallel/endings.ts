import { settleClaimedRun } from '../core/lazy-run.js';
import { markResult } from '../core/result.js';
import { GroupStatus } from '../util/enums.js';
import { isInstance, messageOf } from '../util/describe.js';
import { CancelledError, InterruptedError } from '../util/errors.js';
import { ParallelCancelledError, ParallelTimeoutError } from './errors.js';
import type { Group } from './group.js';
import { publishGroup } from './group-events.js';
import { startTimer } from '../util/timer.js';
import type { TaskRecord } from './task.js';
import type { ParallelResult } from './types.js';

/**
 * How a group ends: it completes, fails fast, times out, or is cancelled (by `cancel()`, an
 * interrupt or an enclosing group's ending). Each ending happens once; the first one wins.
 */

/**
 * Every task finished: collection resolves with every result. The group's status follows the
 * original's rule: `completed` when every task succeeded, `failed` when any failed (fail_slow).
 */
export function complete<T>(group: Group<T>): void {
  group.completedNormally = true;
  finish(group, group.counts.failed > 0 ? GroupStatus.FAILED : GroupStatus.COMPLETED, undefined);
  group.scope.dispose();
}

export function failFast<T>(group: Group<T>, task: TaskRecord, entry: ParallelResult<T>): void {
  const error = entry.error;
  finish(group, GroupStatus.FAILED, error);
  group.scope.abort(
    new CancelledError(
      `sibling task ${task.name ?? task.index} of group '${group.groupId}' failed under fail_fast: ${entry.errorMessage}`,
      { cause: error },
    ),
  );
}

export function onTimeout<T>(group: Group<T>): void {
  group.timer = undefined;
  if (group.final) return;
  if (group.finishOrder.length === group.tasks.length && !group.turnScheduled) {
    // Every task finished in time; nobody collected yet. Tasks added later are already late.
    group.deadlinePassed = true;
    return;
  }
  const { timeoutMs = 0, maxWorkers } = group.options;
  const results = snapshot(group, 'the group timed out');
  const error = new ParallelTimeoutError(
    group.groupId,
    timeoutMs,
    results,
    group.finishOrder.length,
    group.tasks.length,
    maxWorkers,
  );
  finish(group, GroupStatus.FAILED, error, results);
  group.scope.abort(error);
}

/** The group's scope aborted: `cancel()`, an interrupt, or an enclosing group's ending. */
export function onScopeAbort<T>(group: Group<T>, reason: unknown): void {
  if (group.final) return;
  const why = isInstance(reason, ParallelCancelledError)
    ? reason.reason
    : isInstance(reason, InterruptedError)
      ? 'the state was interrupted'
      : `an enclosing group ended (${messageOf(reason)})`;
  const results = snapshot(group, why);
  finish(
    group,
    GroupStatus.CANCELLED,
    new ParallelCancelledError(group.groupId, why, results, { cause: reason }),
    results,
  );
}

/** Results so far, with `ok: false` cancelled results for the tasks that did not finish. */
function snapshot<T>(group: Group<T>, why: string): ParallelResult<T>[] {
  // Made only when a task did not finish: a completed group pays no stack trace.
  let error: CancelledError | undefined;
  const results: ParallelResult<T>[] = [];
  for (let i = 0; i < group.tasks.length; i++) {
    const result = group.results[i];
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
      name: (group.tasks[i] as TaskRecord).name,
    });
  }
  return results;
}

function finish<T>(
  group: Group<T>,
  status: GroupStatus,
  failure: unknown,
  results?: ParallelResult<T>[],
): void {
  if (group.final) return;
  const runtime = group.runtime;
  if (!group.completedNormally) {
    const unfinished = group.tasks.length - group.finishOrder.length;
    group.counts.cancelled += unfinished;
    runtime.metrics.taskOutcome('cancelled', unfinished);
  }
  const final =
    results ??
    snapshot(
      group,
      status === GroupStatus.FAILED ? 'a sibling failed under fail_fast' : 'the group ended',
    );
  group.final = final;
  group.status = status;
  group.failure = failure;
  group.endTime = Date.now();
  for (const task of group.tasks) {
    // Claimed runs that did not finish resolve with their cancelled result.
    if (task.run && group.results[task.index] === undefined) {
      settleClaimedRun(task.run, markResult(final[task.index] as ParallelResult<T>));
    }
  }
  group.timer?.clear();
  group.timer = undefined;
  group.endTrace();
  group.unwatchBreaker?.();
  if (group.waitingForSlot) {
    group.waitingForSlot = false;
    runtime.limiter?.cancelWait(group.slotWaiter);
  }
  if (group.startTime !== undefined) {
    runtime.metrics.groupFinished(status);
    publishGroup(
      group,
      status === GroupStatus.COMPLETED
        ? 'completed'
        : status === GroupStatus.FAILED
          ? 'failed'
          : 'cancelled',
    );
  }
  // Before the collection settles: the state's status (and its checkpoint) follows a top-level group.
  if (group.parent.address === undefined && group.parent.branch === undefined)
    runtime.topLevelGroupEnded(status);
  deliver(group);
  group.wake();
  if (group.isIdle()) group.notifyIdle();
  else if (!group.completedNormally) watchAbandoned(group, status);
}

/** How long a task may take to stop after its group's signal aborted before it counts as abandoned. */
export const ABANDON_GRACE_MS = 250;

/**
 * The group ended with tasks still running and their signal aborted. The collection did not wait
 * for them; a task still running after a short grace ignores its signal: it is abandoned. It keeps
 * its worker slot until it settles (so the caps stay true), its late result is dropped, and a
 * `warning` log event names it.
 */
function watchAbandoned<T>(group: Group<T>, status: GroupStatus): void {
  startTimer(
    () => {
      const runtime = group.runtime;
      for (let i = 0; i < group.next; i++) {
        const task = group.tasks[i] as TaskRecord;
        if (task.fn === undefined) continue; // settled
        runtime.publish({
          kind: 'log',
          severity: 'warning',
          message: `Task ${task.name === undefined ? task.index : `${task.index} ('${task.name}')`} of group '${group.groupId}' was still running ${ABANDON_GRACE_MS} ms after the group ${status === GroupStatus.FAILED ? 'failed' : 'was cancelled'} and its signal aborted: it ignores its signal and was abandoned. It keeps its worker slot until it settles, and its late result is dropped; pass the task's \`signal\` to the work it does.`,
          metadata: undefined,
          address: undefined,
          groupId: group.groupId,
          parallelIndex: task.index,
          isParallel: true,
        });
      }
    },
    ABANDON_GRACE_MS,
    { unref: true },
  );
}

/** Settles the collection promise, once the group ended and someone collects. */
export function deliver<T>(group: Group<T>): void {
  if (!group.resolveOutcome || !group.final) return;
  if (group.completedNormally) group.resolveOutcome(group.final);
  else group.rejectOutcome?.(group.failure);
  group.resolveOutcome = undefined;
  group.rejectOutcome = undefined;
}
