/** Events built by hand, with every field a published event has, for tests that feed a bus directly. */
import type { LogEvent } from '../../src/index.js';

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
