/** Stores of states for the command-line tests, and the `rh-agents` bin run in a child process. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import {
  FileSystemStateBackend,
  SqliteStateBackend,
  type StateBackend,
  type StateSnapshot,
} from '../../src/index.js';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The command line's entry, run through the same loader as `node --import tsx`. */
export const bin = join(root, 'src', 'cli', 'bin.ts');
const tsx = join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs');

export function tempDir(prefix = 'rh-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A stored state with one completed run. */
export function snapshot(
  stateId: string,
  updatedAt: number,
  extra: { pipeline?: string; tags?: string[]; status?: StateSnapshot['status'] } = {},
): StateSnapshot {
  return {
    format: 'rh-agents/state',
    version: 1,
    stateId,
    createdAt: updatedAt - 60_000,
    updatedAt,
    status: extra.status ?? 'completed',
    metadata: {
      ...(extra.pipeline === undefined ? {} : { pipeline: extra.pipeline }),
      tags: extra.tags ?? [],
    },
    history: [
      {
        actor: { name: 'Fetch', eventType: 'tool_call' },
        address: 'Fetch::tool_call',
        status: 'completed',
        executionTimeMs: 12,
        isParallel: false,
        retryAttempt: 1,
        timestamp: updatedAt,
        result: { ok: true },
      },
    ],
    storage: {},
  };
}

/** 2023-11-14 22:18:20 UTC, and the three states every store of these tests holds. */
export const T0 = 1_700_000_300_000;
export const STATES = [
  snapshot('report-1', T0, { pipeline: 'reports', tags: ['nightly', 'eu'] }),
  snapshot('crawl_2', T0 - 100_000, { pipeline: 'crawl', tags: ['nightly'], status: 'failed' }),
  snapshot('adhoc-3', T0 - 200_000, { status: 'running' }),
];

async function fill(backend: StateBackend, states: readonly StateSnapshot[]): Promise<void> {
  try {
    // Oldest first, so the listing's order is not the order of saving.
    for (const state of [...states].reverse()) await backend.save(state);
  } finally {
    await backend.close();
  }
}

/** A FileSystemStateBackend directory holding `states`. */
export async function directoryStore(states = STATES): Promise<string> {
  const dir = join(tempDir(), 'states');
  await fill(new FileSystemStateBackend({ dir }), states);
  return dir;
}

/** A SqliteStateBackend file holding `states`. */
export async function sqliteStore(states = STATES, name = 'states.db'): Promise<string> {
  const file = join(tempDir(), name);
  await fill(new SqliteStateBackend({ file }), states);
  return file;
}

/**
 * A directory store and a SQLite store holding STATES, as `stores.directory` and `stores.sqlite`:
 * made before the file's tests, removed after them.
 */
export function useStores(): Record<string, string> {
  const stores: Record<string, string> = {};
  beforeAll(async () => {
    stores.directory = await directoryStore();
    stores.sqlite = await sqliteStore();
  });
  afterAll(() => {
    for (const path of Object.values(stores))
      rmSync(dirname(path), { recursive: true, force: true });
  });
  return stores;
}

export interface BinResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `rh-agents <args>` to its end. */
export function runBin(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): BinResult {
  const child = spawnSync(process.execPath, ['--import', tsx, bin, ...args], {
    cwd: options.cwd ?? root,
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, TZ: 'UTC', NO_COLOR: '1', ...options.env },
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** A running `rh-agents view`: its URL once printed, and how to stop it. */
export interface RunningView {
  url: string;
  stdout(): string;
  stderr(): string;
  /** Sends `signal` and resolves to the exit code and signal. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `rh-agents view <args>` and resolves once it printed its URL (rejects if it exits first). */
export function startView(
  args: string[],
  options: { env?: Record<string, string> } = {},
): Promise<RunningView> {
  const child = spawn(process.execPath, ['--import', tsx, bin, 'view', ...args], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`rh-agents view printed no URL in 15 s: ${out}${err}`));
    }, 15_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const url = /^ {2}(http:\/\/\S+)$/m.exec(out)?.[1];
      if (url !== undefined && out.includes('Press Ctrl-C')) {
        clearTimeout(timer);
        resolvePromise({
          url,
          stdout: () => out,
          stderr: () => err,
          stop: (signal) => {
            child.kill(signal);
            return exited;
          },
        });
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`rh-agents view exited with ${code} before printing a URL: ${out}${err}`));
    });
  });
}
