import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExecutionState, ParallelTimeoutError, RhAgentsError } from '../../src/index.js';
import { flush, recordingState, sleep } from './helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('group timeoutMs', () => {
  it('rejects with a ParallelTimeoutError that names the group, the timeout and how many finished', async () => {
    const state = new ExecutionState();
    const p = state.parallel({ name: 'Slow', timeoutMs: 60, maxWorkers: 4 });
    const aborted: number[] = [];
    p.add(async () => 'quick', 'quick');
    p.add(async () => {
      await sleep(5);
      return 'also quick';
    });
    for (let i = 2; i < 4; i++)
      p.add(async ({ signal }) => {
        await sleep(5_000, signal).catch(() => aborted.push(i));
        return 'too late';
      });
    const t0 = performance.now();
    const error = (await p.gather().catch((e: unknown) => e)) as ParallelTimeoutError;
    const elapsed = performance.now() - t0;
    expect(error).toBeInstanceOf(ParallelTimeoutError);
    expect(error).toBeInstanceOf(RhAgentsError);
    expect(error.name).toBe('ParallelTimeoutError');
    expect(error.message).toContain("'Slow'");
    expect(error.message).toContain('60 ms');
    expect(error.message).toContain('2 of 4');
    expect(error.message).toMatch(/timeoutMs/);
    expect(error.message).toMatch(/maxWorkers/);
    expect(error).toMatchObject({ groupId: 'Slow', timeoutMs: 60, finished: 2, total: 4 });
    expect(elapsed).toBeGreaterThanOrEqual(50);
    expect(elapsed).toBeLessThan(1_000);
    // finished results kept, unfinished ones cancelled
    expect(error.results.map((r) => r.ok)).toEqual([true, true, false, false]);
    expect(error.results[0]).toMatchObject({ result: 'quick', name: 'quick' });
    expect(error.results[2]?.errorMessage).toMatch(/Cancelled/);
    await p.settled();
    expect(aborted.sort()).toEqual([2, 3]);
    expect(p.results).toBe(error.results);
    expect(p.group).toMatchObject({ status: 'failed', completed: 2, cancelled: 2 });
  });

  it('never starts queued tasks after the timeout', async () => {
    const state = new ExecutionState();
    const started: number[] = [];
    const p = state.parallel({ timeoutMs: 30, maxWorkers: 1 });
    for (let i = 0; i < 3; i++)
      p.add(async ({ signal }) => {
        started.push(i);
        await sleep(1_000, signal);
      });
    await expect(p.gather()).rejects.toBeInstanceOf(ParallelTimeoutError);
    await p.settled();
    await sleep(10);
    expect(started).toEqual([0]);
  });

  it('does not fire for a group that finished in time, and leaves no timer behind', async () => {
    vi.useFakeTimers();
    const state = new ExecutionState();
    const p = state.parallel({ timeoutMs: 1_000 });
    p.add(async () => 'fast');
    const results = await p.gather();
    expect(results[0]?.ok).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('starts the clock when the first tasks start, not when the group is opened', async () => {
    vi.useFakeTimers();
    const { state, groupEvents } = recordingState();
    const p = state.parallel({ timeoutMs: 100, name: 'Clock' });
    // the group sits unused longer than its timeout
    await vi.advanceTimersByTimeAsync(500);
    expect(p.group.status).toBe('pending');
    expect(vi.getTimerCount()).toBe(0);
    p.add(async () => {
      await new Promise((r) => setTimeout(r, 80));
      return 'within the timeout';
    });
    const gathering = p.gather();
    await vi.advanceTimersByTimeAsync(90);
    const results = await gathering;
    expect(results[0]).toMatchObject({ ok: true, result: 'within the timeout' });
    expect(groupEvents().map((e) => e.type)).toEqual(['started', 'task', 'completed']);
  });

  it('times out with fake timers, and a timed-out task that succeeds later changes nothing', async () => {
    vi.useFakeTimers();
    const state = new ExecutionState();
    const p = state.parallel({ timeoutMs: 100 });
    p.add(async () => {
      // ignores its signal
      await new Promise((r) => setTimeout(r, 300));
      return 'late';
    });
    const gathering = p.gather().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    const error = (await gathering) as ParallelTimeoutError;
    expect(error).toBeInstanceOf(ParallelTimeoutError);
    expect(error.finished).toBe(0);
    expect(error.message).toContain('0 of 1');
    let settled = false;
    void p.settled().then(() => (settled = true));
    await flush();
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(settled).toBe(true);
    expect(p.results?.[0]?.ok).toBe(false);
    expect(p.group.completed).toBe(0);
  });
});

describe('deadlines of groups nobody collected yet, and settled()', () => {
  it('a timeout does not fire when every task finished before anyone collected', async () => {
    const state = new ExecutionState();
    const p = state.parallel({ timeoutMs: 30 });
    p.add(async () => 1);
    p.add(async () => 2);
    await sleep(60);
    const results = await p.gather();
    expect(results.map((r) => r.result)).toEqual([1, 2]);
    expect(p.group.status).toBe('completed');
  });

  it('tasks added after the deadline passed while the group was idle time out at once', async () => {
    const state = new ExecutionState();
    const p = state.parallel({ timeoutMs: 20, name: 'Late' });
    p.add(async () => 1);
    await sleep(40);
    p.add(() => sleep(1000).then(() => 2));
    await expect(p.gather()).rejects.toThrow(
      /Parallel group 'Late' timed out after 20 ms with 1 of 2/,
    );
  });

  it('settled() resolves for a group nobody collected once its tasks are done', async () => {
    const state = new ExecutionState();
    const p = state.parallel();
    p.add(async () => 1);
    await expect(
      Promise.race([p.settled().then(() => 'settled'), sleep(500).then(() => 'hung')]),
    ).resolves.toBe('settled');
    expect(p.group.completed).toBe(1);
  });
});
