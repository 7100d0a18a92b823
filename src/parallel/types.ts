import type { ErrorStrategy, GroupStatus } from '../util/enums.js';
import type { ExecutionResult } from '../core/result.js';

/** One task's outcome: an `ExecutionResult` plus its place in the group. */
export type ParallelResult<T = unknown> = ExecutionResult<T> & {
  /** The order in which the task was added, from 0. */
  index: number;
  /** The name given to `add`, if any. */
  name?: string;
};

/** What a task function receives. */
export interface TaskContext {
  /** Aborts when the group is cancelled, fails fast, times out, or the state is interrupted. */
  readonly signal: AbortSignal;
  /** The task's index in its group. */
  readonly index: number;
  readonly name: string | undefined;
  /** The attempt being made, from 1 (group retries re-invoke the function). */
  readonly attempt: number;
}

/** A task: a function returning a value or a promise, given the task's context. */
export type TaskFunction<T> = (context: TaskContext) => T | PromiseLike<T>;

/** One failure of a group. */
export interface GroupError {
  index: number;
  name: string | undefined;
  message: string;
  error: unknown;
}

/** A group's record and metrics: a snapshot taken when `p.group` is read. */
export interface ParallelGroup {
  groupId: string;
  name: string | undefined;
  status: GroupStatus;
  /** Tasks added. */
  total: number;
  /** Tasks that succeeded. */
  completed: number;
  /** Tasks that failed (including circuit-breaker refusals). */
  failed: number;
  /** Tasks cancelled before they finished. */
  cancelled: number;
  /** Tasks running now. */
  running: number;
  maxWorkers: number;
  errorStrategy: ErrorStrategy;
  timeoutMs: number | undefined;
  /** `Date.now()` when the first tasks started. */
  startTime: number | undefined;
  /** `Date.now()` when the group completed, failed or was cancelled. */
  endTime: number | undefined;
  /** From start to end (or to now, while running), in milliseconds. */
  durationMs: number | undefined;
  /** `completed` divided by the tasks finished so far; 0 before any finished. */
  successRate: number;
  errors: GroupError[];
  /** Retry attempts made by the group (not counting first attempts). */
  retries: number;
}
