/**
 * The group status rule (API.md: `completed` when every task succeeded, `failed` when any task
 * failed, under either strategy, or the group timed out, `cancelled` when it was cancelled) and
 * `state.status`, which follows the state's top-level run or a group opened outside any run, in
 * memory and in the backend.
 */
import { describe, expect, it } from 'vitest';
import {
  ExecutionState,
  type GroupEvent,
  ParallelCancelledError,
  ParallelTimeoutError,
} from '../../../src/index.js';
import { BACKENDS, collect, counter, sleep, store } from './helpers.js';

const groupEnds = (events: readonly { kind: string }[]) =>
  (events.filter((e) => e.kind === 'group') as GroupEvent[])
    .filter((e) => ['completed', 'failed', 'cancelled'].includes(e.type))
    .map((e) => `${e.groupId} ${e.type} ${e.status}`);

describe('the group status rule', () => {
  it('completed when every task succeeded', async () => {
    const state = new ExecutionState();
    const events = collect(state);
    const p = state.parallel({ name: 'Ok' });
    p.add(async () => 1);
    p.add(async () => 2);
    await p.gather();
    expect(p.group.status).toBe('completed');
    expect(groupEnds(events)).toEqual(['Ok completed completed']);
  });

  it('failed when a task failed under fail_slow, though gather() resolves', async () => {
    const state = new ExecutionState();
    const events = collect(state);
    const { tool } = counter('Flaky', { fail: (id) => id === 1 });
    const p = state.parallel({ name: 'Slow' });
    for (let id = 0; id < 3; id++) p.add(state.run(tool, { id }));
    const results = await p.gather();
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(p.group).toMatchObject({ status: 'failed', completed: 2, failed: 1 });
    expect(groupEnds(events)).toEqual(['Slow failed failed']);
  });

  it('failed under fail_fast', async () => {
    const state = new ExecutionState();
    const p = state.parallel({ name: 'Fast', errorStrategy: 'fail_fast' });
    p.add(async () => {
      throw new Error('no');
    });
    p.add(() => sleep(50, state.signal));
    await expect(p.gather()).rejects.toThrow('no');
    expect(p.group.status).toBe('failed');
  });

  it('failed when the group timed out', async () => {
    const state = new ExecutionState();
    const events = collect(state);
    const p = state.parallel({ name: 'Late', timeoutMs: 20 });
    p.add(() => sleep(1_000, state.signal));
    await expect(p.gather()).rejects.toBeInstanceOf(ParallelTimeoutError);
    expect(p.group.status).toBe('failed');
    expect(groupEnds(events)).toEqual(['Late failed failed']);
  });

  it('cancelled when it was cancelled', async () => {
    const state = new ExecutionState();
    const events = collect(state);
    const p = state.parallel({ name: 'Stopped' });
    p.add(() => sleep(1_000, state.signal));
    await sleep(5);
    p.cancel('enough');
    await expect(p.gather()).rejects.toBeInstanceOf(ParallelCancelledError);
    expect(p.group.status).toBe('cancelled');
    expect(groupEnds(events)).toEqual(['Stopped cancelled cancelled']);
  });
});

describe.each(BACKENDS)('%s backend: state.status', (_name, kind) => {
  it('follows the top-level run, in memory and in the backend', async () => {
    const { backend, reopen } = store(kind);
    let fail = true;
    const { tool } = counter('Top', { fail: () => fail });
    const state = new ExecutionState({ stateId: 'top-run', stateBackend: backend });
    expect(state.status).toBe('running');
    await state.run(tool, { id: 1 });
    expect(state.status).toBe('failed');
    expect((await reopen().load('top-run')).status).toBe('failed');
    fail = false;
    const resumed = await ExecutionState.load('top-run', { stateBackend: reopen() });
    expect(resumed.status).toBe('failed');
    const running = resumed.run(tool, { id: 1 });
    const seen: string[] = [];
    resumed.eventBus.subscribe(() => void seen.push(resumed.status));
    await running;
    expect(seen[0]).toBe('running'); // while the run ran again
    expect(resumed.status).toBe('completed');
    expect((await reopen().list()).map((s) => s.status)).toEqual(['completed']);
  });

  it('follows a group opened outside any run: failed, then completed once resumed', async () => {
    const { backend, reopen } = store(kind);
    let broken = true;
    const { tool, calls } = counter('Item', { fail: (id) => broken && id === 2 });
    const program = (state: ExecutionState) =>
      state.parallel({ name: 'Items', maxWorkers: 2 }, (p) => {
        for (let id = 0; id < 4; id++) p.add(state.run(tool, { id }));
      });
    const state = new ExecutionState({ stateId: 'top-group', stateBackend: backend });
    await program(state);
    expect(state.status).toBe('failed');
    expect((await reopen().load('top-group')).status).toBe('failed');

    broken = false;
    calls.length = 0;
    const resumed = await ExecutionState.load('top-group', { stateBackend: reopen() });
    const results = await program(resumed);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(calls).toEqual([2]);
    expect(resumed.status).toBe('completed');
    expect((await reopen().load('top-group')).status).toBe('completed');
  });

  it('a top-level group of plain functions sets it too; a cancelled one leaves it interrupted', async () => {
    const { backend, reopen } = store(kind);
    const state = new ExecutionState({ stateId: 'plain-group', stateBackend: backend });
    await state.parallel({}, (p) => void p.add(async () => 'x'));
    expect(state.status).toBe('completed');
    expect((await reopen().load('plain-group')).status).toBe('completed');
    const p = state.parallel({ name: 'Stopped' });
    p.add(() => sleep(1_000, state.signal));
    await sleep(5);
    p.cancel('the operator stopped it');
    await expect(p.gather()).rejects.toThrow();
    expect(state.status).toBe('interrupted');
    expect((await reopen().load('plain-group')).status).toBe('interrupted');
  });

  it('a nested group does not set it; its enclosing run does', async () => {
    const { backend } = store(kind);
    const { tool } = counter('Inner', { fail: () => true });
    const state = new ExecutionState({ stateId: 'nested-group', stateBackend: backend });
    const outer = counter('Outer');
    // A group inside a branch: only the top-level group decides.
    await state.parallel({ name: 'Outer' }, (p) => {
      p.add(async () => {
        await state.parallel({ name: 'Inner' }, (q) => void q.add(state.run(tool, { id: 1 })));
        return 'inner failures handled';
      });
      p.add(state.run(outer.tool, { id: 2 }));
    });
    expect(state.status).toBe('completed');
  });

  it('stays interrupted after an interrupt, whatever ends later', async () => {
    const { backend, reopen } = store(kind);
    const { tool } = counter('Slow', { ms: 1_000 });
    const state = new ExecutionState({ stateId: 'interrupted', stateBackend: backend });
    const running = state.parallel({}, (p) => {
      for (let id = 0; id < 2; id++) p.add(state.run(tool, { id }));
    });
    await sleep(10);
    state.requestInterrupt('stop');
    await expect(running).rejects.toThrow();
    await state.settled();
    expect(state.status).toBe('interrupted');
    expect((await reopen().load('interrupted')).status).toBe('interrupted');
  });
});
