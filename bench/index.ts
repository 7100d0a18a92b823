/**
 * `npm run bench`: rh-agents' parallel scheduler side by side with p-limit and p-map, in one
 * process. Not part of `npm test`. Run with `--expose-gc` (the npm script does) for heap figures.
 *
 *   1. per-task scheduling cost of 100 000 no-op tasks on 5 workers (ns/task, heap/task)
 *   2. wall time of 100 tasks of 20 ms on 10 workers against the ideal 200 ms
 *   3. overhead per group, and 5 independent 50 ms tasks sequential vs parallel
 *   4. per-run cost of 10 000 actor runs (`event.run(…)` of a Tool) in one group
 *   5. rate limits: 1 500 ChatLLM calls on 200 workers against a loopback server enforcing
 *      100 requests/s, with an AdaptiveLimiter, against p-limit(200) with a Retry-After loop
 *   6. raw checkpoint cost: one append per finished run on each state backend (checkpoints.ts)
 *   7. tracing: per-task and per-run cost with tracing off and with otelTracing() (tracing.ts)
 *   8. durable runs: Tool runs in groups of 50 workers checkpointed per run on each state backend,
 *      against the same runs without one (durable-runs.ts)
 *   9. distributed: 5 000 tiny remote tasks on 2 BullMQ worker processes, rh-agents against raw
 *      BullMQ (distributed.ts; skipped without Redis at 127.0.0.1:6379)
 *
 * `npm run bench -- 6 8` (or BENCH_SECTIONS=6,8) runs only the sections given.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import { ExecutionState } from '../src/index.js';
import {
  type Contender,
  NOOP_TASKS,
  NOOP_WORKERS,
  RUNS,
  noop,
  pLimitContender,
  pMapContender,
} from './contenders.js';
import { checkpointCost } from './checkpoints.js';
import { type DurableFigures, durableRuns } from './durable-runs.js';
import { type Sample, compare, fixed, hasGc, sleepMs, table } from './measure.js';
import { echoRun } from './echo.js';
import { rateLimitBench } from './rate-limits.js';
import { tracingCost } from './tracing.js';
import { distributedBench } from './distributed.js';

// ---- rh-agents: each runs `n` tasks on `workers` and returns the results ---------------------

const rhAgents: Contender = async (n, workers, task) => {
  const state = new ExecutionState();
  const p = state.parallel({ maxWorkers: workers });
  for (let i = 0; i < n; i++) p.add(() => task(i));
  return p.gather();
};

/** With a state-wide `maxConcurrency`: every task also takes and frees a state slot. */
const rhAgentsLimited: Contender = async (n, workers, task) => {
  const state = new ExecutionState({ maxConcurrency: workers });
  const p = state.parallel({ maxWorkers: workers });
  for (let i = 0; i < n; i++) p.add(() => task(i));
  return p.gather();
};

/** With a bus subscriber: the group then publishes one `task` event per task. */
const rhAgentsSubscribed: Contender = async (n, workers, task) => {
  const state = new ExecutionState();
  let events = 0;
  state.eventBus.subscribe(() => void events++);
  const p = state.parallel({ maxWorkers: workers });
  for (let i = 0; i < n; i++) p.add(() => task(i));
  return p.gather();
};

/** p-limit and p-map in a fresh process with no AsyncLocalStorage active (see baseline.ts). */
function baseline(): Map<string, Sample> {
  const file = fileURLToPath(new URL('./baseline.ts', import.meta.url));
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', file], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    encoding: 'utf8',
    timeout: 60_000,
  });
  const samples = new Map<string, Sample>();
  if (child.status !== 0) {
    console.error(`(baseline process failed: ${child.stderr || child.error?.message})`);
    return samples;
  }
  for (const line of child.stdout.trim().split('\n')) {
    const { name, ...rest } = JSON.parse(line) as Sample & { name: string };
    samples.set(name, rest);
  }
  return samples;
}

// ---- 1. per-task scheduling cost ------------------------------------------------------------

async function perTaskCost(): Promise<{ text: string; ratio: number }> {
  const contenders: [string, Contender][] = [
    ['p-limit', pLimitContender],
    ['p-map', pMapContender],
    ['rh-agents', rhAgents],
    ['rh-agents, maxConcurrency: 5', rhAgentsLimited],
    ['rh-agents, a bus subscriber', rhAgentsSubscribed],
  ];
  const samples = await compare(
    contenders.map(
      ([, run]) =>
        () =>
          run(NOOP_TASKS, NOOP_WORKERS, noop),
    ),
    { runs: RUNS, warmups: 2, units: NOOP_TASKS },
  );
  const alone = baseline();
  const rows: [string, Sample | undefined][] = [
    ...contenders.map(([name], i): [string, Sample | undefined] => [name, samples[i]]),
    ['p-limit, own process (no AsyncLocalStorage)', alone.get('p-limit')],
    ['p-map, own process (no AsyncLocalStorage)', alone.get('p-map')],
  ];
  const limit = samples[0] as Sample;
  const limitAlone = alone.get('p-limit');
  const ns = (ms: number): string => fixed((ms * 1e6) / NOOP_TASKS, 0);
  const text = table(
    [
      'library',
      'ns/task',
      'best',
      'vs p-limit',
      'vs p-limit alone',
      'heap B/task held',
      'after release',
    ],
    rows
      .filter((row): row is [string, Sample] => row[1] !== undefined)
      .map(([name, r]) => [
        name,
        ns(r.medianMs),
        ns(r.minMs),
        `${fixed(r.medianMs / limit.medianMs, 2)}x`,
        limitAlone ? `${fixed(r.medianMs / limitAlone.medianMs, 2)}x` : '-',
        fixed(r.heldBytesPerUnit, 0),
        fixed(r.leakedBytesPerUnit, 0),
      ]),
  );
  return { text, ratio: (samples[2] as Sample).medianMs / limit.medianMs };
}

// ---- 2. wall time of 100 x 20 ms on 10 workers ----------------------------------------------

const IDEAL_MS = 200;

async function wallTime(): Promise<{ text: string; overIdeal: number }> {
  const sleeper = (): Promise<void> => sleepMs(20);
  const contenders: [string, () => Promise<unknown>][] = [
    ['p-limit', () => pLimitContender(100, 10, sleeper)],
    ['p-map', () => pMapContender(100, 10, sleeper)],
    ['rh-agents', () => rhAgents(100, 10, sleeper)],
    // The floor: 10 rounds of one bare 20 ms timer, which is all any scheduler can do.
    [
      '10 bare 20 ms timers in a row',
      async () => {
        for (let r = 0; r < 10; r++) await sleepMs(20);
      },
    ],
  ];
  const samples = await compare(
    contenders.map(([, fn]) => fn),
    { runs: 7, warmups: 1, units: 100 },
  );
  const over = (ms: number): number => (ms / IDEAL_MS - 1) * 100;
  const text = table(
    ['100 x 20 ms on 10 workers', 'ms (median)', 'ms (best)', 'over the 200 ms ideal'],
    contenders.map(([name], i) => {
      const r = samples[i] as Sample;
      return [name, fixed(r.medianMs), fixed(r.minMs), `${fixed(over(r.medianMs))}%`];
    }),
  );
  return { text, overIdeal: over((samples[2] as Sample).medianMs) };
}

// ---- 3. overhead per group ------------------------------------------------------------------

async function groupOverhead(): Promise<string> {
  const state = new ExecutionState();
  const N = 10_000;
  const repeat = (fn: () => Promise<unknown>) => async (): Promise<void> => {
    for (let i = 0; i < N; i++) await fn();
  };
  const variants: [string, () => Promise<unknown>][] = [
    ['empty group: parallel() + gather()', () => state.parallel().gather()],
    [
      'single-task group: add + gather',
      () => {
        const p = state.parallel();
        p.add(() => Promise.resolve(1));
        return p.gather();
      },
    ],
    [
      'single-task group, callback form',
      () =>
        state.parallel({}, (p) => {
          p.add(() => Promise.resolve(1));
        }),
    ],
    [
      'single-task group, await using',
      async () => {
        await using p = state.parallel();
        p.add(() => Promise.resolve(1));
      },
    ],
    ['p-limit: pLimit(5) + 1 task (reference)', () => pLimit(5)(() => Promise.resolve(1))],
  ];
  const groups = await compare(
    variants.map(([, fn]) => repeat(fn)),
    { runs: 5, warmups: 1, units: N },
  );
  const us = (ms: number): string => fixed((ms * 1000) / N, 2);

  const task = (): Promise<void> => sleepMs(50);
  const [seq, par] = await compare(
    [
      async () => {
        for (let i = 0; i < 5; i++) await task();
      },
      () =>
        state.parallel({ maxWorkers: 5 }, (p) => {
          for (let i = 0; i < 5; i++) p.add(task);
        }),
    ],
    { runs: 3, warmups: 1, units: 5 },
  );
  const sequential = (seq as Sample).medianMs;
  const parallel = (par as Sample).medianMs;
  return [
    table(
      ['group', 'µs/group (median)', 'best'],
      variants.map(([name], i) => {
        const r = groups[i] as Sample;
        return [name, us(r.medianMs), us(r.minMs)];
      }),
    ),
    '',
    table(
      ['5 independent 50 ms tasks', 'ms', 'speed-up'],
      [
        ['sequential (await one after another)', fixed(sequential), '1.0x'],
        ['parallel({ maxWorkers: 5 })', fixed(parallel), `${fixed(sequential / parallel)}x`],
      ],
    ),
  ].join('\n');
}

// ---- 4. actor runs in a group ---------------------------------------------------------------

async function actorRuns(): Promise<string> {
  const N = 10_000;
  const grouped = async (): Promise<unknown> => {
    const state = new ExecutionState();
    const p = state.parallel({ maxWorkers: 5 });
    for (let i = 0; i < N; i++) p.add(echoRun.run({ i }, undefined, state));
    return p.gather();
  };
  const sequential = async (): Promise<unknown> => {
    const state = new ExecutionState();
    const out: unknown[] = [];
    for (let i = 0; i < N; i++) out.push(await echoRun.run({ i }, undefined, state));
    return out;
  };
  const [s, g] = (await compare([sequential, grouped], { runs: 5, warmups: 1, units: N })) as [
    Sample,
    Sample,
  ];
  return table(
    ['10 000 Tool runs (retry off)', 'µs/run (median)', 'heap B/run (held results + history)'],
    [
      [
        'sequential: await event.run(…)',
        fixed((s.medianMs * 1000) / N, 2),
        fixed(s.heldBytesPerUnit, 0),
      ],
      ['in one group, 5 workers', fixed((g.medianMs * 1000) / N, 2), fixed(g.heldBytesPerUnit, 0)],
    ],
  );
}

/** The sections to run: the numbers given as arguments or in BENCH_SECTIONS, else all. */
const only = new Set(
  [...process.argv.slice(2), ...(process.env.BENCH_SECTIONS ?? '').split(',')]
    .map((arg) => arg.trim())
    .filter((arg) => /^\d+$/.test(arg))
    .map(Number),
);
const wanted = (section: number): boolean => only.size === 0 || only.has(section);

async function main(): Promise<void> {
  const started = Date.now();
  console.log(
    `rh-agents benchmark: node ${process.version}, ${process.platform}/${process.arch}, ${availableParallelism()} cores` +
      (hasGc ? '' : ' (run with --expose-gc for exact heap figures)') +
      (only.size > 0 ? `; sections ${[...only].join(', ')} only` : ''),
  );
  let perTask: { text: string; ratio: number } | undefined;
  if (wanted(1)) {
    console.log(
      `\n1. Per-task scheduling cost: ${NOOP_TASKS.toLocaleString('en-US')} no-op tasks on ${NOOP_WORKERS} workers, then gather; median of ${RUNS} interleaved runs after warm-up.\n` +
        '   Once rh-agents ran, AsyncLocalStorage is active and every promise of the process pays its hooks\n' +
        '   (as in any application using rh-agents); the "own process" rows are p-limit and p-map without them.\n',
    );
    perTask = await perTaskCost();
    console.log(perTask.text);
  }
  let wall: { text: string; overIdeal: number } | undefined;
  if (wanted(2)) {
    console.log('\n2. Wall time: 100 tasks of 20 ms (setTimeout) on 10 workers, ideal 200 ms\n');
    wall = await wallTime();
    console.log(wall.text);
  }
  if (wanted(3)) {
    console.log('\n3. Overhead per group\n');
    console.log(await groupOverhead());
  }
  if (wanted(4)) {
    console.log('\n4. Per-run cost of actor runs (Tool with a zod input schema, retry disabled)\n');
    console.log(await actorRuns());
  }
  let limits: Awaited<ReturnType<typeof rateLimitBench>> | undefined;
  if (wanted(5)) {
    console.log(
      '\n5. Rate limits: 1 500 ChatLLM calls in one group of 200 workers; a loopback OpenAI-compatible server\n' +
        '   enforces 100 requests/s (429 with retry-after-ms beyond it) and answers in 100 ms (takes about 40 s)\n',
    );
    limits = await rateLimitBench();
    console.log(limits.text);
  }
  let checkpoints: Awaited<ReturnType<typeof checkpointCost>> | undefined;
  if (wanted(6)) {
    console.log(
      '\n6. Raw checkpoint cost: append() of one finished run (started + completed records, ~530 bytes) to one state\n',
    );
    checkpoints = await checkpointCost();
    console.log(checkpoints.text);
  }
  let tracing: Awaited<ReturnType<typeof tracingCost>> | undefined;
  if (wanted(7)) {
    console.log(
      '\n7. Tracing: 100 000 no-op tasks on 5 workers, and 10 000 Tool runs in one group of 5 workers,\n' +
        '   with tracing off and with otelTracing() (a span per run and per group)\n',
    );
    tracing = await tracingCost();
    console.log(tracing.text);
  }
  let durable: DurableFigures | undefined;
  if (wanted(8)) {
    console.log(
      '\n8. Durable runs: a trivial Tool run 1 000 and 4 000 times in one group of 50 workers, each run checkpointed\n' +
        "   (checkpoint: 'event', fsync off) before its promise resolves, against the same runs without a backend\n",
    );
    durable = await durableRuns();
    console.log(durable.text);
  }
  let distributed: Awaited<ReturnType<typeof distributedBench>> | undefined;
  if (wanted(9)) {
    console.log(
      '\n9. Distributed: 5 000 tiny remote tasks over 2 BullMQ worker processes (concurrency 50 each), median of 3\n',
    );
    distributed = await distributedBench();
    console.log(distributed.text);
  }
  const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  console.log('');
  if (perTask && wall) {
    console.log(
      `Targets (issue 3): per-task cost at most p-limit's: ${verdict(perTask.ratio <= 1)} (${fixed(perTask.ratio, 2)}x); ` +
        `100 x 20 ms within 5% of 200 ms: ${verdict(wall.overIdeal <= 5)} (+${fixed(wall.overIdeal)}%).`,
    );
  }
  if (limits) {
    console.log(
      `Targets (issue 10): at least 90% of the server's limit: ${verdict(limits.adaptive.ofLimit >= 0.9)} (${fixed(limits.adaptive.ofLimit * 100)}%); ` +
        `under 5% refused with 429: ${verdict(limits.adaptive.refusedShare < 0.05)} (${fixed(limits.adaptive.refusedShare * 100)}%; baseline ${fixed(limits.baseline.ofLimit * 100)}% of the limit, ${fixed(limits.baseline.refusedShare * 100)}% refused).`,
    );
  }
  const flat = (c: { at1k: number; at4k: number }): boolean => c.at4k <= c.at1k * 1.2;
  const fsCost = checkpoints?.perAppend.get('FileSystemStateBackend');
  const sqliteCost = checkpoints?.perAppend.get('SqliteStateBackend');
  if (fsCost && sqliteCost) {
    console.log(
      `Checkpoints (issue 9, raw append): ` +
        `filesystem ${fixed(fsCost.at4k, 1)} µs, flat: ${verdict(flat(fsCost))}; ` +
        `SQLite ${fixed(sqliteCost.at4k, 1)} µs, flat: ${verdict(flat(sqliteCost))}.`,
    );
  }
  const within20 = (c: { at1k: number; at4k: number }): boolean =>
    Math.abs(c.at4k / c.at1k - 1) <= 0.2;
  const fsRun = durable?.perRun.get('FileSystemStateBackend');
  const sqliteRun = durable?.perRun.get('SqliteStateBackend');
  if (fsRun && sqliteRun) {
    console.log(
      `Durable runs (issue 9, checkpoint cost per run under 50 µs on the filesystem, 30 µs on SQLite, flat): ` +
        `filesystem ${verdict(fsRun.at4k < 50)} (${fixed(fsRun.at1k, 1)} µs at 1k, ${fixed(fsRun.at4k, 1)} µs at 4k; CPU ${fixed(fsRun.cpu1k, 1)}, ${fixed(fsRun.cpu4k, 1)} µs), flat: ${verdict(within20(fsRun))}; ` +
        `SQLite ${verdict(sqliteRun.at4k < 30)} (${fixed(sqliteRun.at1k, 1)} µs at 1k, ${fixed(sqliteRun.at4k, 1)} µs at 4k; CPU ${fixed(sqliteRun.cpu1k, 1)}, ${fixed(sqliteRun.cpu4k, 1)} µs), flat: ${verdict(within20(sqliteRun))}.`,
    );
  }
  if (tracing) {
    console.log(
      `Tracing (issue 11): no cost on the per-task path: ${verdict(tracing.perTaskOnOff <= 1.05)} (tracing on ${fixed(tracing.perTaskOnOff, 2)}x off).`,
    );
  }
  if (distributed?.ratio !== undefined) {
    console.log(
      `Distributed (issue 12): at least 0.67x raw BullMQ's throughput: ${verdict(distributed.ratio >= 0.67)} (${fixed(distributed.ratio, 2)}x).`,
    );
  }
  console.log(`Done in ${fixed((Date.now() - started) / 1000)} s.`);
}

await main();
