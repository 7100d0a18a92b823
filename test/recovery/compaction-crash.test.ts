/**
 * A crash in the middle of a compaction (folding the log into the base), at each step: the files
 * as the fold leaves them after each write or rename load the same state, never an entry twice,
 * and appends after the restart continue it.
 */
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSystemStateBackend, type StateSnapshot } from '../../src/index.js';
import { tempDir } from './helpers.js';
import { runEntry, sampleSnapshot } from './samples.js';

const N = 9;
let root: string;
/** Before the fold: the old base and the log of entries 1..N. */
let before: string;
/** After the fold: the new base (sequence N) and an empty log. */
let after: string;
let expected: StateSnapshot;

async function write(dir: string, compactEvery: number): Promise<void> {
  const backend = new FileSystemStateBackend({ dir, compactEvery });
  await backend.save(sampleSnapshot('s'));
  for (let i = 0; i < N; i++) backend.append('s', runEntry(i));
  await backend.close();
}

beforeEach(async () => {
  root = tempDir();
  before = join(root, 'before');
  after = join(root, 'after');
  await write(before, Infinity);
  await write(after, N);
  const reader = new FileSystemStateBackend({ dir: before });
  expected = await reader.load('s');
  await reader.close();
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A directory holding the given files, each copied from `before` or `after` or written as given. */
function assemble(files: Record<string, [from: string, name: string] | string>): string {
  const dir = join(root, `crash-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir);
  for (const [name, source] of Object.entries(files)) {
    if (typeof source === 'string') writeFileSync(join(dir, name), source);
    else copyFileSync(join(source[0], source[1]), join(dir, name));
  }
  return dir;
}

const BASE = 's.state.jsonl';
const LOG = 's.log.jsonl';

describe('a crash during compaction', () => {
  it('is really between these file states (the fixtures are what a fold writes)', () => {
    expect(JSON.parse(readFileSync(join(before, BASE), 'utf8').split('\n')[0] as string).seq).toBe(
      0,
    );
    expect(readFileSync(join(before, LOG), 'utf8').split('\n')).toHaveLength(N + 1);
    expect(JSON.parse(readFileSync(join(after, BASE), 'utf8').split('\n')[0] as string).seq).toBe(
      N,
    );
    expect(readFileSync(join(after, LOG), 'utf8')).toBe('');
    expect(expected.history).toHaveLength(1 + 2 * N);
  });

  const steps: [string, () => Record<string, [string, string] | string>][] = [
    [
      'while writing the new base to its temp file',
      () => ({
        [BASE]: [before, BASE],
        [LOG]: [before, LOG],
        [`${BASE}.tmp`]: readFileSync(join(after, BASE), 'utf8').slice(0, 500),
      }),
    ],
    [
      'after the temp base is complete, before its rename',
      () => ({ [BASE]: [before, BASE], [LOG]: [before, LOG], [`${BASE}.tmp`]: [after, BASE] }),
    ],
    [
      'after the base rename, before the log is replaced',
      () => ({ [BASE]: [after, BASE], [LOG]: [before, LOG] }),
    ],
    [
      'after the empty temp log is created, before its rename',
      () => ({ [BASE]: [after, BASE], [LOG]: [before, LOG], [`${LOG}.tmp`]: '' }),
    ],
    ['after both renames', () => ({ [BASE]: [after, BASE], [LOG]: [after, LOG] })],
  ];

  for (const [when, files] of steps) {
    it(`${when}: loads the same state, lists it, and takes appends after a restart`, async () => {
      const dir = assemble(files());
      const backend = new FileSystemStateBackend({ dir, compactEvery: N });
      expect(await backend.load('s')).toEqual(expected);
      expect((await backend.list())[0]).toMatchObject({
        stateId: 's',
        updatedAt: expected.updatedAt,
      });
      for (let i = N; i < N + 3; i++) backend.append('s', runEntry(i));
      const loaded = await backend.load('s');
      expect(loaded.history.slice(0, expected.history.length)).toEqual(expected.history);
      expect(
        loaded.history.filter((r) => r.status === 'completed').map((r) => r.parallelIndex),
      ).toEqual(Array.from({ length: N + 3 }, (_, i) => i));
      await backend.close();
      const reopened = new FileSystemStateBackend({ dir });
      expect(await reopened.load('s')).toEqual(loaded);
      await reopened.save(sampleSnapshot('s', { history: [] }));
      expect((await reopened.load('s')).history).toEqual([]);
      await reopened.close();
      expect(
        readdirSync(dir)
          .filter((name) => !name.endsWith('.tmp'))
          .sort(),
      ).toEqual([BASE]);
    });
  }

  it('a fold that fails (its temp file cannot be written) leaves the append stored and retries later', async () => {
    const dir = join(root, 'failing');
    const backend = new FileSystemStateBackend({ dir, compactEvery: 2 });
    await backend.save(sampleSnapshot('s', { history: [] }));
    mkdirSync(join(dir, `${BASE}.tmp`));
    for (let i = 0; i < 3; i++) backend.append('s', runEntry(i));
    expect(readFileSync(join(dir, LOG), 'utf8').split('\n')).toHaveLength(4);
    rmSync(join(dir, `${BASE}.tmp`), { recursive: true });
    for (let i = 3; i < 6; i++) backend.append('s', runEntry(i));
    expect(
      JSON.parse(readFileSync(join(dir, BASE), 'utf8').split('\n')[0] as string).seq,
    ).toBeGreaterThan(0);
    const loaded = await backend.load('s');
    expect(
      loaded.history.filter((r) => r.status === 'completed').map((r) => r.parallelIndex),
    ).toEqual([0, 1, 2, 3, 4, 5]);
    await backend.close();
  });
});
