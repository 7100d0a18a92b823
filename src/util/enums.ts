/**
 * Every enum is a frozen `const` object plus a union type of its values, so both
 * `ErrorStrategy.FAIL_FAST` and the literal `'fail_fast'` are accepted wherever one is expected.
 */

/** The kind of actor a run belongs to; the last segment of every address. */
export const EventType = Object.freeze({
  AGENT_CALL: 'agent_call',
  TOOL_CALL: 'tool_call',
  LLM_CALL: 'llm_call',
} as const);
export type EventType = (typeof EventType)[keyof typeof EventType];

/** The status carried by an execution record. */
export const ExecutionStatus = Object.freeze({
  STARTED: 'started',
  COMPLETED: 'completed',
  FAILED: 'failed',
  AWAITING: 'awaiting',
  HUMAN_INTERVENTION: 'human_intervention',
  RECOVERED: 'recovered',
  INTERRUPTED: 'interrupted',
  CANCELLED: 'cancelled',
  RETRYING: 'retrying',
} as const);
export type ExecutionStatus = (typeof ExecutionStatus)[keyof typeof ExecutionStatus];

/** The lifecycle of a parallel group. */
export const GroupStatus = Object.freeze({
  PENDING: 'pending',
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
} as const);
export type GroupStatus = (typeof GroupStatus)[keyof typeof GroupStatus];

/** What a parallel group does with a failing task. */
export const ErrorStrategy = Object.freeze({
  FAIL_SLOW: 'fail_slow',
  FAIL_FAST: 'fail_fast',
} as const);
export type ErrorStrategy = (typeof ErrorStrategy)[keyof typeof ErrorStrategy];

/** How `ParallelEventPrinter` shows parallel groups. */
export const ParallelDisplayMode = Object.freeze({
  REALTIME: 'realtime',
  PROGRESS: 'progress',
  COLLAPSED: 'collapsed',
} as const);
export type ParallelDisplayMode = (typeof ParallelDisplayMode)[keyof typeof ParallelDisplayMode];

/** How a restored state treats runs that already completed. */
export const ReplayMode = Object.freeze({
  NORMAL: 'normal',
  VALIDATION: 'validation',
  REPUBLISH_ALL: 'republish_all',
} as const);
export type ReplayMode = (typeof ReplayMode)[keyof typeof ReplayMode];

/** How the delay between retry attempts grows. */
export const BackoffStrategy = Object.freeze({
  CONSTANT: 'constant',
  LINEAR: 'linear',
  EXPONENTIAL: 'exponential',
  FIBONACCI: 'fibonacci',
} as const);
export type BackoffStrategy = (typeof BackoffStrategy)[keyof typeof BackoffStrategy];

/** The state of a `CircuitBreaker`. */
export const CircuitState = Object.freeze({
  CLOSED: 'closed',
  OPEN: 'open',
  HALF_OPEN: 'half_open',
} as const);
export type CircuitState = (typeof CircuitState)[keyof typeof CircuitState];
