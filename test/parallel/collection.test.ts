import { describe, expect, it } from 'vitest';
import {
  ExecutionEvent,
  ExecutionState,
  ParallelTimeoutError,
  type ParallelResult,
} from '../../src/index.js';
import { makeTool, sleep } from './helpers.js';

describe('gather()', () => {
  it('returns results in add order whatever the finishing order', async () => {
    const state = new ExecutionState();
    const finished: number[] = [];
    const delays = [40, 5, 25, 0, 15];
    const p = state.parallel<number>({ maxWorkers: 5 });
    delays.forEach((ms, i) =>
      p.add(async () => {
        await sleep(ms);
        finished.push(i);
        return i * 10;
      }),
    );
    const results = await p.gather();
    expect(finished).not.toEqual([0, 1, 2, 3, 4]);
    expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
    expect(results.map((r) => r.result)).toEqual([0, 10, 20, 30, 40]);
    for (const r of results) expect(r.executionTimeMs).toBeGreaterThanOrEqual(0);
  });

  it('is idempotent and puts the results on p.results', async () => {
    const state = new ExecutionState();
    const p = state.parallel();
    let calls = 0;
    p.add(async () => ++calls);
    const first = p.gather();
    const second = p.gather();
    expect(second).toBe(first);
    const results = await first;
    expect(await p.gather()).toBe(results);
    expect(p.results).toBe(results);
    expect(calls).toBe(1);
  });

  it('wraps plain values as { ok: true, result }, including objects shaped like results', async () => {
    const state = new ExecutionState();
    const lookalike = { ok: false, errorMessage: 'not a real ExecutionResult' };
    const results = await state.parallel({}, (p) => {
      p.add(() => undefined);
      p.add(() => lookalike);
      p.add(async () => null);
    });
    expect(results[0]).toMatchObject({ ok: true, result: undefined });
    expect(results[1]).toMatchObject({ ok: true, result: lookalike });
    expect(results[2]).toMatchObject({ ok: true, result: null });
  });

  it('passes ExecutionResults of lazy runs through; ok:false counts as failed', async () => {
    const state = new ExecutionState();
    const failure = new Error('tool broke');
    const good = makeTool('Good', (v) => v + 1);
    const bad = makeTool('Bad', () => {
      throw failure;
    });
    const event = new ExecutionEvent({ actor: bad });
    const p = state.parallel();
    p.add(state.run(good, { value: 1 }));
    p.add(event.run({ value: 1 }, undefined, state));
    p.add(() => event.run({ value: 2 }, undefined, state));
    const results = await p.gather();
    expect(results[0]).toMatchObject({ ok: true, result: 2, index: 0 });
    expect(results[1]).toMatchObject({ ok: false, error: failure, errorMessage: 'tool broke' });
    expect(results[2]).toMatchObject({ ok: false, error: failure, index: 2 });
    // the result is passed through, not nested
    expect((results[0] as ParallelResult).result).not.toHaveProperty('ok');
    expect(p.group).toMatchObject({ completed: 1, failed: 2, total: 3 });
    expect(p.group.errors.map((e) => e.index)).toEqual([1, 2]);
  });

  it('under fail_fast rejects with the error of a failed ExecutionResult', async () => {
    const state = new ExecutionState();
    const failure = new Error('lazy run failed');
    const bad = makeTool('Bad', () => {
      throw failure;
    });
    const p = state.parallel({ errorStrategy: 'fail_fast' });
    p.add(async ({ signal }) => sleep(5_000, signal));
    p.add(state.run(bad, { value: 0 }));
    await expect(p.gather()).rejects.toBe(failure);
    await p.settled();
  });

  it('gathers an empty group to []', async () => {
    const state = new ExecutionState();
    const p = state.parallel();
    expect(await p.gather()).toEqual([]);
    expect(p.group).toMatchObject({ status: 'completed', total: 0, successRate: 0 });
  });

  it('gathers a group whose tasks all finished before gather() was called', async () => {
    const state = new ExecutionState();
    const p = state.parallel();
    p.add(() => 'early');
    await sleep(10);
    expect(p.group.completed).toBe(1);
    expect(p.group.status).toBe('running');
    expect(await p.gather()).toEqual([expect.objectContaining({ ok: true, result: 'early' })]);
    expect(p.group.status).toBe('completed');
  });
});

describe('gatherDict()', () => {
  it('keys results by name, or by the index as a string for unnamed tasks', async () => {
    const state = new ExecutionState();
    const p = state.parallel();
    p.add(async () => 'A', 'alpha');
    p.add(async () => 'B');
    p.add(async () => 'C', { name: 'gamma' });
    p.add(async () => {
      throw new Error('D failed');
    }, 'delta');
    const dict = await p.gatherDict();
    expect(Object.keys(dict).sort()).toEqual(['1', 'alpha', 'delta', 'gamma']);
    expect(dict.alpha).toMatchObject({ ok: true, result: 'A', index: 0, name: 'alpha' });
    expect(dict['1']).toMatchObject({ ok: true, result: 'B', index: 1 });
    expect(dict.gamma).toMatchObject({ ok: true, result: 'C' });
    expect(dict.delta).toMatchObject({ ok: false, errorMessage: 'D failed' });
  });

  it('can follow gather() and sees the same result objects', async () => {
    const state = new ExecutionState();
    const p = state.parallel();
    p.add(() => 1, 'one');
    const list = await p.gather();
    const dict = await p.gatherDict();
    expect(dict.one).toBe(list[0]);
  });
});

describe('stream()', () => {
  it('yields in finishing order, each result as soon as its task settles', async () => {
    const state = new ExecutionState();
    const p = state.parallel<string>({ maxWorkers: 3 });
    p.add(async () => {
      await sleep(300);
      return 'slow';
    }, 'slow');
    p.add(async () => {
      await sleep(5);
      return 'fast';
    }, 'fast');
    p.add(async () => {
      await sleep(60);
      return 'medium';
    }, 'medium');
    const t0 = performance.now();
    const seen: { name: string | undefined; at: number }[] = [];
    for await (const result of p.stream()) {
      seen.push({ name: result.name, at: performance.now() - t0 });
    }
    expect(seen.map((s) => s.name)).toEqual(['fast', 'medium', 'slow']);
    // the first result arrives long before the slow task finishes
    expect(seen[0]?.at).toBeLessThan(150);
    expect(seen[2]?.at).toBeGreaterThanOrEqual(250);
    expect(p.group.status).toBe('completed');
    expect(p.results?.map((r) => r.name)).toEqual(['slow', 'fast', 'medium']);
  });

  it('yields results that finished before the loop began, and an empty stream ends at once', async () => {
    const state = new ExecutionState();
    const p = state.parallel();
    p.add(() => 1);
    p.add(() => 2);
    await sleep(5);
    const got: unknown[] = [];
    for await (const r of p.stream()) got.push(r.result);
    expect(got).toEqual([1, 2]);

    const empty = state.parallel();
    const none: unknown[] = [];
    for await (const r of empty.stream()) none.push(r);
    expect(none).toEqual([]);
  });

  it('breaking out early cancels running and queued tasks', async () => {
    const state = new ExecutionState();
    const p = state.parallel({ maxWorkers: 2 });
    const started: number[] = [];
    const aborted: number[] = [];
    p.add(async () => 'quick');
    for (let i = 1; i < 6; i++) {
      p.add(async ({ signal }) => {
        started.push(i);
        await sleep(5_000, signal).catch(() => aborted.push(i));
      });
    }
    for await (const result of p.stream()) {
      expect(result.result).toBe('quick');
      break;
    }
    await p.settled();
    expect(p.group.status).toBe('cancelled');
    expect(p.signal.aborted).toBe(true);
    // only the two workers' tasks ever started; both saw their signal abort
    expect(started.length).toBeLessThanOrEqual(2);
    expect(aborted.sort()).toEqual(started.sort());
    await expect(p.gather()).rejects.toThrow(/stream\(\) consumer stopped/);
  });

  it('throws the fail_fast error after the results that came before it', async () => {
    const state = new ExecutionState();
    const error = new Error('stream failure');
    const p = state.parallel({ errorStrategy: 'fail_fast', maxWorkers: 3 });
    p.add(async () => 'first');
    p.add(async () => {
      await sleep(10);
      throw error;
    });
    p.add(async ({ signal }) => sleep(5_000, signal));
    const got: ParallelResult[] = [];
    let thrown: unknown;
    try {
      for await (const r of p.stream()) got.push(r);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBe(error);
    expect(got.map((r) => r.ok)).toEqual([true, false]);
    await p.settled();
  });

  it('yields the finished results then throws ParallelTimeoutError on timeout', async () => {
    const state = new ExecutionState();
    const p = state.parallel({ timeoutMs: 50 });
    p.add(async () => 'in time');
    p.add(async ({ signal }) => sleep(5_000, signal));
    const got: unknown[] = [];
    await expect(
      (async () => {
        for await (const r of p.stream()) got.push(r.result);
      })(),
    ).rejects.toBeInstanceOf(ParallelTimeoutError);
    expect(got).toEqual(['in time']);
  });

  it('a second stream over a finished group replays every result', async () => {
    const state = new ExecutionState();
    const p = state.parallel();
    p.add(() => 'x');
    for await (const _ of p.stream()) {
      // drain
    }
    const again: unknown[] = [];
    for await (const r of p.stream()) again.push(r.result);
    expect(again).toEqual(['x']);
  });
});

describe('collection edges', () => {
  it('stream() starts collecting when called: add() after it is refused', async () => {
    const state = new ExecutionState();
    const p = state.parallel({ name: 'S' });
    p.add(async () => 1);
    const stream = p.stream();
    expect(() => p.add(async () => 2)).toThrow(
      /after gather\(\)\/gatherDict\(\)\/stream\(\) started/,
    );
    const seen: unknown[] = [];
    for await (const r of stream) seen.push(r.result);
    expect(seen).toEqual([1]);
  });

  it('gatherDict keeps every result of a name given twice (name, name#2)', async () => {
    const state = new ExecutionState();
    const p = state.parallel();
    p.add(async () => 1, 'x');
    p.add(async () => 2, 'x');
    p.add(async () => 3);
    const dict = await p.gatherDict();
    expect(Object.keys(dict).sort()).toEqual(['2', 'x', 'x#2']);
    expect(dict['x#2']?.result).toBe(2);
  });

  it('add() on a group of an interrupted state says no new work starts on the state', async () => {
    const state = new ExecutionState();
    const p = state.parallel();
    state.requestInterrupt('shutting down');
    expect(() => p.add(async () => 1)).toThrow(/state was interrupted, so no new work starts/);
  });
});
