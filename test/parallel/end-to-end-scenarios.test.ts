/**
 * End-to-end scenarios a user relies on: tasks really run concurrently, land in history under
 * their own addresses, come back in every result mode, fail as their strategy says, and the edge
 * cases (empty, single, nested, cancelled mid-run) behave. These are also the validation checks of
 * the original design (../shared/reference/REQUIREMENTS.md), translated to the TypeScript contract.
 * The wall-clock checks here use bounds at least 2x wide of the ideal, because they prove real
 * concurrency, which fake timers cannot.
 */
import { describe, expect, it } from 'vitest';
import {
  ErrorStrategy,
  ExecutionState,
  GroupStatus,
  ParallelCancelledError,
  ParallelDisplayMode,
} from '../../src/index.js';
import { deferred, makeTool, recordingState, sleep } from './helpers.js';

describe('the data model', () => {
  it('has the group statuses, error strategies and display modes', () => {
    expect(Object.values(GroupStatus).sort()).toEqual(
      ['cancelled', 'completed', 'failed', 'pending', 'running'].sort(),
    );
    expect(Object.values(ErrorStrategy).sort()).toEqual(['fail_fast', 'fail_slow']);
    expect(Object.values(ParallelDisplayMode).sort()).toEqual(
      ['collapsed', 'progress', 'realtime'].sort(),
    );
  });
});

describe('tasks run concurrently under maxWorkers', () => {
  it('three tasks of 0.1 s on three workers give three results in about 0.1 s, not 0.3 s', async () => {
    const state = new ExecutionState();
    const t0 = performance.now();
    const results = await state.parallel({ maxWorkers: 3 }, (p) => {
      for (let i = 0; i < 3; i++)
        p.add(async () => {
          await sleep(100);
          return i;
        });
    });
    const elapsed = performance.now() - t0;
    expect(results).toHaveLength(3);
    expect(results.map((r) => r.result)).toEqual([0, 1, 2]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(250); // sequential would be 300 ms
  });

  it('one worker runs the same three tasks one after another (~0.3 s)', async () => {
    const state = new ExecutionState();
    const t0 = performance.now();
    await state.parallel({ maxWorkers: 1 }, (p) => {
      for (let i = 0; i < 3; i++) p.add(() => sleep(50));
    });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(145);
  });
});

describe('runs in branches land in the state history', () => {
  it('parallel runs land in history under their own addresses', async () => {
    const { state } = recordingState();
    const tool = makeTool('Fetch', async (v) => {
      await sleep(v);
      return v;
    });
    await state.parallel({ name: 'Docs' }, (p) => {
      for (const v of [3, 1, 2]) p.add(state.run(tool, { value: v }));
    });
    const addresses = state.history.addresses();
    expect([...addresses].sort()).toEqual([
      'Docs[0]::Fetch::tool_call',
      'Docs[1]::Fetch::tool_call',
      'Docs[2]::Fetch::tool_call',
    ]);
    expect(state.history.get('Docs[0]::Fetch::tool_call')).toMatchObject({
      status: 'completed',
      result: 3,
      groupId: 'Docs',
      parallelIndex: 0,
      isParallel: true,
    });
  });
});

describe('result modes and the timeout', () => {
  it('a stream of five gives five results', async () => {
    const state = new ExecutionState();
    const p = state.parallel({ maxWorkers: 5 });
    // Finishing order is set by the test, not by timers: task 4 first, task 0 last.
    const gates = Array.from({ length: 5 }, () => deferred());
    for (let i = 0; i < 5; i++)
      p.add(async () => {
        await gates[i]!.promise;
        return i;
      });
    const got: number[] = [];
    const releasing = (async () => {
      for (let i = 4; i >= 0; i--) {
        gates[i]!.resolve();
        await sleep(2);
      }
    })();
    for await (const r of p.stream()) got.push(r.result as number);
    await releasing;
    expect(got).toHaveLength(5);
    expect([...got].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(got).toEqual([4, 3, 2, 1, 0]); // finishing order
  });

  it('named tasks come back under their names', async () => {
    const state = new ExecutionState();
    const p = state.parallel();
    p.add(async () => 'summary', 'summarize');
    p.add(async () => 'translation', 'translate');
    p.add(async () => 'keywords', { name: 'extract' });
    const dict = await p.gatherDict();
    expect(dict.summarize?.result).toBe('summary');
    expect(dict.translate?.result).toBe('translation');
    expect(dict.extract?.result).toBe('keywords');
  });

  it('the group timeout keeps partial results under fail_slow', async () => {
    const state = new ExecutionState();
    const p = state.parallel({ timeoutMs: 50 });
    p.add(async () => 'partial');
    p.add(async ({ signal }) => sleep(5_000, signal));
    const error = (await p.gather().catch((e: unknown) => e)) as { results: unknown[] };
    expect(error.results).toEqual([
      expect.objectContaining({ ok: true, result: 'partial' }),
      expect.objectContaining({ ok: false }),
    ]);
  });
});

describe('failures under each error strategy', () => {
  it('fail-slow over [failing, succeeding] gives [not ok, ok]', async () => {
    const state = new ExecutionState();
    const results = await state.parallel({ errorStrategy: 'fail_slow' }, (p) => {
      p.add(async () => {
        throw new Error('failing');
      });
      p.add(async () => 'succeeding');
    });
    expect(results.map((r) => r.ok)).toEqual([false, true]);
  });

  it("fail-fast raises the task's error", async () => {
    const state = new ExecutionState();
    const error = new Error('the task error');
    await expect(
      state.parallel({ errorStrategy: 'fail_fast' }, (p) => {
        p.add(async () => {
          throw error;
        });
        p.add(async ({ signal }) => sleep(5_000, signal));
      }),
    ).rejects.toBe(error);
  });

  it('retries with backoff and per-task attempt tracking; a basic circuit breaker', async () => {
    const state = new ExecutionState();
    const attempts: number[] = [];
    const results = await state.parallel(
      { maxRetries: 2, retryDelayMs: 1, circuitBreaker: { threshold: 5, resetTimeoutMs: 1_000 } },
      (p) => {
        p.add(async ({ attempt }) => {
          attempts.push(attempt);
          if (attempt < 3) throw new Error('flaky');
          return 'recovered';
        });
      },
    );
    expect(attempts).toEqual([1, 2, 3]);
    expect(results[0]).toMatchObject({ ok: true, result: 'recovered' });
  });
});

describe('edge cases', () => {
  it('empty group', async () => {
    const state = new ExecutionState();
    expect(await state.parallel({}, () => {})).toEqual([]);
    const p = state.parallel();
    expect(await p.gatherDict()).toEqual({});
    const streamed: unknown[] = [];
    for await (const r of state.parallel().stream()) streamed.push(r);
    expect(streamed).toEqual([]);
  });

  it('single task', async () => {
    const state = new ExecutionState();
    const results = await state.parallel({}, (p) => p.add(async () => 'only'));
    expect(results).toEqual([expect.objectContaining({ ok: true, result: 'only', index: 0 })]);
  });

  it('nested groups', async () => {
    const state = new ExecutionState({ maxConcurrency: 2 });
    const results = await state.parallel({ maxWorkers: 2 }, (p) => {
      for (let i = 0; i < 3; i++)
        p.add(async () => {
          const inner = await state.parallel({ maxWorkers: 2 }, (q) => {
            for (let j = 0; j < 3; j++) q.add(() => sleep(2).then(() => i * 10 + j));
          });
          return inner.map((r) => r.result);
        });
    });
    expect(results.map((r) => r.result)).toEqual([
      [0, 1, 2],
      [10, 11, 12],
      [20, 21, 22],
    ]);
  });

  it('cancellation mid-run', async () => {
    const state = new ExecutionState();
    const p = state.parallel({ maxWorkers: 2 });
    const finished: number[] = [];
    for (let i = 0; i < 6; i++)
      p.add(async ({ signal }) => {
        await sleep(i === 0 ? 1 : 5_000, signal);
        finished.push(i);
        return i;
      });
    await sleep(30);
    p.cancel('mid-run');
    const error = (await p.gather().catch((e: unknown) => e)) as ParallelCancelledError;
    expect(error).toBeInstanceOf(ParallelCancelledError);
    expect(finished).toEqual([0]);
    expect(error.results.map((r) => r.ok)).toEqual([true, false, false, false, false, false]);
    expect(p.group).toMatchObject({ status: 'cancelled', completed: 1, cancelled: 5 });
  });

  it('a five-task group is 3-5x faster than sequential', async () => {
    const state = new ExecutionState();
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) await sleep(40);
    const sequential = performance.now() - t0;
    const t1 = performance.now();
    await state.parallel({}, (p) => {
      for (let i = 0; i < 5; i++) p.add(() => sleep(40));
    });
    const parallel = performance.now() - t1;
    expect(sequential / parallel).toBeGreaterThan(2.5);
  });
});
