import type { AsyncResource } from 'node:async_hooks';
import { type BranchInfo, Frame, frameStorage } from '../core/frame.js';
import { type ExecutionResult, isExecutionResult } from '../core/result.js';
import { nextRetryDelay } from '../core/retry.js';
import { sleep } from '../core/sleep.js';
import { isInstance, messageOf } from '../util/describe.js';
import { CircuitOpenError } from '../util/errors.js';
import type { Group, Outcome } from './group.js';
import { lendSlot } from './slot-lending.js';
import { Context, type TaskRecord } from './task.js';
import type { TaskContext } from './types.js';

/**
 * Runs one task to its settlement: each attempt in a fresh branch frame (so a group retry runs the
 * branch again at the same addresses, `retryAttempt` counting on), behind the circuit breaker,
 * with the group's retry policy between attempts.
 */
export async function runTask<T>(
  group: Group<T>,
  task: TaskRecord,
  startedAt: number,
): Promise<void> {
  let settled: Settled;
  try {
    settled = await attempt(group, task, startedAt);
  } catch (error) {
    // Only user code outside the attempt's own try can get here (a circuit breaker whose clock
    // throws): the task fails with that error instead of leaving its group waiting forever.
    settled = { result: { ok: false, error, errorMessage: messageOf(error) }, outcome: 'failed' };
  }
  let { result } = settled;
  if (
    !result.ok &&
    settled.outcome === 'failed' &&
    task.attempt > 1 &&
    !isInstance(result.error, CircuitOpenError)
  ) {
    result = { ...result, errorMessage: `${result.errorMessage} (after ${task.attempt} attempts)` };
  }
  group.settle(task, result, settled.outcome, performance.now() - startedAt);
}

interface Settled {
  result: ExecutionResult<unknown>;
  outcome: Outcome;
}

async function attempt<T>(group: Group<T>, task: TaskRecord, startedAt: number): Promise<Settled> {
  const { scope, options, runtime } = group;
  const breaker = options.circuitBreaker;
  const retry = options.retry;
  const fn = task.fn as (context: TaskContext) => unknown;
  const asyncContext = task.context as AsyncResource;
  let result: ExecutionResult<unknown>;
  let outcome: Outcome;
  for (;;) {
    const frame = branchFrame(group, task, ++task.attempt);
    if (breaker && !breaker.tryPass()) {
      runtime.metrics.refused();
      const error = new CircuitOpenError(
        `Circuit breaker open: task ${task.name ?? task.index} of group '${group.groupId}' was refused without being invoked (${breaker.failures} consecutive failures; trial after ${breaker.resetTimeoutMs} ms).`,
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
      const context = new Context(scope, task.index, task.name, task.attempt);
      const value = await asyncContext.runInAsyncScope(() =>
        frameStorage.run(frame, () => Promise.resolve(fn(context))),
      );
      result = isExecutionResult(value) ? value : { ok: true, result: value };
    } catch (error) {
      result = { ok: false, error, errorMessage: messageOf(error) };
    }
    if (scope.aborted && !result.ok) {
      breaker?.recordCancelled();
      outcome = 'cancelled';
      break;
    }
    if (result.ok) breaker?.recordSuccess();
    else breaker?.recordFailure();
    outcome = result.ok ? 'completed' : 'failed';
    if (result.ok) break;
    const delay = nextRetryDelay(retry, task.attempt, result.error, performance.now() - startedAt);
    if (delay === undefined) break;
    group.retries++;
    runtime.metrics.retried();
    try {
      await sleep(delay, scope);
    } catch {
      outcome = 'cancelled';
      break;
    }
  }
  return { result, outcome };
}

function branchFrame<T>(group: Group<T>, task: TaskRecord, attempt: number): Frame {
  const limiter = group.runtime.limiter;
  const branch: BranchInfo = {
    groupId: group.groupId,
    parallelIndex: task.index,
    depth: group.depth,
    // Only a task holding a state-wide slot has one to lend.
    lendSlot: task.holdsSlot && limiter ? () => lendSlot(task, limiter) : undefined,
    attempt,
    executor: group.options.executor,
  };
  return new Frame(
    group.runtime,
    `${group.groupId}[${task.index}]`,
    group.scope,
    branch,
    undefined,
    group.trace?.span,
  );
}
