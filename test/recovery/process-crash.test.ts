/**
 * Real processes: a child appending in a loop is killed with SIGKILL, and the state it leaves
 * loads, holding every append that had returned before the kill (and nothing out of order);
 * two processes writing two states of one store at once do not mix them.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSystemStateBackend, SqliteStateBackend, type StateBackend } from '../../src/index.js';
import { startScript, tempDir } from './helpers.js';

const script = resolve('test/recovery/fixtures/append-loop.ts');

/** Starts the child; `printed()` gives the indexes it printed on complete lines. */
function start(kind: string, location: string, stateId: string, count: string) {
  const run = startScript(script, [kind, location, stateId, count]);
  return { ...run, printed: (): number[] => run.lines().map(Number) };
}

async function waitFor(condition: () => boolean, child: ChildProcess, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (child.exitCode !== null) throw new Error(`the child exited early with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('the child did not get that far in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The indexes of the completed runs in a loaded state. */
const completed = async (backend: StateBackend, stateId: string): Promise<number[]> =>
  (await backend.load(stateId)).history
    .filter((r) => r.status === 'completed')
    .map((r) => r.parallelIndex as number);

const kinds: [string, (dir: string) => string, (location: string) => StateBackend][] = [
  ['fs', (dir) => join(dir, 'states'), (dir) => new FileSystemStateBackend({ dir })],
  ['sqlite', (dir) => join(dir, 'states.db'), (file) => new SqliteStateBackend({ file })],
];

let root: string;
beforeEach(() => {
  root = tempDir();
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe.each(kinds)('%s backend', (kind, locate, open) => {
  it('kill -9 of a process appending in a loop loses no append that had returned', async () => {
    const location = locate(root);
    for (const [round, killAfter] of [
      [0, 40],
      [1, 233],
      [2, 517],
    ] as const) {
      const stateId = `crash-${round}`;
      const run = start(kind, location, stateId, 'forever');
      await waitFor(() => run.printed().length >= killAfter, run.child);
      run.child.kill('SIGKILL');
      expect(await run.exited).toBe(null);
      const printed = run.printed();
      const backend = open(location);
      const stored = await completed(backend, stateId);
      // Every printed append is stored, in order, and nothing else but the one in flight.
      expect(stored.slice(0, printed.length)).toEqual(printed);
      expect(stored).toEqual(Array.from({ length: stored.length }, (_, i) => i));
      expect(stored.length - printed.length).toBeLessThanOrEqual(1);
      // The state takes appends again after the crash.
      const more = start(kind, location, stateId, '3');
      expect(await more.exited).toBe(0);
      expect((await completed(backend, stateId)).length).toBe(stored.length + 3);
      await backend.close();
    }
  }, 120_000);

  it('two processes writing two states of one store at once keep them apart', async () => {
    const location = locate(root);
    const a = start(kind, location, 'proc-a', '200');
    const b = start(kind, location, 'proc-b', '200');
    expect([await a.exited, await b.exited], a.stderr() + b.stderr()).toEqual([0, 0]);
    const backend = open(location);
    const expected = Array.from({ length: 200 }, (_, i) => i);
    expect(await completed(backend, 'proc-a')).toEqual(expected);
    expect(await completed(backend, 'proc-b')).toEqual(expected);
    expect((await backend.list()).map((s) => s.stateId).sort()).toEqual(['proc-a', 'proc-b']);
    await backend.close();
  }, 120_000);
});
