import type { ExecutionRecord } from '../bus/events.js';
import { messageOf, safeGet } from '../util/describe.js';
import type { ExecutionStatus } from '../util/enums.js';
import { toJsonValue } from './json-value.js';
import type { StoredRecord } from './snapshot.js';

/**
 * Execution records to and from their stored form. A result is stored only as strict JSON (a
 * result JSON cannot hold throws an `UnstorableValueError` naming the run's address); an error is
 * stored by its name and message.
 */
export function toStoredRecord(record: ExecutionRecord): StoredRecord {
  const stored: StoredRecord = {
    actor: { name: record.actor.name, eventType: record.actor.eventType },
    address: record.address,
    status: record.status,
    isParallel: record.isParallel,
    retryAttempt: record.retryAttempt,
    timestamp: record.timestamp,
  };
  if (record.executionTimeMs !== undefined) stored.executionTimeMs = record.executionTimeMs;
  if (record.message !== undefined) stored.message = record.message;
  if (record.detail !== undefined) stored.detail = record.detail;
  if (record.tag !== undefined) stored.tag = record.tag;
  if (record.groupId !== undefined) stored.groupId = record.groupId;
  if (record.parallelIndex !== undefined) stored.parallelIndex = record.parallelIndex;
  if (record.result !== undefined) {
    const result = toJsonValue(record.result, `the result of the run at ${record.address}`);
    if (result !== undefined) stored.result = result;
  }
  if (record.error !== undefined) stored.error = errorOf(record.error);
  return stored;
}

/** A stored record as the bus's record again, for a restored state's history. */
export function fromStoredRecord(stored: StoredRecord, stateId: string): ExecutionRecord {
  return {
    kind: 'execution',
    actor: { name: stored.actor.name, eventType: stored.actor.eventType },
    address: stored.address,
    status: stored.status as ExecutionStatus,
    executionTimeMs: stored.executionTimeMs,
    message: stored.message,
    detail: stored.detail,
    tag: stored.tag,
    groupId: stored.groupId,
    parallelIndex: stored.parallelIndex,
    isParallel: stored.isParallel,
    retryAttempt: stored.retryAttempt,
    timestamp: stored.timestamp,
    stateId,
    result: stored.result,
    error: stored.error === undefined ? undefined : restoredError(stored.error),
  };
}

/** An error as stored: its name and message. */
export function errorOf(error: unknown): { name: string; message: string } {
  const name = safeGet(error, 'name');
  return {
    name: typeof name === 'string' && name !== '' ? name : 'Error',
    message: messageOf(error),
  };
}

/** A stored error as an `Error` with the same name and message (not the same class). */
export function restoredError(stored: { name: string; message: string }): Error {
  const error = new Error(stored.message);
  error.name = stored.name;
  return error;
}
