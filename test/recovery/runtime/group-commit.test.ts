/**
 * Group commit: with a backend that has `appendMany` (SQLite), the runs that end in the same turn
 * of the event loop are stored in one call, and each run's promise still resolves only once its
 * records are stored. A save while entries wait for their commit stores each record once.
 */
import { describe, expect, it } from 'vitest';
import { ExecutionState, type SqliteStateBackend } from '../../../src/index.js';
import { runEntry, sampleSnapshot } from '../samples.js';
import { BACKENDS, counter, store } from './helpers.js';

const sqlite = BACKENDS[1]![1];

describe('SqliteStateBackend.appendMany', () => {
  it('appends the entries in order, in one transaction', async () => {
    const { backend } = store(sqlite);
    await backend.save(sampleSnapshot('many', { history: [] }));
    await backend.appendMany?.('many', [runEntry(0), runEntry(1), runEntry(2)]);
    const loaded = await backend.load('many');
    expect(
      loaded.history.filter((r) => r.status === 'completed').map((r) => r.parallelIndex),
    ).toEqual([0, 1, 2]);
  });

  it('stores none of them when one is refused', async () => {
    const { backend } = store(sqlite);
    await backend.save(sampleSnapshot('all-or-none', { history: [] }));
    const bad = { ...runEntry(1), records: 'nope' } as unknown as ReturnType<typeof runEntry>;
    expect(() => backend.appendMany?.('all-or-none', [runEntry(0), bad, runEntry(2)])).toThrow(
      "SqliteStateBackend.appendMany: the entry for state 'all-or-none' is not valid:",
    );
    expect((await backend.load('all-or-none')).history).toEqual([]);
    await backend.appendMany?.('all-or-none', [runEntry(3)]);
    expect((await backend.load('all-or-none')).history).toHaveLength(2);
  });

  it('refuses something that is not an array, naming the state', async () => {
    const { backend } = store(sqlite);
    expect(() => backend.appendMany?.('x', 'nope' as never)).toThrow(
      'SqliteStateBackend.appendMany: expected an array of entries for state \'x\', got `"nope"` (string).',
    );
  });
});

describe('checkpoints through appendMany', () => {
  it('commits many runs at once, each stored before its promise resolves', async () => {
    const { backend, reopen } = store(sqlite);
    const commits: number[] = [];
    const many = (backend as SqliteStateBackend).appendMany.bind(backend);
    (backend as SqliteStateBackend).appendMany = (id, entries) => {
      commits.push(entries.length);
      many(id, entries);
    };
    const { tool } = counter();
    const state = new ExecutionState({ stateId: 'grouped', stateBackend: backend });
    const reader = reopen();
    const unstored: number[] = [];
    await state.parallel({ maxWorkers: 20 }, (p) => {
      for (let id = 0; id < 100; id++) {
        p.add(async () => {
          const result = await state.run(tool, { id });
          const stored = await reader.load('grouped');
          if (!stored.history.some((r) => r.parallelIndex === id && r.status === 'completed'))
            unstored.push(id);
          return result;
        });
      }
    });
    expect(unstored).toEqual([]);
    expect(commits.reduce((a, b) => a + b, 0)).toBe(100);
    expect(commits.length).toBeLessThan(50);
  });

  it('saveCheckpoint() while runs wait for their commit stores each record once', async () => {
    const { backend, reopen } = store(sqlite);
    const { tool } = counter();
    const state = new ExecutionState({ stateId: 'save-pending', stateBackend: backend });
    await state.run(tool, { id: 0 }); // saved
    const runs = [1, 2, 3].map((id) => state.run(tool, { id }).then((r) => r));
    await new Promise((r) => setTimeout(r, 0)); // the runs ended; their commit is pending or done
    await Promise.all([state.saveCheckpoint(), ...runs]);
    await state.run(tool, { id: 4 });
    const stored = await reopen().load('save-pending');
    const completed = stored.history.filter((r) => r.status === 'completed');
    expect(completed.map((r) => (r.result as { id: number }).id).sort()).toEqual([0, 1, 2, 3, 4]);
  });
});
