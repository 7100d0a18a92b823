import type { EventType, ExecutionStatus, GroupStatus } from '../util/enums.js';

/** Fields every published event has. */
interface BaseEvent {
  /** `Date.now()` when the event was published. */
  timestamp: number;
  /** The state that published it. */
  stateId: string;
}

/** One step of a run: `started`, `retrying`, `completed`, `failed`, `recovered`, … */
export interface ExecutionRecord extends BaseEvent {
  kind: 'execution';
  actor: { name: string; eventType: EventType };
  /** Unique within the state, deterministic, e.g. `Pipeline::FetchDoc::tool_call`. */
  address: string;
  status: ExecutionStatus;
  /** Time from the run's start to this event, in milliseconds (absent on `started`). */
  executionTimeMs: number | undefined;
  /** A short human message: the error message on failure, the retry reason on `retrying`. */
  message: string | undefined;
  /** The input (on `started`) or the result (on `completed`), as JSON truncated to the state's `detailMaxLength`. */
  detail: string | undefined;
  /** The `tag` given to the `ExecutionEvent`, if any. */
  tag: string | undefined;
  /** The parallel group of the innermost enclosing branch. */
  groupId: string | undefined;
  /** The index of that branch in its group. */
  parallelIndex: number | undefined;
  /** Whether the run is inside a parallel branch, at any depth. */
  isParallel: boolean;
  /** The attempt this record belongs to, 1-based. */
  retryAttempt: number;
  /** The full result, on `completed` and `recovered` records. */
  result?: unknown;
  /** The thrown value, on `failed`, `cancelled` and `interrupted` records. */
  error?: unknown;
}

/**
 * A parallel group's lifecycle: `started` (with the total added in the first turn), `updated`
 * (later adds raised the total), `task` (one task settled; published only while someone listens),
 * `breaker` (its circuit breaker changed state), then `completed`, `failed` or `cancelled`.
 */
export interface GroupEvent extends BaseEvent {
  kind: 'group';
  type: 'started' | 'updated' | 'task' | 'breaker' | 'completed' | 'failed' | 'cancelled';
  groupId: string;
  name: string | undefined;
  status: GroupStatus;
  /** Tasks added so far. */
  total: number;
  /** Tasks that have started (first attempt), so far. */
  started: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** Tasks running now. */
  running: number;
  maxWorkers: number;
  /** The group that encloses this one, when it was opened inside a branch. */
  parentGroupId: string | undefined;
  /** Nesting depth: 0 for a group opened outside any branch. */
  depth: number;
  durationMs: number | undefined;
  /** On `breaker` events: the breaker's new state. */
  breakerState?: 'closed' | 'open' | 'half_open';
  /** On `task` events: the task's index, name, outcome, duration and attempts. */
  index?: number;
  taskName?: string | undefined;
  outcome?: 'completed' | 'failed' | 'cancelled';
  taskDurationMs?: number;
  attempts?: number | undefined;
  /** The error message of a failed task, or of a group that failed or was cancelled. */
  message?: string | undefined;
}

export type LogSeverity = 'debug' | 'info' | 'warning' | 'error';

/** A message published with `state.log()`. */
export interface LogEvent extends BaseEvent {
  kind: 'log';
  message: string;
  severity: LogSeverity;
  metadata: Record<string, unknown> | undefined;
  /** The address of the run that logged it, if any. */
  address: string | undefined;
  /** The parallel group of the innermost enclosing branch. */
  groupId: string | undefined;
  /** The index of that branch in its group. */
  parallelIndex: number | undefined;
  /** Whether it was logged inside a parallel branch, at any depth. */
  isParallel: boolean;
}

/** The state was asked to stop. */
export interface InterruptEvent extends BaseEvent {
  kind: 'interrupt';
  reason: string;
  /** What asked for it: a user call, the interrupt checker, or the state timeout. */
  source: 'request' | 'checker' | 'timeout';
}

// ---- run limiter (issue 10) ----
/** A run limiter (e.g. an `AdaptiveLimiter`) changed its concurrency; published on the bus of the run that caused it. */
export interface LimitEvent extends BaseEvent {
  kind: 'limit';
  /** The limiter's name. */
  name: string;
  /** Its concurrency now. */
  concurrency: number;
  /** Its concurrency before. */
  previous: number;
  /** Why, e.g. `rate limited (429), retry after 200 ms` or `sustained success`. */
  reason: string;
}
// ---- end run limiter ----

export type BusEvent = ExecutionRecord | GroupEvent | LogEvent | InterruptEvent | LimitEvent;

/** A subscriber: a function of the event, or an object with a `handle(event)` method. */
export type Subscriber<E = BusEvent> = ((event: E) => unknown) | { handle(event: E): unknown };

/** `Omit` applied to each member of a union. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event before the bus stamps it with `timestamp` and `stateId`. */
export type UnstampedEvent = DistributiveOmit<BusEvent, 'timestamp' | 'stateId'>;

/** The statuses that end a run: a run's last record has one of them (printers and checkpoints use it). */
export const RUN_END_STATUSES: ReadonlySet<string> = new Set<ExecutionStatus>([
  'completed',
  'failed',
  'cancelled',
  'interrupted',
  'recovered',
]);

/** The group event types that end a group. */
export const GROUP_END_TYPES: ReadonlySet<string> = new Set<GroupEvent['type']>([
  'completed',
  'failed',
  'cancelled',
]);
