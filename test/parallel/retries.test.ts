import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExecutionState } from '../../src/index.js';
import { makeTool, recordingState, sleep } from './helpers.js';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('group retries', () => {
  it('re-invokes a failing function until it succeeds, with the attempt in the task context', async () => {
    const state = new ExecutionState();
    const attempts: number[] = [];
    const p = state.parallel({ maxRetries: 3, retryDelayMs: 1 });
    p.add(async ({ attempt }) => {
      attempts.push(attempt);
      if (attempt < 3) throw new Error(`attempt ${attempt} failed`);
      return 'third time lucky';
    });
    const results = await p.gather();
    expect(attempts).toEqual([1, 2, 3]);
    expect(results[0]).toMatchObject({ ok: true, result: 'third time lucky' });
    expect(p.group).toMatchObject({ completed: 1, failed: 0, retries: 2 });
    expect(state.metrics().retries).toBe(2);
  });

  it('says how many attempts were made when the retries are exhausted', async () => {
    const state = new ExecutionState();
    let calls = 0;
    const results = await state.parallel({ maxRetries: 2, retryDelayMs: 1 }, (p) => {
      p.add(async () => {
        calls++;
        throw new Error('always fails');
      });
    });
    expect(calls).toBe(3);
    expect(results[0]?.ok).toBe(false);
    expect(results[0]?.errorMessage).toBe('always fails (after 3 attempts)');
    expect((results[0]?.error as Error).message).toBe('always fails');
  });

  it('does not retry with the default maxRetries of 0, and keeps the plain message', async () => {
    const state = new ExecutionState();
    let calls = 0;
    const results = await state.parallel({}, (p) => {
      p.add(() => {
        calls++;
        throw new Error('once');
      });
    });
    expect(calls).toBe(1);
    expect(results[0]?.errorMessage).toBe('once');
  });

  it('re-runs a lazy run: a fresh execution of the actor each time', async () => {
    const { state, executions } = recordingState();
    let calls = 0;
    const flaky = makeTool('Flaky', (v) => {
      calls++;
      if (calls < 2) throw new Error('flaky');
      return v;
    });
    const results = await state.parallel({ maxRetries: 2, retryDelayMs: 1, name: 'G' }, (p) => {
      p.add(state.run(flaky, { value: 9 }));
    });
    expect(calls).toBe(2);
    expect(results[0]).toMatchObject({ ok: true, result: 9 });
    const records = executions();
    expect(records.filter((r) => r.status === 'failed')).toHaveLength(1);
    expect(records.filter((r) => r.status === 'completed')).toHaveLength(1);
    // a retry runs the branch again at the same address, with retryAttempt counting on
    const started = records.filter((r) => r.status === 'started');
    expect(started.map((r) => [r.address, r.retryAttempt])).toEqual([
      ['G[0]::Flaky::tool_call', 1],
      ['G[0]::Flaky::tool_call', 2],
    ]);
    expect(state.history.get('G[0]::Flaky::tool_call')?.status).toBe('completed');
    expect(state.history.hasCompleted('G[0]::Flaky::tool_call')).toBe(true);
  });

  it('doubles the delay between attempts (retryDelayMs * 2^attempt, jitter pinned)', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0.5); // jitter factor exactly 1
    const state = new ExecutionState();
    const times: number[] = [];
    const p = state.parallel({ maxRetries: 3, retryDelayMs: 100 });
    p.add(async () => {
      times.push(Date.now());
      throw new Error('nope');
    });
    const gathering = p.gather();
    await vi.advanceTimersByTimeAsync(100 + 200 + 400 + 10);
    const results = await gathering;
    expect(times).toHaveLength(4);
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    expect(gaps).toEqual([100, 200, 400]);
    expect(results[0]?.errorMessage).toContain('after 4 attempts');
  });

  it('jitter keeps each delay within ±25%', async () => {
    vi.useFakeTimers();
    const random = vi.spyOn(Math, 'random').mockReturnValue(0); // factor 0.75
    const state = new ExecutionState();
    const times: number[] = [];
    const p = state.parallel({ maxRetries: 1, retryDelayMs: 100 });
    p.add(async () => {
      times.push(Date.now());
      throw new Error('nope');
    });
    const gathering = p.gather();
    await vi.advanceTimersByTimeAsync(74);
    expect(times).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(times).toHaveLength(2);
    await gathering;
    expect(random).toHaveBeenCalled();
  });

  it('a cancellation during the retry delay ends the task as cancelled without another attempt', async () => {
    const state = new ExecutionState();
    let calls = 0;
    const p = state.parallel({ maxRetries: 5, retryDelayMs: 5_000 });
    p.add(async () => {
      calls++;
      throw new Error('retry me');
    });
    await sleep(10);
    p.cancel('no more retries');
    await expect(p.gather()).rejects.toThrow(/no more retries/);
    await p.settled();
    expect(calls).toBe(1);
    expect(p.group).toMatchObject({ status: 'cancelled', cancelled: 1, failed: 0 });
  });

  it('does not retry a task failing because its group was cancelled', async () => {
    const state = new ExecutionState();
    let calls = 0;
    const p = state.parallel({ maxRetries: 3, retryDelayMs: 1 });
    p.add(async ({ signal }) => {
      calls++;
      await sleep(5_000, signal);
    });
    await sleep(5);
    p.cancel();
    await p.settled();
    expect(calls).toBe(1);
  });

  it('a retried task that succeeds only after the fail_fast group failed is not re-counted', async () => {
    const state = new ExecutionState();
    const boom = new Error('boom');
    const p = state.parallel({ errorStrategy: 'fail_fast', maxRetries: 1, retryDelayMs: 1 });
    p.add(async () => {
      throw boom;
    });
    await expect(p.gather()).rejects.toBe(boom);
    await p.settled();
    expect(p.group.failed).toBe(1);
  });

  it('publishes the attempts of each settled task', async () => {
    const { state, groupEvents } = recordingState();
    await state.parallel({ maxRetries: 2, retryDelayMs: 1 }, (p) => {
      p.add(async ({ attempt }) => {
        if (attempt === 1) throw new Error('first');
        return attempt;
      });
    });
    const task = groupEvents().find((e) => e.type === 'task');
    expect(task).toMatchObject({ index: 0, outcome: 'completed', attempts: 2 });
  });
});

describe('group retries in the retry vocabulary (`retry: RetryConfig`)', () => {
  it('follows the backoff strategy: constant delays between attempts', async () => {
    const state = new ExecutionState();
    const startedAt: number[] = [];
    const results = await state.parallel(
      { retry: { maxAttempts: 3, backoffStrategy: 'constant', initialDelayMs: 40, jitter: false } },
      (p) => {
        p.add(async () => {
          startedAt.push(performance.now());
          throw new Error('down');
        });
      },
    );
    expect(results[0]?.errorMessage).toBe('down (after 3 attempts)');
    expect(startedAt).toHaveLength(3);
    const gaps = [startedAt[1]! - startedAt[0]!, startedAt[2]! - startedAt[1]!];
    // Constant: both gaps about 40 ms (an exponential policy would make the second 80 ms).
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(35);
      expect(gap).toBeLessThan(75);
    }
  });

  it('retries only what retryOn matches, and never what exclude matches', async () => {
    class Transient extends Error {}
    const state = new ExecutionState();
    const calls = { transient: 0, fatal: 0, excluded: 0 };
    const results = await state.parallel(
      {
        retry: {
          maxAttempts: 3,
          initialDelayMs: 1,
          retryOn: Transient,
          exclude: (e) => (e as Error).message === 'no',
        },
      },
      (p) => {
        p.add(async () => {
          calls.transient++;
          throw new Transient('blip');
        });
        p.add(async () => {
          calls.fatal++;
          throw new Error('fatal');
        });
        p.add(async () => {
          calls.excluded++;
          throw new Transient('no');
        });
      },
    );
    expect(calls).toEqual({ transient: 3, fatal: 1, excluded: 1 });
    expect(results.map((r) => r.errorMessage)).toEqual(['blip (after 3 attempts)', 'fatal', 'no']);
  });

  it('`enabled: false` switches group retries off', async () => {
    const state = new ExecutionState();
    let calls = 0;
    await state.parallel({ retry: { maxAttempts: 5, enabled: false } }, (p) => {
      p.add(async () => {
        calls++;
        throw new Error('x');
      });
    });
    expect(calls).toBe(1);
  });
});
