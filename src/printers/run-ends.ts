import { type ExecutionRecord, type GroupEvent, GROUP_END_TYPES } from '../bus/events.js';

const BRANCH = /\[(\d+)\]$/;

/** Where a group sits: the outermost group around it, and its branch there (if nested). */
interface Scope {
  outermost: string;
  /** The branch of the outermost group the group was opened in; undefined when it is outermost. */
  index: number | undefined;
}

function scopeOf(groupId: string): Scope {
  const segments = groupId.split('::');
  for (let at = 0; at < segments.length; at++) {
    const branch = BRANCH.exec(segments[at] as string);
    if (branch === null) continue;
    const own = (segments[at] as string).slice(0, branch.index);
    return { outermost: [...segments.slice(0, at), own].join('::'), index: Number(branch[1]) };
  }
  return { outermost: groupId, index: undefined };
}

/**
 * The end status of each run that may still run again under the same address: a group retry
 * (group `maxRetries`) runs a task's branch again, nested groups included, until the task of the
 * outermost group settles. So entries are kept per task of an outermost group and dropped when that
 * task settles: memory stays bounded by the tasks running, and each event costs O(1).
 */
export class RunEnds {
  /** Per outermost group, per branch index, per address: the last end status. */
  readonly #ends = new Map<string, Map<number, Map<string, string>>>();
  /** The scope of each group seen in a record, until it ends. */
  readonly #scopes = new Map<string, Scope>();

  /**
   * Records the end of a run in a branch; returns the end status of its earlier attempt, when its
   * group ran it again.
   */
  end(record: ExecutionRecord): string | undefined {
    const { groupId, parallelIndex } = record;
    if (!record.isParallel || groupId === undefined || parallelIndex === undefined)
      return undefined;
    let scope = this.#scopes.get(groupId);
    if (scope === undefined) {
      scope = scopeOf(groupId);
      this.#scopes.set(groupId, scope);
    }
    let branches = this.#ends.get(scope.outermost);
    if (branches === undefined) {
      branches = new Map();
      this.#ends.set(scope.outermost, branches);
    }
    const index = scope.index ?? parallelIndex;
    let ends = branches.get(index);
    if (ends === undefined) {
      ends = new Map();
      branches.set(index, ends);
    }
    const previous = ends.get(record.address);
    ends.set(record.address, record.status);
    return previous;
  }

  /** Forgets what can no longer run again: a settled task of an outermost group, a group that ended. */
  group(event: GroupEvent): void {
    if (event.type === 'task' && event.index !== undefined) {
      // Only the task of an outermost group settles for good; a nested one may still run again.
      this.#ends.get(event.groupId)?.delete(event.index);
    } else if (GROUP_END_TYPES.has(event.type)) {
      this.#ends.delete(event.groupId);
      this.#scopes.delete(event.groupId);
    }
  }
}
