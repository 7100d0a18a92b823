/**
 * Section 5 of `npm run bench`: the raw cost of a checkpoint, one `append` of the entry a
 * finished run writes (its `started` and `completed` records, ~530 bytes of JSON), on each state backend
 * with fsync off, at 1 000 and 4 000 appends to one state (compactions included). Flat means the
 * 4 000 figure is within 20% of the 1 000 one: the cost does not grow with the history.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CheckpointEntry,
  FileSystemStateBackend,
  SqliteStateBackend,
  type StateBackend,
  type StateSnapshot,
} from '../src/index.js';
import { collect, fixed, median, table } from './measure.js';

const RUNS = 5;
const SIZES = [1_000, 4_000] as const;

/** The entry a trivial Tool's run appends when it completes in a parallel group. */
export function runEntry(i: number): CheckpointEntry {
  const base = {
    actor: { name: 'Echo', eventType: 'tool_call' as const },
    address: `Bench[${i}]::Echo::tool_call`,
    groupId: 'Bench',
    parallelIndex: i,
    isParallel: true,
    retryAttempt: 1,
  };
  const now = 1_700_000_000_000 + i;
  return {
    records: [
      { ...base, status: 'started', detail: `{"i":${i}}`, timestamp: now },
      {
        ...base,
        status: 'completed',
        executionTimeMs: 0.05,
        detail: String(i),
        result: i,
        timestamp: now,
      },
    ],
    updatedAt: now,
  };
}

function emptySnapshot(stateId: string): StateSnapshot {
  const now = Date.now();
  return {
    format: 'rh-agents/state',
    version: 1,
    stateId,
    createdAt: now,
    updatedAt: now,
    status: 'running',
    metadata: { tags: [] },
    history: [],
    storage: {},
  };
}

type Open = (dir: string, options: { fsync: boolean }) => StateBackend;
const backends: [string, Open][] = [
  ['FileSystemStateBackend', (dir, o) => new FileSystemStateBackend({ dir, ...o })],
  [
    'SqliteStateBackend',
    (dir, o) => new SqliteStateBackend({ file: join(dir, 'states.db'), ...o }),
  ],
];

/**
 * Microseconds per append of `n` appends to a fresh state (wall clock, and CPU time of this
 * process, which a busy machine inflates less), and ms to load it afterwards.
 */
async function once(
  open: Open,
  n: number,
  fsync: boolean,
): Promise<{ us: number; cpuUs: number; loadMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'rh-bench-'));
  const backend = open(dir, { fsync });
  try {
    await backend.save(emptySnapshot('bench'));
    const entries = Array.from({ length: n }, (_, i) => runEntry(i));
    collect();
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (const entry of entries) {
      const pending = backend.append('bench', entry);
      if (pending !== undefined) await pending;
    }
    const us = Number(process.hrtime.bigint() - start) / 1e3 / n;
    const used = process.cpuUsage(cpu);
    const cpuUs = (used.user + used.system) / n;
    const loadStart = process.hrtime.bigint();
    const loaded = await backend.load('bench');
    const loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;
    if (loaded.history.length !== 2 * n)
      throw new Error(`expected ${2 * n} records, loaded ${loaded.history.length}`);
    return { us, cpuUs, loadMs };
  } finally {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface CheckpointFigures {
  /** Per backend name: median µs per append at 1 000 and 4 000 appends. */
  perAppend: Map<string, { at1k: number; at4k: number }>;
  text: string;
}

/** Runs the measurements; returns the table and the figures. */
export async function checkpointCost(): Promise<CheckpointFigures> {
  const samples = new Map<string, { us: number[]; cpuUs: number[]; loadMs: number[] }>();
  const key = (name: string, n: number): string => `${name} ${n}`;
  for (const [, open] of backends) await once(open, 500, false); // warm-up
  for (let run = 0; run < RUNS; run++) {
    for (const [name, open] of backends) {
      for (const n of SIZES) {
        const { us, cpuUs, loadMs } = await once(open, n, false);
        const s = samples.get(key(name, n)) ?? { us: [], cpuUs: [], loadMs: [] };
        s.us.push(us);
        s.cpuUs.push(cpuUs);
        s.loadMs.push(loadMs);
        samples.set(key(name, n), s);
      }
    }
  }
  const perAppend = new Map<string, { at1k: number; at4k: number }>();
  const rows: string[][] = [];
  for (const [name] of backends) {
    const at1k = median(samples.get(key(name, 1_000))?.us ?? []);
    const at4k = median(samples.get(key(name, 4_000))?.us ?? []);
    perAppend.set(name, { at1k, at4k });
    rows.push([
      name,
      fixed(at1k, 2),
      fixed(at4k, 2),
      `${fixed((at4k / at1k - 1) * 100, 0)}%`,
      fixed(median(samples.get(key(name, 1_000))?.cpuUs ?? []), 2),
      fixed(median(samples.get(key(name, 4_000))?.cpuUs ?? []), 2),
      fixed(median(samples.get(key(name, 4_000))?.loadMs ?? []), 1),
    ]);
  }
  // fsync on: one flush per append; a few appends, for scale only.
  const synced: string[][] = [];
  for (const [name, open] of backends) {
    const { us } = await once(open, 50, true);
    synced.push([`${name}, fsync: true (50 appends)`, fixed(us, 0)]);
  }
  const text = [
    table(
      [
        'fsync off, median of 5',
        'µs/append (1 000)',
        'µs/append (4 000)',
        '4k vs 1k',
        'CPU µs (1 000)',
        'CPU µs (4 000)',
        'load 4 000 (ms)',
      ],
      rows,
    ),
    '',
    table(['power-loss safe', 'µs/append'], synced),
  ].join('\n');
  return { perAppend, text };
}
