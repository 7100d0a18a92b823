/**
 * Replay of a restored state (API.md, "State recovery"), on both built-in backends: `normal`,
 * `republish_all`, `validation` and `resumeFromAddress`, for plain runs, nested runs and the
 * branches of nested parallel groups.
 */
import { describe, expect, it } from 'vitest';
import { ExecutionState, type LogEvent } from '../../../src/index.js';
import { BACKENDS, collect, counter, records, store } from './helpers.js';
import { pipeline } from './pipeline.js';

describe.each(BACKENDS)('%s backend: replay', (_name, kind) => {
  it('normal: completed plain runs return their recorded result without calling the handler', async () => {
    const { backend, reopen } = store(kind);
    let failB = true;
    const a = counter('A');
    const b = counter('B', { fail: () => failB });
    const program = async (state: ExecutionState) => [
      await state.run(a.tool, { id: 1 }),
      await state.run(b.tool, { id: 2 }),
      await state.run(a.tool, { id: 3 }),
    ];
    const first = new ExecutionState({ stateId: 'plain', stateBackend: backend });
    const before = await program(first);
    expect(before.map((r) => r.ok)).toEqual([true, false, true]);

    failB = false;
    a.calls.length = 0;
    b.calls.length = 0;
    const state = await ExecutionState.load('plain', { stateBackend: reopen() });
    const events = collect(state);
    const after = await program(state);
    expect(after.map((r) => r.ok)).toEqual([true, true, true]);
    expect(after[0]?.result).toEqual({ id: 1, n: 10 });
    expect(after[2]?.result).toEqual({ id: 3, n: 30 });
    expect(a.calls).toEqual([]);
    expect(b.calls).toEqual([2]); // the failed run runs again
    const recovered = records(events).filter((r) => r.status === 'recovered');
    expect(recovered.map((r) => r.address)).toEqual(['A::tool_call', 'A#2::tool_call']);
    // A replayed run publishes exactly one event: `recovered`.
    expect(records(events).filter((r) => r.address === 'A::tool_call')).toHaveLength(1);
    expect(recovered[0]).toMatchObject({
      isParallel: false,
      groupId: undefined,
      result: { id: 1, n: 10 },
    });
    expect(state.status).toBe('completed');
  });

  it('normal: failed branches of nested groups run again, completed ones are replayed once each', async () => {
    const { backend, reopen } = store(kind);
    // Document 1 cannot be fetched; part 1 of document 2 is garbled.
    let broken = true;
    const p = pipeline({
      docs: 4,
      parts: 2,
      failFetch: (id) => broken && id === 1,
      failPart: (id, n) => broken && id === 2 && n === 1,
    });
    const first = new ExecutionState({ stateId: 'groups', stateBackend: backend });
    const failed = await first.run(p.agent, {});
    expect(failed.errorMessage).toBe('2 of 4 documents failed');

    broken = false;
    p.calls.length = 0;
    const state = await ExecutionState.load('groups', { stateBackend: reopen() });
    const events = collect(state);
    const result = await state.run(p.agent, {});
    expect(result).toMatchObject({ ok: true });
    expect(result.result).toEqual([
      '0: summary 0.0 + summary 0.1',
      '1: summary 1.0 + summary 1.1',
      '2: summary 2.0 + summary 2.1',
      '3: summary 3.0 + summary 3.1',
    ]);
    // Only what had not completed ran: the agent, document 1 whole, and document 2's part 1 and merge.
    expect([...p.calls].sort()).toEqual(
      ['Pipeline', 'Fetch 1', 'Part 1.0', 'Part 1.1', 'Merge 1', 'Part 2.1', 'Merge 2'].sort(),
    );
    const recovered = records(events).filter((r) => r.status === 'recovered');
    expect(recovered.map((r) => r.address).sort()).toEqual(
      [
        'Pipeline::Docs[0]::Fetch::tool_call',
        'Pipeline::Docs[0]::Parts[0]::Part::tool_call',
        'Pipeline::Docs[0]::Parts[1]::Part::tool_call',
        'Pipeline::Docs[0]::Merge::tool_call',
        'Pipeline::Docs[2]::Fetch::tool_call',
        'Pipeline::Docs[2]::Parts[0]::Part::tool_call',
        'Pipeline::Docs[3]::Fetch::tool_call',
        'Pipeline::Docs[3]::Parts[0]::Part::tool_call',
        'Pipeline::Docs[3]::Parts[1]::Part::tool_call',
        'Pipeline::Docs[3]::Merge::tool_call',
      ].sort(),
    );
    // One event per replayed run, carrying the group tags of its branch.
    for (const record of recovered) {
      expect(records(events).filter((r) => r.address === record.address)).toHaveLength(1);
      expect(record.isParallel).toBe(true);
    }
    expect(
      recovered.find((r) => r.address === 'Pipeline::Docs[2]::Fetch::tool_call'),
    ).toMatchObject({ groupId: 'Pipeline::Docs', parallelIndex: 2 });
    expect(
      recovered.find((r) => r.address === 'Pipeline::Docs[3]::Parts[1]::Part::tool_call'),
    ).toMatchObject({ groupId: 'Pipeline::Docs[3]::Parts', parallelIndex: 1 });
    expect(state.status).toBe('completed');

    // A third run replays the whole agent: one event, no handler.
    p.calls.length = 0;
    const third = await ExecutionState.load('groups', { stateBackend: reopen() });
    const thirdEvents = collect(third);
    expect((await third.run(p.agent, {})).result).toEqual(result.result);
    expect(p.calls).toEqual([]);
    expect(records(thirdEvents).map((r) => `${r.address} ${r.status}`)).toEqual([
      'Pipeline::agent_call recovered',
    ]);
  });

  it('normal: unfinished branches of an interrupted run run again', async () => {
    const { backend, reopen } = store(kind);
    const p = pipeline({ docs: 6, parts: 1, fetchMs: (id) => (id < 3 ? 1 : 2_000) });
    const first = new ExecutionState({ stateId: 'unfinished', stateBackend: backend });
    let merged = 0;
    first.eventBus.subscribe((e) => {
      if (e.kind === 'execution' && e.actor.name === 'Merge' && e.status === 'completed')
        if (++merged === 3) first.requestInterrupt('stop');
    });
    const stopped = await first.run(p.agent, {});
    expect(stopped.ok).toBe(false);
    await first.settled();
    expect(first.status).toBe('interrupted');

    p.options.fetchMs = () => 1;
    p.calls.length = 0;
    const state = await ExecutionState.load('unfinished', { stateBackend: reopen() });
    expect(state.status).toBe('interrupted');
    const result = await state.run(p.agent, {});
    expect(result.ok).toBe(true);
    expect((result.result as string[]).length).toBe(6);
    // Documents 0-2 had merged: none of their runs ran again.
    expect(p.calls.filter((c) => / [012](\.|$)/.test(c))).toEqual([]);
    expect(p.calls.filter((c) => c.startsWith('Fetch')).sort()).toEqual([
      'Fetch 3',
      'Fetch 4',
      'Fetch 5',
    ]);
    expect(state.status).toBe('completed');
  });

  it('republish_all: recorded events are published again in their order, no recovered', async () => {
    const { backend, reopen } = store(kind);
    const p = pipeline({ docs: 2, parts: 2 });
    const first = new ExecutionState({ stateId: 'republish', stateBackend: backend });
    const firstEvents = collect(first);
    await first.run(p.agent, {});
    await first.eventBus.drain();

    p.calls.length = 0;
    const state = await ExecutionState.load('republish', {
      stateBackend: reopen(),
      replayMode: 'republish_all',
    });
    const events = collect(state);
    const result = await state.run(p.agent, {});
    await state.eventBus.drain();
    expect(result.ok).toBe(true);
    expect(p.calls).toEqual([]);
    const republished = records(events);
    expect(republished.some((r) => r.status === 'recovered')).toBe(false);
    const key = (r: { address: string; status: string }) => `${r.address} ${r.status}`;
    // Every recorded event, once each.
    expect(republished.map(key).sort()).toEqual(records(firstEvents).map(key).sort());
    // In their order: each run's own events in order, a parent's start before its children's
    // events, and its end after them.
    const at = (address: string, status: string) =>
      republished.findIndex((r) => r.address === address && r.status === status);
    expect(at('Pipeline::agent_call', 'started')).toBe(0);
    expect(at('Pipeline::agent_call', 'completed')).toBe(republished.length - 1);
    for (const doc of [0, 1]) {
      const fetch = `Pipeline::Docs[${doc}]::Fetch::tool_call`;
      const merge = `Pipeline::Docs[${doc}]::Merge::tool_call`;
      expect(at(fetch, 'started')).toBeLessThan(at(fetch, 'completed'));
      expect(at(fetch, 'completed')).toBeLessThan(at(merge, 'started'));
    }
    const completed = republished.find(
      (r) => r.address === 'Pipeline::Docs[1]::Merge::tool_call' && r.status === 'completed',
    );
    expect(completed).toMatchObject({
      result: '1: summary 1.0 + summary 1.1',
      groupId: 'Pipeline::Docs',
      parallelIndex: 1,
      isParallel: true,
    });
  });

  it('validation: every handler runs again; a differing result is a warning naming the address', async () => {
    const { backend, reopen } = store(kind);
    let shift = 0;
    const tool = counter('Score', { result: (id) => ({ id, score: id + (id === 2 ? shift : 0) }) });
    const program = (state: ExecutionState) =>
      state.parallel({ name: 'Scores', maxWorkers: 2 }, (p) => {
        for (let id = 0; id < 4; id++) p.add(state.run(tool.tool, { id }));
      });
    await program(new ExecutionState({ stateId: 'validate', stateBackend: backend }));

    shift = 100;
    tool.calls.length = 0;
    const state = await ExecutionState.load('validate', {
      stateBackend: reopen(),
      replayMode: 'validation',
    });
    const events = collect(state);
    const results = await program(state);
    expect(results.map((r) => r.result)).toEqual([
      { id: 0, score: 0 },
      { id: 1, score: 1 },
      { id: 2, score: 102 },
      { id: 3, score: 3 },
    ]);
    expect([...tool.calls].sort()).toEqual([0, 1, 2, 3]);
    const warnings = events.filter(
      (e): e is LogEvent => e.kind === 'log' && e.severity === 'warning',
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain('Scores[2]::Score::tool_call');
    expect(warnings[0]).toMatchObject({
      address: 'Scores[2]::Score::tool_call',
      groupId: 'Scores',
      parallelIndex: 2,
    });
    expect(records(events).some((r) => r.status === 'recovered')).toBe(false);
  });

  it('resumeFromAddress: that run and every run recorded after it run again', async () => {
    const { backend, reopen } = store(kind);
    const steps = ['Plan', 'Draft', 'Review', 'Publish'].map((name) => counter(name));
    const program = async (state: ExecutionState) => {
      for (const [i, step] of steps.entries()) await state.run(step.tool, { id: i });
    };
    await program(new ExecutionState({ stateId: 'resume-from', stateBackend: backend }));
    for (const step of steps) step.calls.length = 0;

    const state = await ExecutionState.load('resume-from', {
      stateBackend: reopen(),
      resumeFromAddress: 'Review::tool_call',
    });
    const events = collect(state);
    await program(state);
    expect(steps.map((s) => s.calls.length)).toEqual([0, 0, 1, 1]);
    expect(
      records(events)
        .filter((r) => r.status === 'recovered')
        .map((r) => r.address),
    ).toEqual(['Plan::tool_call', 'Draft::tool_call']);
  });

  it('resumeFromAddress inside a nested group: the run, its enclosing runs and later ones run again', async () => {
    const { backend, reopen } = store(kind);
    const p = pipeline({ docs: 3, parts: 2, fetchMs: (id) => id * 30 });
    await new ExecutionState({ stateId: 'resume-nested', stateBackend: backend }).run(p.agent, {});
    p.calls.length = 0;
    // Document 0 finished first, document 2 last (fetch takes 0, 30, 60 ms).
    const state = await ExecutionState.load('resume-nested', {
      stateBackend: reopen(),
      resumeFromAddress: 'Pipeline::Docs[1]::Merge::tool_call',
    });
    const result = await state.run(p.agent, {});
    expect(result.ok).toBe(true);
    // Recorded after document 1's merge: its own merge, document 2 entirely, the agent.
    expect([...p.calls].sort()).toEqual(
      ['Pipeline', 'Merge 1', 'Fetch 2', 'Part 2.0', 'Part 2.1', 'Merge 2'].sort(),
    );
  });

  it('resumeFromAddress of an enclosing run runs everything nested in it again', async () => {
    const { backend, reopen } = store(kind);
    const p = pipeline({ docs: 2, parts: 1 });
    await new ExecutionState({ stateId: 'resume-parent', stateBackend: backend }).run(p.agent, {});
    p.calls.length = 0;
    const state = await ExecutionState.load('resume-parent', {
      stateBackend: reopen(),
      resumeFromAddress: 'Pipeline::agent_call',
    });
    await state.run(p.agent, {});
    expect([...p.calls].sort()).toEqual(
      ['Pipeline', 'Fetch 0', 'Fetch 1', 'Part 0.0', 'Part 1.0', 'Merge 0', 'Merge 1'].sort(),
    );
  });

  it('resumeFromAddress of an address that ran twice cuts at its latest run', async () => {
    const { backend, reopen } = store(kind);
    const steps = ['One', 'Two', 'Three'].map((name) => counter(name));
    const program = async (state: ExecutionState) => {
      for (const [i, step] of steps.entries()) await state.run(step.tool, { id: i });
    };
    await program(new ExecutionState({ stateId: 'twice', stateBackend: backend }));
    // Validation runs every handler again: each address now has two runs recorded.
    await program(
      await ExecutionState.load('twice', { stateBackend: reopen(), replayMode: 'validation' }),
    );
    for (const step of steps) step.calls.length = 0;
    await program(
      await ExecutionState.load('twice', {
        stateBackend: reopen(),
        resumeFromAddress: 'Two::tool_call',
      }),
    );
    expect(steps.map((s) => s.calls.length)).toEqual([0, 1, 1]);
  });

  it('a run that failed after it had completed (a resumed run again) is not replayed', async () => {
    const { backend, reopen } = store(kind);
    let fail = false;
    const tool = counter('Step', { fail: () => fail });
    await new ExecutionState({ stateId: 'latest', stateBackend: backend }).run(tool.tool, {
      id: 1,
    });
    fail = true;
    const again = await ExecutionState.load('latest', {
      stateBackend: reopen(),
      resumeFromAddress: 'Step::tool_call',
    });
    expect((await again.run(tool.tool, { id: 1 })).ok).toBe(false);
    fail = false;
    tool.calls.length = 0;
    const last = await ExecutionState.load('latest', { stateBackend: reopen() });
    expect(await last.run(tool.tool, { id: 1 })).toMatchObject({ ok: true });
    expect(tool.calls).toEqual([1]);
  });
});
