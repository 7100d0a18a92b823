/**
 * Runs tasks at most `concurrency` at a time, in the order given; unlike p-limit (which waits a
 * microtask), the first ones start synchronously, so runs queued at collection time are already
 * going when the tests begin.
 */
export function startingNow(concurrency: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolvePromise, reject) => {
      const start = () => {
        active++;
        task()
          .then(resolvePromise, reject)
          .finally(() => {
            active--;
            waiting.shift()?.();
          });
      };
      if (active < concurrency) start();
      else waiting.push(start);
    });
}
