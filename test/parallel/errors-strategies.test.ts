import { describe, expect, it } from 'vitest';
import { ErrorStrategy, ExecutionState, ParallelCancelledError } from '../../src/index.js';
import { deferred, makeTool, recordingState, sleep } from './helpers.js';

describe('fail_slow (default)', () => {
  it('[failing, succeeding] gives [ok:false, ok:true]', async () => {
    const state = new ExecutionState();
    const error = new Error('first task failed');
    const p = state.parallel();
    expect(p.options.errorStrategy).toBe(ErrorStrategy.FAIL_SLOW);
    p.add(async () => {
      throw error;
    });
    p.add(async () => {
      await sleep(10);
      return 'second ok';
    });
    const results = await p.gather();
    expect(results.map((r) => r.ok)).toEqual([false, true]);
    expect(results[0]).toMatchObject({ error, errorMessage: 'first task failed', index: 0 });
    expect(results[1]).toMatchObject({ result: 'second ok', index: 1 });
    // gather() resolves under fail_slow; the group's status is `failed` since a task failed
    expect(p.group).toMatchObject({
      status: 'failed',
      completed: 1,
      failed: 1,
      cancelled: 0,
      successRate: 0.5,
    });
    expect(p.group.errors).toEqual([
      { index: 0, name: undefined, message: 'first task failed', error },
    ]);
  });

  it('runs every task even when many fail, and reports thrown non-errors', async () => {
    const state = new ExecutionState();
    const ran: number[] = [];
    const results = await state.parallel({ maxWorkers: 2 }, (p) => {
      for (let i = 0; i < 6; i++)
        p.add(async () => {
          ran.push(i);
          if (i % 2 === 0) throw `string failure ${i}`;
          return i;
        });
    });
    expect(ran.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(results.map((r) => r.ok)).toEqual([false, true, false, true, false, true]);
    expect(results[0]?.errorMessage).toBe('string failure 0');
  });

  it('a synchronous throw in a task function is a failed task, not a crash', async () => {
    const state = new ExecutionState();
    const results = await state.parallel({}, (p) => {
      p.add(() => {
        throw new TypeError('sync');
      });
      p.add(() => 'fine');
    });
    expect(results.map((r) => r.ok)).toEqual([false, true]);
    expect(results[0]?.error).toBeInstanceOf(TypeError);
  });
});

describe('fail_fast', () => {
  it('rejects with the same error object the task threw', async () => {
    const state = new ExecutionState();
    const error = new RangeError('the original');
    const p = state.parallel({ errorStrategy: 'fail_fast' });
    p.add(async () => {
      await sleep(5);
      throw error;
    });
    p.add(async () => 'ok');
    const thrown = await p.gather().catch((e: unknown) => e);
    expect(thrown).toBe(error);
    expect(p.group.status).toBe('failed');
  });

  it('aborts the running siblings, never starts queued ones', async () => {
    const { state, groupEvents } = recordingState();
    const error = new Error('fail fast');
    const started: number[] = [];
    const abortReasons: unknown[] = [];
    const p = state.parallel({ errorStrategy: ErrorStrategy.FAIL_FAST, maxWorkers: 3 });
    p.add(async () => {
      started.push(0);
      await sleep(10);
      throw error;
    }, 'bad');
    for (let i = 1; i < 3; i++)
      p.add(async ({ signal }) => {
        started.push(i);
        await sleep(5_000, signal).catch(() => abortReasons.push(signal.reason));
      });
    for (let i = 3; i < 8; i++)
      p.add(async () => {
        started.push(i);
      });
    await expect(p.gather()).rejects.toBe(error);
    await p.settled();
    await sleep(10);
    expect(started.sort()).toEqual([0, 1, 2]);
    expect(abortReasons).toHaveLength(2);
    expect(String((abortReasons[0] as Error).message)).toContain('fail_fast');
    expect(String((abortReasons[0] as Error).message)).toContain('bad');
    expect(p.group).toMatchObject({ status: 'failed', failed: 1, completed: 0, cancelled: 7 });
    expect(p.results?.[0]).toMatchObject({ ok: false, error });
    expect(p.results?.slice(1).every((r) => !r.ok)).toBe(true);
    const failed = groupEvents().find((e) => e.type === 'failed');
    expect(failed).toMatchObject({ failed: 1, cancelled: 7, message: 'fail fast' });
  });

  it('ends the group with the first failure even if another fails right after', async () => {
    const state = new ExecutionState();
    const first = new Error('first');
    const second = new Error('second');
    const gate = deferred();
    const p = state.parallel({ errorStrategy: 'fail_fast' });
    p.add(async () => {
      await gate.promise;
      throw first;
    });
    p.add(async () => {
      await gate.promise;
      await Promise.resolve();
      throw second;
    });
    gate.resolve();
    await expect(p.gather()).rejects.toBe(first);
    await p.settled();
    expect(p.group.errors.map((e) => e.error)).toEqual([first]);
  });

  it('a failed lazy run (ExecutionResult ok:false) triggers fail_fast with its error', async () => {
    const state = new ExecutionState();
    const error = new Error('from the tool');
    const tool = makeTool('Failing', () => {
      throw error;
    });
    let siblingAborted = false;
    const p = state.parallel({ errorStrategy: 'fail_fast' });
    p.add(async ({ signal }) => {
      await sleep(5_000, signal).catch(() => (siblingAborted = true));
    });
    p.add(state.run(tool, { value: 1 }));
    await expect(p.gather()).rejects.toBe(error);
    await p.settled();
    expect(siblingAborted).toBe(true);
  });

  it('cancellation of a fail_fast group is a ParallelCancelledError, not the strategy', async () => {
    const state = new ExecutionState();
    const p = state.parallel({ errorStrategy: 'fail_fast' });
    p.add(async ({ signal }) => sleep(5_000, signal));
    await sleep(1);
    p.cancel('stop');
    await expect(p.gather()).rejects.toBeInstanceOf(ParallelCancelledError);
  });
});
