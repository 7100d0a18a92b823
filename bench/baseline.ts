/**
 * p-limit and p-map measured in a process where no AsyncLocalStorage is active. Once rh-agents
 * runs a group, Node 20 installs async hooks that every promise of the process pays for, so the
 * in-process figures of `index.ts` are the ones an application using rh-agents sees, and these
 * are the libraries' best case. Spawned by `index.ts`; prints one JSON line per library.
 */
import {
  NOOP_TASKS,
  NOOP_WORKERS,
  RUNS,
  noop,
  pLimitContender,
  pMapContender,
} from './contenders.js';
import { sample } from './measure.js';

for (const [name, run] of [
  ['p-limit', pLimitContender],
  ['p-map', pMapContender],
] as const) {
  const result = await sample(() => run(NOOP_TASKS, NOOP_WORKERS, noop), {
    runs: RUNS,
    warmups: 2,
    units: NOOP_TASKS,
  });
  console.log(JSON.stringify({ name, ...result }));
}
