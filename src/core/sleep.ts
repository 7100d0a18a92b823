import { startTimer } from '../util/timer.js';
import type { CancelScope } from './cancel-scope.js';

/**
 * Waits `ms` milliseconds (any finite duration, past Node's timer limit too); rejects with the
 * scope's reason as soon as the scope aborts.
 */
export function sleep(ms: number, scope?: CancelScope): Promise<void> {
  if (scope?.aborted) return Promise.reject(scope.reason);
  return new Promise<void>((resolve, reject) => {
    let removeListener = (): void => {};
    const timer = startTimer(() => {
      removeListener();
      resolve();
    }, ms);
    if (scope) {
      removeListener = scope.onAbort((reason) => {
        timer.clear();
        reject(reason);
      });
    }
  });
}
