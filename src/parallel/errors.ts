import { CancelledError, RhAgentsError } from '../util/errors.js';
import type { ParallelResult } from './types.js';

/** A group's `timeoutMs` elapsed before its tasks finished. */
export class ParallelTimeoutError extends RhAgentsError {
  override name = 'ParallelTimeoutError';
  constructor(
    readonly groupId: string,
    readonly timeoutMs: number,
    /** Finished tasks' results; unfinished ones are `ok: false`, cancelled. */
    readonly results: ParallelResult[],
    readonly finished: number,
    readonly total: number,
    maxWorkers: number,
  ) {
    super(
      `Parallel group '${groupId}' timed out after ${timeoutMs} ms with ${finished} of ${total} tasks finished. ` +
        `Raise timeoutMs, raise maxWorkers (now ${maxWorkers}), or make the tasks faster; the finished results are on error.results.`,
    );
  }
}

/** A group was cancelled: `cancel()`, a throwing callback, an abandoned `stream()`, or an interrupt. */
export class ParallelCancelledError extends CancelledError {
  override name = 'ParallelCancelledError';
  constructor(
    readonly groupId: string,
    readonly reason: string,
    /** Results of the tasks that finished before; the others are `ok: false`, cancelled. */
    readonly results: ParallelResult[] = [],
    options?: { cause?: unknown },
  ) {
    super(`Parallel group '${groupId}' was cancelled: ${reason}.`, options);
  }
}
