import type { CancelScope } from './cancel-scope.js';

/** Waits `ms` milliseconds; rejects with the scope's reason as soon as the scope aborts. */
export function sleep(ms: number, scope?: CancelScope): Promise<void> {
  if (scope?.aborted) return Promise.reject(scope.reason);
  return new Promise<void>((resolve, reject) => {
    let removeListener = (): void => {};
    const timer = setTimeout(() => {
      removeListener();
      resolve();
    }, ms);
    if (scope) {
      removeListener = scope.onAbort((reason) => {
        clearTimeout(timer);
        reject(reason);
      });
    }
  });
}
