import { type BusEvent, type ExecutionRecord, GROUP_END_TYPES } from '../bus/events.js';

/** A held failure, released: print it as failed, or (with `retry`) as retried by its group. */
export interface ReleasedFailure {
  record: ExecutionRecord;
  /** The attempt the group runs next, when it ran the task again. */
  retry: number | undefined;
}

interface Branch {
  /** The branch's current attempt: the `retryAttempt` of its latest `started` record. */
  attempt: number;
  /** Failed records of this attempt, not printed yet. */
  held: ExecutionRecord[];
}

const NONE: readonly ReleasedFailure[] = Object.freeze([]);
const PASS = Object.freeze({ release: NONE, hold: false });
const HOLD = Object.freeze({ release: NONE, hold: true });

/**
 * Failed runs inside parallel branches, held until the branch shows what came of them. When the
 * group retries the task (group `maxRetries`), its runs start again with a higher `retryAttempt`,
 * and the failures held are released as retries; when the branch goes on in any other way (another
 * run or log of the branch, its task settling, its group ending) they are released as failures,
 * before that event, so each branch reads in order. O(1) per event; a branch is forgotten when its
 * task settles.
 */
export class PendingFailures {
  /** Per group id, per branch index. */
  readonly #branches = new Map<string, Map<number, Branch>>();

  /**
   * Routes one event: the held failures to print before it, and whether the event itself is held
   * (a failed run in a branch).
   */
  route(event: BusEvent): { release: readonly ReleasedFailure[]; hold: boolean } {
    if (event.kind === 'execution') return this.#record(event);
    if (event.kind === 'log') {
      if (event.groupId === undefined || event.parallelIndex === undefined) return PASS;
      return { release: this.#release(event.groupId, event.parallelIndex), hold: false };
    }
    if (event.kind !== 'group') return PASS;
    if (event.type === 'task' && event.index !== undefined) {
      const release = this.#release(event.groupId, event.index);
      this.#branches.get(event.groupId)?.delete(event.index);
      return { release, hold: false };
    }
    if (!GROUP_END_TYPES.has(event.type)) return PASS;
    const branches = this.#branches.get(event.groupId);
    this.#branches.delete(event.groupId);
    return { release: branches === undefined ? NONE : released(branches.values()), hold: false };
  }

  /** Every failure still held, as failures (the printer is closing or summing up). */
  drain(): ReleasedFailure[] {
    const all: ReleasedFailure[] = [];
    for (const branches of this.#branches.values()) all.push(...released(branches.values()));
    this.#branches.clear();
    return all;
  }

  #record(record: ExecutionRecord): { release: readonly ReleasedFailure[]; hold: boolean } {
    const { groupId, parallelIndex: index } = record;
    if (!record.isParallel || groupId === undefined || index === undefined) return PASS;
    let branches = this.#branches.get(groupId);
    if (branches === undefined) {
      branches = new Map();
      this.#branches.set(groupId, branches);
    }
    let branch = branches.get(index);
    if (record.status === 'failed') {
      if (branch === undefined) {
        branch = { attempt: 1, held: [] };
        branches.set(index, branch);
      }
      branch.held.push(record);
      return HOLD;
    }
    let release: readonly ReleasedFailure[] | undefined;
    if (branch !== undefined && branch.held.length > 0) {
      // A start in a later attempt than the failures': the group runs the task again.
      const retry =
        record.status === 'started' && record.retryAttempt > branch.attempt
          ? record.retryAttempt
          : undefined;
      release = branch.held.map((held) => ({ record: held, retry }));
      branch.held = [];
    }
    if (record.status === 'started') {
      if (branch === undefined) branches.set(index, { attempt: record.retryAttempt, held: [] });
      else branch.attempt = record.retryAttempt;
    }
    return release === undefined ? PASS : { release, hold: false };
  }

  /** The failures held for one branch, as failures. */
  #release(groupId: string, index: number): readonly ReleasedFailure[] {
    const branch = this.#branches.get(groupId)?.get(index);
    if (branch === undefined || branch.held.length === 0) return NONE;
    const release = branch.held.map((record) => ({ record, retry: undefined }));
    branch.held = [];
    return release;
  }
}

function released(branches: Iterable<Branch>): ReleasedFailure[] {
  const all: ReleasedFailure[] = [];
  for (const branch of branches) {
    for (const record of branch.held) all.push({ record, retry: undefined });
  }
  return all;
}
