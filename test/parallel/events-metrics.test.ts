import { describe, expect, it } from 'vitest';
import { ExecutionState, GroupStatus } from '../../src/index.js';
import { flush, recordingState, sleep } from './helpers.js';

describe('group lifecycle events', () => {
  it("'started' carries the total of the first synchronous turn; 'updated' follows later adds", async () => {
    const { state, groupEvents } = recordingState();
    const p = state.parallel({ name: 'Batch', maxWorkers: 2 });
    p.add(async () => sleep(5));
    p.add(async () => sleep(5));
    p.add(async () => sleep(5));
    await flush();
    await sleep(1);
    p.add(async () => 'late 1');
    p.add(async () => 'late 2');
    await flush();
    await p.gather();
    const lifecycle = groupEvents().filter((e) => e.type !== 'task');
    expect(lifecycle.map((e) => [e.type, e.total])).toEqual([
      ['started', 3],
      ['updated', 5],
      ['completed', 5],
    ]);
    const started = lifecycle[0];
    expect(started).toMatchObject({
      kind: 'group',
      groupId: 'Batch',
      name: 'Batch',
      status: GroupStatus.RUNNING,
      maxWorkers: 2,
      depth: 0,
      parentGroupId: undefined,
      durationMs: undefined,
    });
    expect(started?.stateId).toBe(state.stateId);
    expect(typeof started?.timestamp).toBe('number');
    const completed = lifecycle[2];
    expect(completed).toMatchObject({
      status: 'completed',
      completed: 5,
      failed: 0,
      cancelled: 0,
      running: 0,
      started: 5,
    });
    expect(completed?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("publishes one 'task' event per settled task with its outcome", async () => {
    const { state, groupEvents } = recordingState();
    await state.parallel({ name: 'T' }, (p) => {
      p.add(() => 'fine', 'good');
      p.add(() => {
        throw new Error('bad task');
      }, 'bad');
    });
    const tasks = groupEvents().filter((e) => e.type === 'task');
    expect(tasks).toHaveLength(2);
    const byName = Object.fromEntries(tasks.map((e) => [e.taskName, e]));
    expect(byName.good).toMatchObject({ index: 0, outcome: 'completed', attempts: 1 });
    expect(byName.good?.message).toBeUndefined();
    expect(byName.bad).toMatchObject({ index: 1, outcome: 'failed', message: 'bad task' });
    expect(byName.bad?.taskDurationMs).toBeGreaterThanOrEqual(0);
  });

  it("'failed' under fail_fast and 'cancelled' on cancel, with counts and the message", async () => {
    const { state, groupEvents } = recordingState();
    const ff = state.parallel({ errorStrategy: 'fail_fast', name: 'FF' });
    ff.add(async () => {
      throw new Error('ff error');
    });
    ff.add(async ({ signal }) => sleep(5_000, signal));
    await ff.gather().catch(() => {});
    await ff.settled();
    const cancel = state.parallel({ name: 'C' });
    cancel.add(async ({ signal }) => sleep(5_000, signal));
    await sleep(1);
    cancel.cancel('why not');
    await cancel.settled();
    const ends = groupEvents().filter((e) => ['completed', 'failed', 'cancelled'].includes(e.type));
    expect(ends.map((e) => [e.groupId, e.type, e.failed, e.cancelled])).toEqual([
      ['FF', 'failed', 1, 1],
      ['C', 'cancelled', 0, 1],
    ]);
    expect(ends[0]?.message).toBe('ff error');
    expect(ends[1]?.message).toContain('why not');
  });

  it('an empty group publishes started (total 0) and completed', async () => {
    const { state, groupEvents } = recordingState();
    await state.parallel({ name: 'Empty' }).gather();
    expect(groupEvents().map((e) => [e.type, e.total])).toEqual([
      ['started', 0],
      ['completed', 0],
    ]);
  });

  it('a group cancelled before it started publishes nothing', async () => {
    const { state, groupEvents } = recordingState();
    const p = state.parallel();
    p.cancel();
    await p.settled();
    expect(groupEvents()).toEqual([]);
  });

  it('publishes nothing and still works when nobody subscribes', async () => {
    const state = new ExecutionState();
    expect(state.eventBus.hasSubscribers).toBe(false);
    const results = await state.parallel({}, (p) => p.add(() => 1));
    expect(results[0]?.result).toBe(1);
    let seen = 0;
    state.eventBus.subscribe(() => void seen++);
    expect(seen).toBe(0);
  });
});

describe('p.group', () => {
  it('reports a pending group before any task started', () => {
    const state = new ExecutionState();
    const p = state.parallel({ name: 'G', maxWorkers: 4, timeoutMs: 5_000 });
    expect(p.group).toEqual({
      groupId: 'G',
      name: 'G',
      status: 'pending',
      total: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
      running: 0,
      maxWorkers: 4,
      errorStrategy: 'fail_slow',
      timeoutMs: 5_000,
      startTime: undefined,
      endTime: undefined,
      durationMs: undefined,
      successRate: 0,
      errors: [],
      retries: 0,
    });
  });

  it('tracks a running group and its final record', async () => {
    const state = new ExecutionState();
    const p = state.parallel({ maxWorkers: 2 });
    const before = Date.now();
    p.add(async () => {
      await sleep(30);
      return 1;
    });
    p.add(async () => {
      throw new Error('x');
    }, 'x');
    p.add(async () => 3);
    await sleep(10);
    const running = p.group;
    expect(running.status).toBe('running');
    expect(running.total).toBe(3);
    expect(running.running).toBe(1);
    expect(running.startTime).toBeGreaterThanOrEqual(before);
    expect(running.endTime).toBeUndefined();
    expect(running.durationMs).toBeGreaterThanOrEqual(5);
    await p.gather();
    const done = p.group;
    expect(done).toMatchObject({
      status: 'failed',
      total: 3,
      completed: 2,
      failed: 1,
      cancelled: 0,
      running: 0,
      errorStrategy: 'fail_slow',
      timeoutMs: undefined,
    });
    expect(done.successRate).toBeCloseTo(2 / 3);
    expect(done.endTime).toBeGreaterThanOrEqual(done.startTime as number);
    expect(done.durationMs).toBe((done.endTime as number) - (done.startTime as number));
    expect(done.durationMs).toBeGreaterThanOrEqual(25);
    expect(done.errors).toEqual([
      expect.objectContaining({ index: 1, name: 'x', message: 'x', error: expect.any(Error) }),
    ]);
    // a snapshot: mutating it changes nothing
    done.errors.length = 0;
    expect(p.group.errors).toHaveLength(1);
  });
});

describe('state.metrics()', () => {
  it('starts at zero', () => {
    const state = new ExecutionState();
    expect(state.metrics()).toEqual({
      groups: { total: 0, running: 0, completed: 0, failed: 0, cancelled: 0 },
      tasks: { total: 0, running: 0, completed: 0, failed: 0, cancelled: 0 },
      peakConcurrency: 0,
      queueWait: { count: 0, meanMs: 0, p95Ms: 0, maxMs: 0 },
      taskDuration: { count: 0, meanMs: 0, p95Ms: 0, maxMs: 0 },
      retries: 0,
      breakerRefusals: 0,
    });
  });

  it('aggregates groups, tasks, peak concurrency, queue wait, retries and refusals', async () => {
    const state = new ExecutionState();
    await state.parallel({ maxWorkers: 2 }, (p) => {
      for (let i = 0; i < 6; i++) p.add(() => sleep(10));
    });
    await state.parallel({ maxRetries: 1, retryDelayMs: 1 }, (p) => {
      p.add(() => {
        throw new Error('fails twice');
      });
    });
    await state
      .parallel({ errorStrategy: 'fail_fast' }, (p) => {
        p.add(() => Promise.reject(new Error('ff')));
        p.add(({ signal }) => sleep(5_000, signal));
      })
      .catch(() => {});
    const c = state.parallel();
    c.add(({ signal }) => sleep(5_000, signal));
    await sleep(1);
    c.cancel();
    await c.settled();
    await state.parallel(
      { maxWorkers: 1, circuitBreaker: { threshold: 1, resetTimeoutMs: 60_000 } },
      (p) => {
        p.add(() => Promise.reject(new Error('open it')));
        p.add(() => 'refused');
        p.add(() => 'refused');
      },
    );
    const m = state.metrics();
    // a group with a failed task is failed, under fail_slow too
    expect(m.groups).toEqual({ total: 5, running: 0, completed: 1, failed: 3, cancelled: 1 });
    expect(m.tasks.total).toBe(6 + 1 + 2 + 1 + 3);
    expect(m.tasks.running).toBe(0);
    expect(m.tasks.completed + m.tasks.failed + m.tasks.cancelled).toBe(m.tasks.total);
    expect(m.tasks.cancelled).toBe(2);
    expect(m.peakConcurrency).toBeGreaterThanOrEqual(2);
    expect(m.queueWait.count).toBeGreaterThanOrEqual(10);
    // the last 4 of the first group waited for a worker (~10 ms each round)
    expect(m.queueWait.maxMs).toBeGreaterThanOrEqual(8);
    expect(m.queueWait.p95Ms).toBeGreaterThanOrEqual(m.queueWait.meanMs);
    expect(m.queueWait.p95Ms).toBeLessThanOrEqual(m.queueWait.maxMs);
    expect(m.taskDuration.meanMs).toBeGreaterThan(0);
    expect(m.retries).toBe(1);
    expect(m.breakerRefusals).toBe(2);
    expect(m.tasks.failed).toBe(1 + 1 + 3);
  });

  it('reports running groups and tasks while they run', async () => {
    const state = new ExecutionState();
    const p = state.parallel({ maxWorkers: 3 });
    for (let i = 0; i < 5; i++) p.add(() => sleep(20));
    await sleep(5);
    const m = state.metrics();
    expect(m.groups.running).toBe(1);
    expect(m.tasks.running).toBe(3);
    expect(m.peakConcurrency).toBe(3);
    await p.gather();
    expect(state.metrics().tasks.running).toBe(0);
    expect(state.metrics().groups.running).toBe(0);
  });

  it('keeps the percentile bounded for many tasks', async () => {
    const state = new ExecutionState();
    await state.parallel({ maxWorkers: 100 }, (p) => {
      for (let i = 0; i < 5_000; i++) p.add(() => i);
    });
    const m = state.metrics();
    expect(m.queueWait.count).toBe(5_000);
    expect(m.taskDuration.count).toBe(5_000);
    expect(Number.isFinite(m.queueWait.p95Ms)).toBe(true);
  });
});
