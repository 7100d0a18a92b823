/**
 * A coordinator and worker processes on the real Redis: results, events and group tags on the
 * coordinator's bus, work spread over the workers, `maxWorkers`, every way of collecting,
 * fail_fast and timeouts removing waiting jobs and aborting running ones on the worker, and a
 * worker killed with SIGKILL mid-job.
 */
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BullMQExecutor } from '../../src/bullmq/index.js';
import {
  type BusEvent,
  CircuitBreaker,
  type ExecutionRecord,
  ExecutionEvent,
  ExecutionState,
  ParallelTimeoutError,
} from '../../src/index.js';
import { keys, work } from './fixtures/actors.js';
import {
  SKIP_MESSAGE,
  type WorkerProcess,
  cleanQueue,
  connection,
  hasRedis,
  startWorkerProcess,
  testRedis,
  uniqueQueue,
  waitUntil,
} from './helpers.js';

const run = (state: ExecutionState, n: number, extra: { ms?: number; fail?: boolean } = {}) =>
  new ExecutionEvent({ actor: work }).run({ n, ...extra }, '', state);

describe.skipIf(!hasRedis)('BullMQ: coordinator and worker processes', () => {
  let redis: Redis;
  let queueName: string;
  let workers: WorkerProcess[];
  let executor: BullMQExecutor;

  beforeEach((context) => {
    queueName = uniqueQueue(context.task.name.slice(0, 12).replace(/\W/g, '_'));
    redis = testRedis();
    workers = [];
    executor = new BullMQExecutor({ connection, queueName, checkIntervalMs: 500 });
  });
  afterEach(async () => {
    await executor.close();
    await Promise.all(workers.map((w) => w.kill('SIGKILL')));
    await cleanQueue(redis, queueName);
    redis.disconnect();
  });

  const start = async (count: number, concurrency: number, options = {}) => {
    workers = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        startWorkerProcess(queueName, `w${i}`, concurrency, options),
      ),
    );
  };
  const calls = async () => redis.hgetall(keys(queueName).calls);

  it('results, events and tags on the coordinator bus; work spread over workers; maxWorkers held', async () => {
    await start(2, 4);
    const state = new ExecutionState({ stateId: 'coordinator-1' });
    const events: BusEvent[] = [];
    state.eventBus.subscribe((e) => void events.push(e));
    const results = await state.parallel({ maxWorkers: 3, executor, name: 'docs' }, (p) => {
      for (let n = 0; n < 12; n++) p.add(run(state, n, { ms: 150 }));
    });
    expect(results.map((r) => (r.result as { doubled: number }).doubled)).toEqual(
      Array.from({ length: 12 }, (_, n) => n * 2),
    );
    const who = new Set(results.map((r) => (r.result as { worker: string }).worker));
    expect(who).toEqual(new Set(['w0', 'w1']));
    expect(Number(await redis.get(keys(queueName).max))).toBeLessThanOrEqual(3);
    expect(Object.values(await calls())).toEqual(Array(12).fill('1'));
    const records = events.filter((e): e is ExecutionRecord => e.kind === 'execution');
    for (let n = 0; n < 12; n++) {
      const mine = records.filter((r) => r.parallelIndex === n);
      expect(mine.map((r) => r.status)).toEqual(['started', 'completed']);
      // The detail and result a local run would have: rebuilt on the coordinator.
      const [started, completed] = mine;
      expect(started?.detail).toBe(JSON.stringify({ n, ms: 150 }));
      expect(completed?.result).toEqual(results[n]?.result);
      expect(completed?.detail).toBe(JSON.stringify(results[n]?.result));
      for (const r of mine) {
        expect(r).toMatchObject({
          address: `docs[${n}]::Work::tool_call`,
          groupId: 'docs',
          isParallel: true,
          stateId: 'coordinator-1',
        });
      }
    }
    const group = events.filter((e) => e.kind === 'group').map((e) => (e as { type: string }).type);
    expect(group[0]).toBe('started');
    expect(group.at(-1)).toBe('completed');
    expect(state.history.hasCompleted('docs[11]::Work::tool_call')).toBe(true);
  });

  it('collects as gatherDict and as a stream in finishing order', async () => {
    await start(2, 3);
    const state = new ExecutionState();
    const p = state.parallel({ maxWorkers: 6, executor });
    p.add(run(state, 0, { ms: 900 }), 'slow');
    p.add(run(state, 1, { ms: 50 }), 'fast');
    p.add(run(state, 2, { ms: 400 }));
    const order: number[] = [];
    for await (const r of p.stream()) order.push(r.index);
    expect(order).toEqual([1, 2, 0]);
    const state2 = new ExecutionState();
    const dict = await state2.parallel({ executor }, (q) => {
      q.add(run(state2, 5), 'five');
      q.add(run(state2, 6));
    });
    expect(dict.map((r) => r.name)).toEqual(['five', undefined]);
    const p3 = state2.parallel({ executor, name: 'again' });
    p3.add(run(state2, 7), 'seven');
    p3.add(run(state2, 8));
    const byName = await p3.gatherDict();
    expect((byName.seven?.result as { doubled: number }).doubled).toBe(14);
    expect((byName['1']?.result as { doubled: number }).doubled).toBe(16);
  });

  it('fail_fast removes the waiting jobs and aborts the running one on its worker', async () => {
    await start(2, 1);
    const state = new ExecutionState();
    const failing = state.parallel({ maxWorkers: 5, executor, errorStrategy: 'fail_fast' }, (p) => {
      p.add(run(state, 0, { ms: 400, fail: true }));
      p.add(run(state, 1, { ms: 20_000 }));
      for (let n = 2; n < 5; n++) p.add(run(state, n, { ms: 100 }));
    });
    await expect(failing).rejects.toThrow('task 0 failed on purpose');
    await waitUntil(
      async () => (await redis.sismember(keys(queueName).aborted, '1')) === 1,
      10_000,
      'the abort of task 1 on its worker',
    );
    await new Promise((r) => setTimeout(r, 800));
    // The worker that ran task 0 takes the next waiting job as it reports the failure (BullMQ
    // hands it over in the same call): that one is aborted too; the others never ran.
    const ran = Object.keys(await calls()).sort();
    expect(['0,1', '0,1,2']).toContain(ran.join(','));
    const aborted = await redis.smembers(keys(queueName).aborted);
    expect(aborted.sort()).toEqual(ran.filter((n) => n !== '0'));
    expect(await redis.llen(`bull:${queueName}:wait`)).toBe(0);
    expect(state.history.get('parallel[1]::Work::tool_call')?.status).toBe('cancelled');
  });

  it('a timeout aborts the running job on its worker', async () => {
    await start(2, 1);
    const state = new ExecutionState();
    const started = Date.now();
    const timing = state.parallel({ executor, timeoutMs: 1500 }, (p) => {
      p.add(run(state, 0, { ms: 30_000 }));
      p.add(run(state, 1, { ms: 10 }));
    });
    const error = await timing.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParallelTimeoutError);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((error as ParallelTimeoutError).results[1]?.ok).toBe(true);
    await waitUntil(
      async () => (await redis.sismember(keys(queueName).aborted, '0')) === 1,
      10_000,
      'the abort of task 0 on its worker',
    );
  });

  it('group retries send a failed job again, and a shared circuit breaker stops sending jobs', async () => {
    await start(2, 2);
    const state = new ExecutionState();
    const retried = await state.parallel({ executor, maxRetries: 2, retryDelayMs: 10 }, (p) => {
      p.add(run(state, 0, { fail: true }));
      p.add(run(state, 1));
    });
    expect(retried.map((r) => r.ok)).toEqual([false, true]);
    expect(retried[0]?.errorMessage).toContain('task 0 failed on purpose');
    // Three attempts of task 0, each a job of its own run on a worker; task 1 once.
    expect(await calls()).toEqual({ '0': '3', '1': '1' });

    const breaker = new CircuitBreaker({ threshold: 2, resetTimeoutMs: 60_000 });
    const broken = await state.parallel(
      { executor, maxWorkers: 1, circuitBreaker: breaker, name: 'guarded' },
      (p) => {
        for (let n = 10; n < 15; n++) p.add(run(state, n, { fail: true }));
      },
    );
    expect(broken.every((r) => !r.ok)).toBe(true);
    expect(breaker.state).toBe('open');
    // Two jobs ran and failed; the breaker refused the other three without sending them.
    const ran = Object.keys(await calls()).filter((n) => Number(n) >= 10);
    expect(ran.sort()).toEqual(['10', '11']);
    expect(await redis.llen(`bull:${queueName}:wait`)).toBe(0);
  });

  it('a worker killed with SIGKILL mid-job: the job runs again on the other worker, one result per task', async () => {
    await start(2, 1, { stalledInterval: 1000, lockDuration: 2000, maxStalledCount: 1 });
    const state = new ExecutionState();
    const events: ExecutionRecord[] = [];
    state.eventBus.subscribe((e) => void (e.kind === 'execution' && events.push(e)));
    const gathering = state.parallel({ maxWorkers: 2, executor }, (p) => {
      p.add(run(state, 0, { ms: 3000 }));
      p.add(run(state, 1, { ms: 3000 }));
    });
    const who = keys(queueName).who;
    await waitUntil(async () => (await redis.hlen(who)) === 2, 20_000, 'both tasks started');
    const victim = (await redis.hget(who, '0')) as string;
    const survivor = victim === 'w0' ? 'w1' : 'w0';
    await workers.find((w) => w.name === victim)?.kill('SIGKILL');
    const results = await gathering;
    expect(results).toHaveLength(2);
    expect(results.every((r) => r.ok)).toBe(true);
    expect((results[0]?.result as { worker: string }).worker).toBe(survivor);
    expect(await calls()).toEqual({ '0': '2', '1': '1' });
    const completed = events.filter((e) => e.status === 'completed').map((e) => e.parallelIndex);
    expect(completed.sort()).toEqual([0, 1]);
  }, 60_000);
});

describe.skipIf(hasRedis)('BullMQ without Redis', () => {
  it('is skipped', () => console.warn(SKIP_MESSAGE));
});
