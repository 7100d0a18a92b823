/**
 * One error class per concept. Every class sets `name`, has a default message that says what to
 * do next, and accepts a `cause`.
 */

/** Base class of every error rh-agents throws or reports. */
export class RhAgentsError extends Error {
  override name = 'RhAgentsError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * An API used the wrong way, at the wrong time: `add()` after collection started or after the
 * group ended, `gather()` from inside one of the group's own tasks. The message says what to do.
 */
export class UsageError extends RhAgentsError {
  override name = 'UsageError';
}

/** Input that failed an actor's `inputSchema`; the handler was not called. */
export class InputValidationError extends RhAgentsError {
  override name = 'InputValidationError';
  constructor(
    message: string,
    /** The actor whose schema refused the input. */
    readonly actorName: string,
    /** The paths of the offending fields, e.g. `['id']` or `['items.2.url']`. */
    readonly fields: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A handler result that failed the actor's `outputSchema`. */
export class OutputValidationError extends RhAgentsError {
  override name = 'OutputValidationError';
}

/** A precondition or postcondition of an actor returned `false` or threw. */
export class ConditionError extends RhAgentsError {
  override name = 'ConditionError';
}

/** The state was interrupted (`requestInterrupt`, the interrupt checker or the state timeout). */
export class InterruptedError extends RhAgentsError {
  override name = 'InterruptedError';
  constructor(
    message = 'The execution state was interrupted; no new runs are started.',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A task or run was cancelled: its group was cancelled, failed fast or timed out. */
export class CancelledError extends RhAgentsError {
  override name = 'CancelledError';
  constructor(message = 'Cancelled before it finished.', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A circuit breaker refused a task without invoking it. */
export class CircuitOpenError extends RhAgentsError {
  override name = 'CircuitOpenError';
  constructor(
    message = 'Circuit breaker open: the task was refused without being invoked. Wait for resetTimeoutMs or fix the failing dependency.',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export { messageOf } from './describe.js';

/**
 * An optional peer dependency that a subpath entry needs (`ai` for `rh-agents/ai`,
 * `@opentelemetry/api` for `rh-agents/otel`) is not installed; the message names what to install.
 */
export class MissingPeerDependencyError extends RhAgentsError {
  override name = 'MissingPeerDependencyError';
  constructor(
    message = 'An optional peer dependency of rh-agents is not installed; install the package the message names.',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
