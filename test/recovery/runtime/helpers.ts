/**
 * Shared by the runtime recovery tests: both built-in backends (each test opens its own in a temp
 * directory), a counting tool, and the events a state publishes.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { z } from 'zod';
import type { ExecutionState } from '../../../src/index.js';
import {
  type BusEvent,
  type ExecutionRecord,
  FileSystemStateBackend,
  SqliteStateBackend,
  type StateBackend,
  Tool,
} from '../../../src/index.js';
import { tempDir } from '../helpers.js';

/** A backend kind: its name and how to open one at a location under a temp directory. */
export interface BackendKind {
  name: string;
  /** Where the backend lives under `root`: a directory or a database file. */
  locate(root: string): string;
  open(location: string): StateBackend;
}

export const BACKENDS: [string, BackendKind][] = [
  [
    'filesystem',
    {
      name: 'filesystem',
      locate: (root) => join(root, 'states'),
      open: (dir) => new FileSystemStateBackend({ dir, compactEvery: 8 }),
    },
  ],
  [
    'sqlite',
    {
      name: 'sqlite',
      locate: (root) => join(root, 'states.db'),
      open: (file) => new SqliteStateBackend({ file, compactEvery: 8 }),
    },
  ],
];

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A store of the given kind in a fresh temp directory, closed and removed after the test. */
export function store(kind: BackendKind): {
  backend: StateBackend;
  location: string;
  reopen: () => StateBackend;
} {
  const root = tempDir('rh-runtime-');
  const location = kind.locate(root);
  const opened: StateBackend[] = [];
  const reopen = (): StateBackend => {
    const backend = kind.open(location);
    opened.push(backend);
    return backend;
  };
  const backend = reopen();
  cleanups.push(async () => {
    for (const b of opened) await b.close();
    rmSync(root, { recursive: true, force: true });
  });
  return { backend, location, reopen };
}

/** A tool that counts its calls per input `id` and returns `{ id, n }` after `ms`. */
export function counter(
  name = 'Work',
  options: { ms?: number; fail?: (id: number) => boolean; result?: (id: number) => unknown } = {},
) {
  const calls: number[] = [];
  const tool = new Tool({
    name,
    inputSchema: z.object({ id: z.number() }),
    retry: { enabled: false },
    handler: async ({ id }, _context, state) => {
      calls.push(id);
      if (options.ms) await sleep(options.ms, state.signal);
      if (options.fail?.(id)) throw new Error(`${name} ${id} failed`);
      return options.result ? options.result(id) : { id, n: id * 10 };
    },
  });
  return { tool, calls };
}

/** Resolves after `ms`, or rejects when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Every event the state publishes from now on. */
export function collect(state: ExecutionState): BusEvent[] {
  const events: BusEvent[] = [];
  state.eventBus.subscribe((event) => void events.push(event));
  return events;
}

/** The execution records among `events`. */
export function records(events: readonly BusEvent[]): ExecutionRecord[] {
  return events.filter((e): e is ExecutionRecord => e.kind === 'execution');
}
