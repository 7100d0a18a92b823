/**
 * The crash guarantee with real processes, on both backends: a child runs a group of slow tasks
 * checkpointed per run and is killed with SIGKILL part way; a fresh process loads the state and
 * runs the same program. No branch whose run had resolved before the kill runs again, and every
 * branch ends with a result.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startScript } from '../helpers.js';
import { BACKENDS, store } from './helpers.js';

const script = resolve('test/recovery/runtime/fixtures/crash-group.ts');

const start = (args: string[]) => startScript(script, args);

async function waitFor(condition: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe.each(BACKENDS)('%s backend: kill -9 part way, then resume', (_name, kind) => {
  it('no branch whose run had resolved runs again, and every branch ends with a result', async () => {
    const { location, backend } = store(kind);
    await backend.close(); // the children open their own
    const arg = kind.name === 'filesystem' ? 'fs' : 'sqlite';
    const calls = join(resolve(location, '..'), 'calls.txt');
    writeFileSync(calls, '');

    const first = start([arg, location, 'crashed', calls, 'new', '150']);
    const done = () => first.lines().filter((l) => l.startsWith('done '));
    await waitFor(() => done().length >= 4 || first.child.exitCode !== null, '4 branches');
    expect(first.child.exitCode, first.stderr()).toBe(null);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe(null);
    const resolvedBefore = done().map((l) => Number(l.slice(5)));
    expect(resolvedBefore.length).toBeGreaterThanOrEqual(4);
    expect(resolvedBefore.length).toBeLessThan(12); // killed part way

    const second = start([arg, location, 'crashed', calls, 'resume', '5']);
    expect(await second.exited, second.stderr()).toBe(0);
    const result = second.lines().find((l) => l.startsWith('result '));
    expect(JSON.parse((result as string).slice(7))).toEqual(
      Array.from({ length: 12 }, (_, id) => ({ id, square: id * id })),
    );
    const counts = new Map<number, number>();
    for (const line of readFileSync(calls, 'utf8').split('\n').filter(Boolean)) {
      const id = Number(line.slice(5));
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const id of resolvedBefore) expect(counts.get(id), `branch ${id}`).toBe(1);
    // Every branch ran at least once; those that had not resolved ran again in the second process.
    for (let id = 0; id < 12; id++) expect(counts.get(id) ?? 0).toBeGreaterThanOrEqual(1);
    const rerun = second.lines().filter((l) => l.startsWith('done ')).length;
    expect(rerun).toBe(12); // every branch resolves in the second process, replayed or run
  });
});
