/** The libraries rh-agents is measured against: each runs `n` tasks on `workers` and returns the results. */
import pLimit from 'p-limit';
import pMap from 'p-map';

export type Contender = (
  n: number,
  workers: number,
  task: (i: number) => Promise<unknown>,
) => Promise<unknown>;

export const pLimitContender: Contender = async (n, workers, task) => {
  const limit = pLimit(workers);
  const promises: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) promises.push(limit(() => task(i)));
  return Promise.all(promises);
};

export const pMapContender: Contender = async (n, workers, task) => {
  const inputs = Array.from({ length: n }, (_, i) => i);
  return pMap(inputs, (i) => task(i), { concurrency: workers });
};

/** The no-op task: a resolved promise of its index. */
export const noop = (i: number): Promise<number> => Promise.resolve(i);

export const NOOP_TASKS = 100_000;
export const NOOP_WORKERS = 5;
export const RUNS = 7;
