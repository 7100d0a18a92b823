import { AsyncLocalStorage } from 'node:async_hooks';
import type { CancelScope } from './cancel-scope.js';
import type { RemoteExecutor } from './remote.js';
import type { TraceSpan } from './tracing.js';

/** Membership of a parallel branch, inherited by every run nested inside it. */
export interface BranchInfo {
  readonly groupId: string;
  readonly parallelIndex: number;
  /** The group's depth: 0 for a group opened outside any branch. */
  readonly depth: number;
  /** Called by a nested group's collection while it waits, to lend out this branch's state-wide slot. */
  readonly lendSlot?: () => () => Promise<void>;
  /** The group's attempt at this branch, from 1: group retries run the branch again at the same addresses. */
  readonly attempt: number;
  /** Where the branch's own runs execute when the group has an `executor` (another process). */
  readonly executor?: RemoteExecutor;
}

/**
 * One level of the per-async-context execution stack: the state's root, the body of a run, or a
 * parallel branch. Frames are carried by `AsyncLocalStorage`, never stored on the shared state, so
 * concurrent branches cannot see each other's nesting.
 */
export class Frame {
  #claims: Map<string, number> | undefined;

  constructor(
    /** The runtime of the state the frame belongs to; a frame of another state is ignored. */
    readonly owner: object,
    /** Address prefix of the runs started in this frame; `''` at the root. */
    readonly path: string,
    /** Cancellation of this frame: the state's root scope or the innermost group's scope. */
    readonly scope: CancelScope,
    /** The innermost parallel branch enclosing this frame. */
    readonly branch: BranchInfo | undefined,
    /** The address of the run whose body this frame is. */
    readonly address: string | undefined,
    /** The tracing span of the run or group this frame belongs to: the parent of its children's spans. */
    readonly trace: TraceSpan | undefined = undefined,
  ) {}

  /**
   * Reserves a unique name for a child (a run or a group) of this frame: `base` the first time,
   * then `base#2`, `base#3`, … in call order, which is deterministic within one async context.
   */
  claim(base: string): string {
    const claims = (this.#claims ??= new Map());
    const seen = claims.get(base) ?? 0;
    claims.set(base, seen + 1);
    return seen === 0 ? base : `${base}#${seen + 1}`;
  }

  /** The address of a child named `segment`, without its event type. */
  childPath(segment: string): string {
    return this.path === '' ? segment : `${this.path}::${segment}`;
  }
}

export const frameStorage = new AsyncLocalStorage<Frame>();

/**
 * Waits for `promise`; when the current async context is a parallel branch holding a state-wide
 * slot, lends the slot out meanwhile (the work waited on may need it) and takes it back before
 * resolving, so a branch never goes on without its slot. This is what keeps nested groups from
 * deadlocking under `maxConcurrency`.
 */
export function whileLent<T>(promise: Promise<T>): Promise<T> {
  const lend = frameStorage.getStore()?.branch?.lendSlot;
  if (!lend) return promise;
  const takeBack = lend();
  return promise.then(
    async (value) => {
      await takeBack();
      return value;
    },
    async (error: unknown) => {
      await takeBack();
      throw error;
    },
  );
}
