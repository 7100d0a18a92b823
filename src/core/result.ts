/** The outcome of a run. `run()` never rejects for handler errors: they become `ok: false`. */
export interface ExecutionResult<T = unknown> {
  ok: boolean;
  result?: T;
  errorMessage?: string;
  /** The thrown value, when `ok` is false. */
  error?: unknown;
  /** From the start of the run (or task) to its end, in milliseconds. */
  executionTimeMs?: number;
}

const RESULT = Symbol.for('rh-agents.ExecutionResult');

/** Marks an object as an `ExecutionResult`, so parallel groups pass it through as it is. */
export function markResult<T extends ExecutionResult<unknown>>(result: T): T {
  Object.defineProperty(result, RESULT, { value: true });
  return result;
}

/** Whether `value` is an `ExecutionResult` made by a run. */
export function isExecutionResult(value: unknown): value is ExecutionResult<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[RESULT] === true
  );
}

/** JSON of `value`, cut to `max` characters with an ellipsis. Never throws. */
export function truncateDetail(value: unknown, max: number): string | undefined {
  if (value === undefined) return undefined;
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    try {
      text = String(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  return text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
}
