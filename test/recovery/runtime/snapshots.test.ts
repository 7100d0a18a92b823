/**
 * A state as data: `toSnapshot()` / `fromSnapshot()` round trips, `ExecutionState.load()`, the
 * metadata that is stored with a state and listed by tag or pipeline, and a result that cannot
 * be stored (it fails its run, naming the address; the last good checkpoint still loads).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ExecutionState,
  StateNotFoundError,
  type StateSnapshot,
  Tool,
} from '../../../src/index.js';
import { BACKENDS, counter, store } from './helpers.js';

describe('toSnapshot() / fromSnapshot()', () => {
  it('round-trips a state: id, status, metadata, history with results, storage', async () => {
    const { tool } = counter();
    const state = new ExecutionState({
      stateId: 'round-trip',
      metadata: { pipeline: 'reports', tags: ['nightly'], custom: { owner: 'ops' } },
    });
    state.storage.set('plan', ['a', 'b']);
    await state.run(tool, { id: 4 });
    const snapshot = state.toSnapshot();
    expect(snapshot).toMatchObject({
      format: 'rh-agents/state',
      version: 1,
      stateId: 'round-trip',
      status: 'completed',
      metadata: { pipeline: 'reports', tags: ['nightly'], custom: { owner: 'ops' } },
      storage: { plan: ['a', 'b'] },
    });
    expect(snapshot.history.map((r) => r.status)).toEqual(['started', 'completed']);
    // Plain JSON: it survives a trip through text unchanged.
    const parsed = JSON.parse(JSON.stringify(snapshot)) as StateSnapshot;
    expect(parsed).toEqual(snapshot);

    const restored = ExecutionState.fromSnapshot(parsed);
    expect(restored.stateId).toBe('round-trip');
    expect(restored.status).toBe('completed');
    expect(restored.metadata).toEqual(snapshot.metadata);
    expect(restored.storage.get('plan')).toEqual(['a', 'b']);
    expect(restored.history.hasCompleted('Work::tool_call')).toBe(true);
    expect(restored.history.get('Work::tool_call')?.result).toEqual({ id: 4, n: 40 });
    const again = restored.toSnapshot();
    expect({ ...again, updatedAt: 0 }).toEqual({ ...snapshot, updatedAt: 0 });
  });

  it('a restored state replays what completed', async () => {
    const { tool, calls } = counter();
    const state = new ExecutionState({ stateId: 'from-snapshot' });
    await state.run(tool, { id: 1 });
    const restored = ExecutionState.fromSnapshot(state.toSnapshot());
    expect(await restored.run(tool, { id: 1 })).toMatchObject({
      ok: true,
      result: { id: 1, n: 10 },
    });
    expect(calls).toEqual([1]);
  });

  it('refuses a snapshot of a newer major format, saying what to do', () => {
    const snapshot = { ...new ExecutionState({ stateId: 'newer' }).toSnapshot(), version: 2 };
    expect(() => ExecutionState.fromSnapshot(snapshot)).toThrow(/version 2.*upgrade rh-agents/i);
  });

  it('refuses something that is not a snapshot, naming it', () => {
    expect(() => ExecutionState.fromSnapshot({ stateId: 'x' } as unknown as StateSnapshot)).toThrow(
      /ExecutionState\.fromSnapshot\(\): the snapshot/,
    );
  });

  it('throws from toSnapshot() naming the address of a result JSON cannot hold', async () => {
    const { tool } = counter('Big', { result: () => ({ size: 10n }) });
    const state = new ExecutionState({ stateId: 'no-backend' });
    const result = await state.run(tool, { id: 1 });
    expect(result.ok).toBe(true); // without a backend nothing is stored, so nothing fails
    expect(() => state.toSnapshot()).toThrow(/Big::tool_call/);
  });

  it('refuses a resumeFromAddress that is not in the history, listing known ones', async () => {
    const { tool } = counter();
    const state = new ExecutionState({ stateId: 'resume-bad' });
    await state.run(tool, { id: 1 });
    expect(() =>
      ExecutionState.fromSnapshot(state.toSnapshot(), { resumeFromAddress: 'Nope::tool_call' }),
    ).toThrow(
      "state 'resume-bad': `resumeFromAddress` `\"Nope::tool_call\"` (string) is not in its history; pass the address of a recorded run, e.g. 'Work::tool_call'.",
    );
  });
});

describe.each(BACKENDS)('%s backend: load, metadata, unstorable results', (_name, kind) => {
  it('load() restores a stored state; an unknown id throws StateNotFoundError', async () => {
    const { backend, reopen } = store(kind);
    const { tool, calls } = counter();
    const state = new ExecutionState({ stateId: 'stored', stateBackend: backend });
    await state.run(tool, { id: 5 });
    const loaded = await ExecutionState.load('stored', { stateBackend: reopen() });
    expect(loaded.stateId).toBe('stored');
    expect(loaded.status).toBe('completed');
    expect(loaded.history.get('Work::tool_call')?.result).toEqual({ id: 5, n: 50 });
    expect(await loaded.run(tool, { id: 5 })).toMatchObject({ ok: true });
    expect(calls).toEqual([5]);

    const error = await ExecutionState.load('missing', { stateBackend: backend }).catch((e) => e);
    expect(error).toBeInstanceOf(StateNotFoundError);
    expect((error as StateNotFoundError).stateId).toBe('missing');
  });

  it('load() refuses an id that is not a plain identifier before touching the store', async () => {
    const { backend } = store(kind);
    await expect(ExecutionState.load('../etc', { stateBackend: backend })).rejects.toThrow(
      /ExecutionState\.load\(\): invalid state id `"\.\.\/etc"`/,
    );
  });

  it('load() without a stateBackend says what to pass', async () => {
    await expect(
      ExecutionState.load('x', undefined as unknown as { stateBackend: never }),
    ).rejects.toThrow('ExecutionState.load(): expected options with a `stateBackend` to load from');
  });

  it('stores metadata and lists states by tag and by pipeline, newest first', async () => {
    const { backend, reopen } = store(kind);
    const { tool } = counter();
    const make = async (stateId: string, pipeline: string, tags: string[]) => {
      const state = new ExecutionState({
        stateId,
        stateBackend: backend,
        metadata: { pipeline, tags, description: `the ${stateId} run`, parentStateId: 'root-1' },
      });
      await state.run(tool, { id: 1 });
      await new Promise((r) => setTimeout(r, 5)); // distinct updatedAt
    };
    await make('a1', 'reports', ['nightly']);
    await make('b1', 'billing', ['nightly', 'eu']);
    await make('a2', 'reports', ['adhoc']);
    const other = reopen();
    expect((await other.list({ pipeline: 'reports' })).map((s) => s.stateId)).toEqual(['a2', 'a1']);
    expect((await other.list({ tag: 'nightly' })).map((s) => s.stateId)).toEqual(['b1', 'a1']);
    expect((await other.list()).map((s) => s.stateId)).toEqual(['a2', 'b1', 'a1']);
    const [b1] = await other.list({ tag: 'eu' });
    expect(b1).toMatchObject({ stateId: 'b1', pipeline: 'billing', tags: ['nightly', 'eu'] });
    expect(b1?.status).toBe('completed');
    const loaded = await ExecutionState.load('b1', { stateBackend: other });
    expect(loaded.metadata).toEqual({
      pipeline: 'billing',
      tags: ['nightly', 'eu'],
      description: 'the b1 run',
      parentStateId: 'root-1',
    });
  });

  for (const [what, make] of [
    ['a BigInt', () => ({ total: 12n })],
    [
      'a cycle',
      () => {
        const node: Record<string, unknown> = { name: 'loop' };
        node.self = node;
        return node;
      },
    ],
    ['a function', () => ({ callback: () => 1 })],
  ] as const) {
    it(`a result holding ${what} fails its run naming the address; the last good checkpoint loads`, async () => {
      const { backend, reopen } = store(kind);
      const good = counter('Good');
      const bad = new Tool({
        name: 'Bad',
        inputSchema: z.object({}),
        retry: { enabled: false },
        handler: () => make(),
      });
      const state = new ExecutionState({ stateId: 'unstorable', stateBackend: backend });
      await state.run(good.tool, { id: 1 });
      const result = await state.run(bad, {});
      expect(result.ok).toBe(false);
      expect(result.errorMessage).toContain('Bad::tool_call');
      expect(state.history.get('Bad::tool_call')?.status).toBe('failed');
      const stored = await reopen().load('unstorable');
      expect(stored.history.map((r) => `${r.address} ${r.status}`)).toEqual([
        'Good::tool_call started',
        'Good::tool_call completed',
        'Bad::tool_call started',
        'Bad::tool_call failed',
      ]);
      // The state goes on: later runs are recorded as usual.
      await state.run(good.tool, { id: 2 });
      const loaded = await ExecutionState.load('unstorable', { stateBackend: reopen() });
      expect(loaded.history.hasCompleted('Good#2::tool_call')).toBe(true);
    });
  }
});
