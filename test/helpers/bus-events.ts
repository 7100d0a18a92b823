/** Events built by hand, with every field a published event has, for tests that feed a bus directly. */
import type { EventType, ExecutionRecord, LogEvent } from '../../src/index.js';

/** An info-level log event of state 's' carrying `message`. */
export function logEvent(message: string): LogEvent {
  return {
    kind: 'log',
    message,
    severity: 'info',
    metadata: undefined,
    address: undefined,
    groupId: undefined,
    parallelIndex: undefined,
    isParallel: false,
    timestamp: 0,
    stateId: 's',
  };
}

/**
 * An execution record of state 's' with `fields`; the rest as on a first attempt at time 0, the
 * actor read from the address (`Pipeline::Fetch::tool_call`: Fetch, a tool_call).
 */
export function executionRecord(
  fields: Pick<ExecutionRecord, 'address' | 'status'> & Partial<ExecutionRecord>,
): ExecutionRecord {
  const parts = fields.address.split('::');
  return {
    kind: 'execution',
    actor: { name: parts.at(-2) ?? '?', eventType: parts.at(-1) as EventType },
    executionTimeMs: undefined,
    message: undefined,
    detail: undefined,
    tag: undefined,
    groupId: undefined,
    parallelIndex: undefined,
    isParallel: false,
    retryAttempt: 1,
    timestamp: 0,
    stateId: 's',
    ...fields,
  };
}
