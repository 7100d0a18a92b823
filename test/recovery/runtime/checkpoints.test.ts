/**
 * Per-run checkpoints (API.md, "State recovery"), on both built-in backends: each run that ends is
 * in the backend by the time its promise resolves; runs that end after a fail_fast rejection are
 * still recorded; `checkpoint: 'manual'` writes only on `saveCheckpoint()`.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ExecutionState, Tool } from '../../../src/index.js';
import { BACKENDS, counter, sleep, store } from './helpers.js';

describe.each(BACKENDS)('%s backend: checkpoints', (_name, kind) => {
  it('records each run durably before its promise resolves', async () => {
    const { backend, reopen } = store(kind);
    const { tool } = counter();
    const state = new ExecutionState({ stateId: 'per-run', stateBackend: backend });
    const first = await state.run(tool, { id: 1 });
    expect(first).toMatchObject({ ok: true, result: { id: 1, n: 10 } });
    // Read through a second backend object: what is on disk, not what the writer holds in memory.
    const other = reopen();
    let stored = await other.load('per-run');
    expect(stored.history.map((r) => [r.address, r.status])).toEqual([
      ['Work::tool_call', 'started'],
      ['Work::tool_call', 'completed'],
    ]);
    expect(stored.history[1]?.result).toEqual({ id: 1, n: 10 });
    expect(stored.status).toBe('completed');

    await state.run(tool, { id: 2 });
    stored = await reopen().load('per-run');
    expect(stored.history.filter((r) => r.status === 'completed').map((r) => r.address)).toEqual([
      'Work::tool_call',
      'Work#2::tool_call',
    ]);
  });

  it('records a failed run with its error', async () => {
    const { backend, reopen } = store(kind);
    const { tool } = counter('Flaky', { fail: () => true });
    const state = new ExecutionState({ stateId: 'failed-run', stateBackend: backend });
    const result = await state.run(tool, { id: 3 });
    expect(result.ok).toBe(false);
    const stored = await reopen().load('failed-run');
    expect(stored.history.at(-1)).toMatchObject({
      address: 'Flaky::tool_call',
      status: 'failed',
      message: 'Flaky 3 failed',
      error: { name: 'Error', message: 'Flaky 3 failed' },
    });
    expect(stored.status).toBe('failed');
  });

  it('records every branch of a group as it ends, before gather() resolves', async () => {
    const { backend, reopen } = store(kind);
    const { tool } = counter('Work', { ms: 5 });
    const state = new ExecutionState({ stateId: 'group-runs', stateBackend: backend });
    await state.parallel({ maxWorkers: 3, name: 'Docs' }, (p) => {
      for (let id = 0; id < 7; id++) p.add(state.run(tool, { id }));
    });
    const stored = await reopen().load('group-runs');
    const done = stored.history.filter((r) => r.status === 'completed');
    expect(done.map((r) => r.parallelIndex).sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (const record of done) {
      expect(record).toMatchObject({
        address: `Docs[${record.parallelIndex}]::Work::tool_call`,
        groupId: 'Docs',
        isParallel: true,
      });
    }
  });

  it('records a run that finishes after its fail_fast group rejected', async () => {
    const { backend, reopen } = store(kind);
    const { tool } = counter('Boom', { fail: () => true });
    const state = new ExecutionState({ stateId: 'late-finish', stateBackend: backend });
    const stubborn = new Tool({
      name: 'Stubborn',
      inputSchema: z.object({ id: z.number() }),
      retry: { enabled: false },
      handler: async () => {
        await new Promise((r) => setTimeout(r, 80)); // ignores its signal
        return 'late';
      },
    });
    await expect(
      state.parallel({ maxWorkers: 2, errorStrategy: 'fail_fast' }, (p) => {
        p.add(state.run(stubborn, { id: 1 }));
        p.add(async () => {
          await sleep(10);
          return state.run(tool, { id: 2 });
        });
      }),
    ).rejects.toThrow('Boom 2 failed');
    expect(state.history.get('parallel[0]::Stubborn::tool_call')?.status).toBe('started');
    await state.settled();
    const stored = await reopen().load('late-finish');
    const last = stored.history.filter((r) => r.address === 'parallel[0]::Stubborn::tool_call');
    expect(last.map((r) => r.status)).toEqual(['started', 'completed']);
    expect(last[1]?.result).toBe('late');
  });

  it("checkpoint: 'manual' writes nothing until saveCheckpoint(), then the whole history", async () => {
    const { backend, reopen } = store(kind);
    const { tool } = counter();
    const state = new ExecutionState({
      stateId: 'manual',
      stateBackend: backend,
      checkpoint: 'manual',
    });
    await state.run(tool, { id: 1 });
    await state.run(tool, { id: 2 });
    expect(await reopen().has('manual')).toBe(false);
    await state.saveCheckpoint();
    let stored = await reopen().load('manual');
    expect(stored.history.map((r) => r.status)).toEqual([
      'started',
      'completed',
      'started',
      'completed',
    ]);
    expect(stored.status).toBe('completed');
    state.storage.set('note', 'kept');
    await state.run(tool, { id: 3 });
    stored = await reopen().load('manual');
    expect(stored.history).toHaveLength(4); // nothing written since
    await state.saveCheckpoint();
    stored = await reopen().load('manual');
    expect(stored.history).toHaveLength(6);
    expect(stored.storage).toEqual({ note: 'kept' });
  });

  it("checkpoint: 'event' plus saveCheckpoint() compacts without losing or doubling a record", async () => {
    const { backend, reopen } = store(kind);
    const { tool } = counter();
    const state = new ExecutionState({ stateId: 'save-too', stateBackend: backend });
    await state.run(tool, { id: 1 });
    await state.saveCheckpoint();
    await state.run(tool, { id: 2 });
    const stored = await reopen().load('save-too');
    expect(stored.history.map((r) => `${r.address} ${r.status}`)).toEqual([
      'Work::tool_call started',
      'Work::tool_call completed',
      'Work#2::tool_call started',
      'Work#2::tool_call completed',
    ]);
  });

  it('saveCheckpoint() without a backend says how to give one', async () => {
    await expect(new ExecutionState({ stateId: 'none' }).saveCheckpoint()).rejects.toThrow(
      "state 'none': saveCheckpoint() needs a stateBackend; create the state with one",
    );
  });

  it('stores the storage with the run that changed it', async () => {
    const { backend, reopen } = store(kind);
    const { tool } = counter();
    const state = new ExecutionState({ stateId: 'storage', stateBackend: backend });
    state.storage.set('plan', { steps: 3 });
    await state.run(tool, { id: 1 });
    expect((await reopen().load('storage')).storage).toEqual({ plan: { steps: 3 } });
  });

  it('writes two states of one store at once without mixing them', async () => {
    const { backend, reopen } = store(kind);
    const { tool } = counter('Work', { ms: 1 });
    const a = new ExecutionState({ stateId: 'left', stateBackend: backend });
    const b = new ExecutionState({ stateId: 'right', stateBackend: backend });
    const fill = (state: ExecutionState, from: number) =>
      state.parallel({ maxWorkers: 5 }, (p) => {
        for (let i = 0; i < 40; i++) p.add(state.run(tool, { id: from + i }));
      });
    await Promise.all([fill(a, 0), fill(b, 1000)]);
    const other = reopen();
    for (const [id, from] of [
      ['left', 0],
      ['right', 1000],
    ] as const) {
      const stored = await other.load(id);
      const ids = stored.history
        .filter((r) => r.status === 'completed')
        .map((r) => (r.result as { id: number }).id)
        .sort((x, y) => x - y);
      expect(ids).toEqual(Array.from({ length: 40 }, (_, i) => from + i));
      expect(stored.history.every((r) => r.address.startsWith('parallel['))).toBe(true);
    }
  });
});
