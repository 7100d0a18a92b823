import type { GroupEvent } from '../bus/events.js';
import { messageOf } from '../util/errors.js';
import type { CircuitState } from '../util/enums.js';
import type { Group, Outcome } from './group.js';
import type { TaskRecord } from './task.js';
import type { ParallelGroup, ParallelResult } from './types.js';

/** A group's record and metrics, as a snapshot (what `p.group` returns). */
export function groupRecord<T>(group: Group<T>): ParallelGroup {
  const counts = group.counts;
  const finished = counts.completed + counts.failed + counts.cancelled;
  const start = group.startTime;
  const end = group.endTime ?? (start === undefined ? undefined : Date.now());
  return {
    groupId: group.groupId,
    name: group.options.name,
    status: group.status,
    total: group.tasks.length,
    ...counts,
    running: group.running,
    maxWorkers: group.options.maxWorkers,
    errorStrategy: group.options.errorStrategy,
    timeoutMs: group.options.timeoutMs,
    startTime: start,
    endTime: group.endTime,
    durationMs: start === undefined || end === undefined ? undefined : end - start,
    successRate: finished === 0 ? 0 : counts.completed / finished,
    errors: [...group.errors],
    retries: group.retries,
  };
}

/** Publishes the group's circuit-breaker changes while the group runs. */
export function watchBreaker<T>(group: Group<T>): void {
  const breaker = group.options.circuitBreaker;
  if (!breaker) return;
  group.unwatchBreaker = breaker.onStateChange((state: CircuitState) =>
    publishGroup(group, 'breaker', { breakerState: state }),
  );
}

/** One `task` event per settled task; called only while someone listens. */
export function publishTask<T>(
  group: Group<T>,
  task: TaskRecord,
  entry: ParallelResult<T>,
  outcome: Outcome,
  durationMs: number,
): void {
  publishGroup(group, 'task', {
    index: entry.index,
    taskName: entry.name,
    outcome,
    taskDurationMs: durationMs,
    message: entry.ok ? undefined : entry.errorMessage,
    attempts: task.attempt,
  });
}

export function publishGroup<T>(
  group: Group<T>,
  type: GroupEvent['type'],
  extra?: Partial<GroupEvent>,
): void {
  const runtime = group.runtime;
  if (!runtime.bus.hasSubscribers) return;
  const end = group.endTime;
  const counts = group.counts;
  // Built field by field, not with spreads: one event per task when someone listens.
  const event: Omit<GroupEvent, 'timestamp' | 'stateId'> = {
    kind: 'group',
    type,
    groupId: group.groupId,
    name: group.options.name,
    status: group.status,
    total: group.tasks.length,
    started: group.next,
    completed: counts.completed,
    failed: counts.failed,
    cancelled: counts.cancelled,
    running: group.running,
    maxWorkers: group.options.maxWorkers,
    parentGroupId: group.parent.branch?.groupId,
    depth: group.depth,
    durationMs:
      group.startTime === undefined || end === undefined ? undefined : end - group.startTime,
    message:
      end !== undefined && group.failure !== undefined ? messageOf(group.failure) : undefined,
  };
  if (extra) Object.assign(event, extra);
  runtime.publish(event);
}
