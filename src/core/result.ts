import { jsonOf, textOf } from '../util/describe.js';

/** A run (or task) that succeeded. */
export interface ExecutionSuccess<T> {
  ok: true;
  result: T;
  errorMessage?: undefined;
  error?: undefined;
  /** From the start of the run (or task) to its end, in milliseconds. */
  executionTimeMs?: number;
}

/** A run (or task) that failed, was cancelled or was interrupted. */
export interface ExecutionFailure {
  ok: false;
  result?: undefined;
  /** What went wrong, for people: the error's message, with the attempts made when retried. */
  errorMessage: string;
  /** The thrown value itself. */
  error: unknown;
  /** From the start of the run (or task) to its end, in milliseconds. */
  executionTimeMs?: number;
}

/**
 * The outcome of a run. `run()` never rejects for handler errors: they become `ok: false`.
 * Checking `ok` narrows it: after `if (r.ok)`, `r.result` is a `T`.
 */
export type ExecutionResult<T = unknown> = ExecutionSuccess<T> | ExecutionFailure;

declare const runResult: unique symbol;

/**
 * An `ExecutionResult` made by rh-agents (what `event.run()` and `state.run()` resolve to). A
 * parallel group passes it through as the task's result instead of wrapping it; a plain object
 * of the same shape is a value like any other.
 */
export type RunResult<T = unknown> = ExecutionResult<T> & { readonly [runResult]: true };

const RESULT = Symbol.for('rh-agents.ExecutionResult');

/** Marks an object as an `ExecutionResult`, so parallel groups pass it through as it is. */
export function markResult<T>(result: ExecutionResult<T>): RunResult<T> {
  Object.defineProperty(result, RESULT, { value: true });
  return result as RunResult<T>;
}

/** Whether `value` is an `ExecutionResult` made by a run. */
export function isExecutionResult(value: unknown): value is RunResult<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[RESULT] === true
  );
}

/** JSON of `value`, cut to `max` characters with an ellipsis. Never throws. */
export function truncateDetail(value: unknown, max: number): string | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : (jsonOf(value) ?? textOf(value));
  return text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
}
