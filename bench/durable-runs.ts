/**
 * Section 8 of `npm run bench`: durable runs. A trivial Tool runs 1 000 and 4 000 times in one
 * group of 50 workers on a state with a backend (`checkpoint: 'event'`: every run is appended to
 * the store before its promise resolves), against the same runs on a state without one. The
 * difference per run is what a checkpoint costs on the run path (converting the run's records to
 * JSON, the append, the bookkeeping; the state's first save, once per state, is made before the
 * clock starts); flat means the 4 000 figure is within 20% of the 1 000 one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ExecutionState,
  FileSystemStateBackend,
  SqliteStateBackend,
  type StateBackend,
} from '../src/index.js';
import { echoRun } from './echo.js';
import { collect, fixed, median, table } from './measure.js';

const RUNS = 7;
const SIZES = [1_000, 4_000] as const;
const WORKERS = 50;

type Open = ((dir: string) => StateBackend) | undefined;
const variants: [string, Open][] = [
  ['no backend', undefined],
  ['FileSystemStateBackend', (dir) => new FileSystemStateBackend({ dir })],
  ['SqliteStateBackend', (dir) => new SqliteStateBackend({ file: join(dir, 'states.db') })],
];

/**
 * Microseconds per run of `n` runs in one group on a fresh state (with a fresh store): wall clock,
 * and CPU time of this process (which a machine busy with other work inflates less).
 */
async function once(open: Open, n: number): Promise<{ us: number; cpuUs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'rh-bench-durable-'));
  const stateBackend = open?.(dir);
  try {
    const state = new ExecutionState({ stateBackend });
    // One run first: the state's first checkpoint saves it whole (a cost per state, not per run).
    await echoRun.run({ i: -1 }, undefined, state);
    collect();
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    const p = state.parallel({ maxWorkers: WORKERS });
    for (let i = 0; i < n; i++) p.add(echoRun.run({ i }, undefined, state));
    const results = await p.gather();
    const us = Number(process.hrtime.bigint() - start) / 1e3 / n;
    const used = process.cpuUsage(cpu);
    const cpuUs = (used.user + used.system) / n;
    if (results.length !== n || !results.every((r) => r.ok)) throw new Error('a run failed');
    if (stateBackend) {
      const stored = await stateBackend.load(state.stateId);
      if (stored.history.length !== 2 * (n + 1))
        throw new Error(`expected ${2 * (n + 1)} records, stored ${stored.history.length}`);
    }
    return { us, cpuUs };
  } finally {
    await stateBackend?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface DurableFigures {
  /** Per backend name: the median checkpoint cost per run (µs over the same runs without a backend). */
  perRun: Map<string, { at1k: number; at4k: number; cpu1k: number; cpu4k: number }>;
  text: string;
}

export async function durableRuns(): Promise<DurableFigures> {
  const samples = new Map<string, { us: number[]; cpuUs: number[] }>();
  const key = (name: string, n: number): string => `${name} ${n}`;
  // Warm-up: enough runs of every variant that the JIT has settled before anything is measured
  // (with one pass, the 1 000-run figures, measured first, still paid for compiling).
  for (let pass = 0; pass < 3; pass++) for (const [, open] of variants) await once(open, 2_000);
  for (let run = 0; run < RUNS; run++) {
    for (const n of SIZES) {
      for (const [name, open] of variants) {
        const s = samples.get(key(name, n)) ?? { us: [], cpuUs: [] };
        const { us, cpuUs } = await once(open, n);
        s.us.push(us);
        s.cpuUs.push(cpuUs);
        samples.set(key(name, n), s);
      }
    }
  }
  const at = (name: string, n: number, what: 'us' | 'cpuUs' = 'us'): number =>
    median(samples.get(key(name, n))?.[what] ?? []);
  const perRun: DurableFigures['perRun'] = new Map();
  const rows: string[][] = [];
  for (const [name] of variants) {
    const row = [name, fixed(at(name, 1_000), 2), fixed(at(name, 4_000), 2)];
    if (name !== 'no backend') {
      const cost = {
        at1k: at(name, 1_000) - at('no backend', 1_000),
        at4k: at(name, 4_000) - at('no backend', 4_000),
        cpu1k: at(name, 1_000, 'cpuUs') - at('no backend', 1_000, 'cpuUs'),
        cpu4k: at(name, 4_000, 'cpuUs') - at('no backend', 4_000, 'cpuUs'),
      };
      perRun.set(name, cost);
      row.push(
        fixed(cost.at1k, 2),
        fixed(cost.at4k, 2),
        `${fixed((cost.at4k / cost.at1k - 1) * 100, 0)}%`,
        fixed(cost.cpu1k, 2),
        fixed(cost.cpu4k, 2),
      );
    } else row.push('', '', '', '', '');
    rows.push(row);
  }
  const text = table(
    [
      `median of ${RUNS}`,
      'µs/run (1 000)',
      'µs/run (4 000)',
      'checkpoint µs/run (1 000)',
      'checkpoint µs/run (4 000)',
      '4k vs 1k',
      'checkpoint CPU µs (1 000)',
      'checkpoint CPU µs (4 000)',
    ],
    rows,
  );
  return { perRun, text };
}
