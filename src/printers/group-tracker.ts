import { type GroupEvent, GROUP_END_TYPES } from '../bus/events.js';
import { GroupStatus } from '../util/enums.js';

/** A failed task of a group, as a printer lists it. */
export interface TaskFailure {
  index: number;
  name: string | undefined;
  message: string;
  /** Attempts made, when the group retried it. */
  attempts: number | undefined;
}

/** Failures kept per tracker; further ones are only counted in `failed`. */
export const MAX_STORED_FAILURES = 1000;

/**
 * What a printer knows about one parallel group, fed only by the group's own events (`kind:
 * 'group'`), so its total is the one the group announced, never a guess.
 */
export class GroupTracker {
  readonly groupId: string;
  name: string | undefined;
  status: GroupStatus = GroupStatus.RUNNING;
  /** Tasks added so far. */
  total = 0;
  /** Tasks that have started. */
  started = 0;
  completed = 0;
  failed = 0;
  cancelled = 0;
  /** Tasks running now. */
  running = 0;
  maxWorkers = 0;
  /** Nesting depth: 0 for a group opened outside any branch. */
  depth = 0;
  parentGroupId: string | undefined;
  /** `Date.now()` when the group started (the timestamp of its `started` event). */
  startTime: number | undefined;
  /** `Date.now()` when it ended. */
  endTime: number | undefined;
  /** The group's duration in milliseconds, once it ended. */
  durationMs: number | undefined;
  /** When the printer saw the group start, on the printer's clock (`now`). */
  startedAt: number;
  /** Tasks that needed more than one attempt. */
  retried = 0;
  /** The last state of the group's circuit breaker, if it has one that changed. */
  breakerState: GroupEvent['breakerState'];
  /** The error message of a group that failed or was cancelled. */
  message: string | undefined;
  /** Failed tasks in the order they failed (the first 1000). */
  readonly failures: TaskFailure[] = [];

  readonly #label: string;

  constructor(groupId: string, startedAt: number) {
    this.groupId = groupId;
    this.startedAt = startedAt;
    const segments = groupId.split('::');
    const own = segments[segments.length - 1] as string;
    let label = own;
    for (let i = segments.length - 2; i >= 0; i--) {
      const branch = /\[(\d+)\]$/.exec(segments[i] as string);
      if (branch) {
        label = `[${branch[1]}] ${own}`;
        break;
      }
    }
    this.#label = label;
  }

  /**
   * The group's name as printed: the last segment of its id (`Docs`, `Docs#2`), after the index of
   * the branch it was opened in, if any (`[3] Inner`).
   */
  get label(): string {
    return this.#label;
  }

  /** Tasks that finished, whatever their outcome. */
  get settled(): number {
    return this.completed + this.failed + this.cancelled;
  }

  /** Finished tasks as a percentage of the total, 0–100 (100 for an empty group that ended). */
  get completionPercentage(): number {
    if (this.total === 0) return this.isComplete ? 100 : 0;
    return Math.min(100, (this.settled / this.total) * 100);
  }

  /** Whether the group has ended: completed, failed or cancelled. */
  get isComplete(): boolean {
    return (
      this.status === GroupStatus.COMPLETED ||
      this.status === GroupStatus.FAILED ||
      this.status === GroupStatus.CANCELLED
    );
  }

  /** Completed tasks among the finished ones, 0–1. */
  get successRate(): number {
    const settled = this.settled;
    return settled === 0 ? 0 : this.completed / settled;
  }

  /** Applies one of the group's events. Returns the failure it recorded, if any. */
  update(event: GroupEvent): TaskFailure | undefined {
    if (event.name !== undefined) this.name = event.name;
    if (typeof event.total === 'number') this.total = event.total;
    if (typeof event.started === 'number') this.started = event.started;
    if (typeof event.completed === 'number') this.completed = event.completed;
    if (typeof event.failed === 'number') this.failed = event.failed;
    if (typeof event.cancelled === 'number') this.cancelled = event.cancelled;
    if (typeof event.running === 'number') this.running = event.running;
    if (typeof event.maxWorkers === 'number') this.maxWorkers = event.maxWorkers;
    if (typeof event.depth === 'number') this.depth = event.depth;
    if (event.parentGroupId !== undefined) this.parentGroupId = event.parentGroupId;
    if (event.type === 'started') this.startTime = event.timestamp;
    if (event.type === 'breaker') this.breakerState = event.breakerState;
    if (GROUP_END_TYPES.has(event.type)) {
      this.status = event.type as GroupStatus;
      this.endTime = event.timestamp;
      this.durationMs = event.durationMs;
      this.message = event.message;
      return undefined;
    }
    if (event.type !== 'task') return undefined;
    if ((event.attempts ?? 1) > 1) this.retried++;
    if (event.outcome !== 'failed') return undefined;
    const failure: TaskFailure = {
      index: event.index ?? -1,
      name: event.taskName,
      message: event.message ?? 'failed',
      attempts: event.attempts,
    };
    if (this.failures.length < MAX_STORED_FAILURES) this.failures.push(failure);
    return failure;
  }
}
