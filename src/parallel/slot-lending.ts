import type { ConcurrencyLimiter } from './limiter.js';
import type { TaskRecord } from './task.js';

/**
 * Lends a branch's state-wide slot while it waits on a nested group (the nested work may need the
 * slot), and returns the function that takes it back before the branch goes on. This is what keeps
 * nested groups from deadlocking under `maxConcurrency`.
 *
 * A branch may wait on several nested groups at once: the first lends the slot, the last takes it
 * back. A branch that already settled (it did not await its nested group) takes nothing back, or
 * the slot would be lost for good.
 */
export function lendSlot(task: TaskRecord, limiter: ConcurrencyLimiter): () => Promise<void> {
  if (task.lends++ === 0 && task.holdsSlot) {
    task.holdsSlot = false;
    limiter.release();
  }
  let returned = false;
  return async () => {
    if (returned) return;
    returned = true;
    if (--task.lends > 0 || task.holdsSlot || task.fn === undefined) return;
    await limiter.reacquire();
    if (task.lends > 0 || task.holdsSlot || task.fn === undefined) limiter.release();
    else task.holdsSlot = true;
  };
}
