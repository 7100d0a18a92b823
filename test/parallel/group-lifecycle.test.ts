import { describe, expect, it } from 'vitest';
import {
  ExecutionEvent,
  ExecutionState,
  GroupStatus,
  LazyRun,
  ParallelCancelledError,
  ParallelExecutionManager,
  type ParallelResult,
  RhAgentsError,
  type TaskContext,
  UsageError,
} from '../../src/index.js';
import { deferred, flush, makeTool, sleep } from './helpers.js';

describe('await using state.parallel()', () => {
  it('gathers at the end of the scope and leaves the results on p.results', async () => {
    const state = new ExecutionState();
    let manager: ParallelExecutionManager | undefined;
    {
      await using p = state.parallel({ maxWorkers: 2, name: 'Docs' });
      manager = p;
      expect(p).toBeInstanceOf(ParallelExecutionManager);
      p.add(async () => {
        await sleep(10);
        return 'a';
      });
      p.add(async () => 'b', 'second');
      expect(p.results).toBeUndefined();
    }
    expect(manager.results).toEqual([
      expect.objectContaining({ ok: true, result: 'a', index: 0, name: undefined }),
      expect.objectContaining({ ok: true, result: 'b', index: 1, name: 'second' }),
    ]);
    expect(manager.group.status).toBe(GroupStatus.COMPLETED);
  });

  it('does not gather twice when gather() was called inside the scope', async () => {
    const state = new ExecutionState();
    let calls = 0;
    let gathered: ParallelResult[] | undefined;
    let manager: ParallelExecutionManager | undefined;
    {
      await using p = state.parallel();
      manager = p;
      p.add(async () => ++calls);
      gathered = await p.gather();
    }
    expect(calls).toBe(1);
    expect(manager.results).toBe(gathered);
  });

  it('does not wait at scope end for a task that ignores its signal after a fail_fast rejection', async () => {
    const state = new ExecutionState();
    let slowFinished = false;
    const t0 = performance.now();
    {
      await using p = state.parallel({ errorStrategy: 'fail_fast' });
      p.add(async () => {
        await sleep(300);
        slowFinished = true;
      });
      p.add(async () => {
        throw new Error('boom');
      });
      await expect(p.gather()).rejects.toThrow('boom');
    }
    // the slow task ignores its signal: it is abandoned, not waited for
    expect(slowFinished).toBe(false);
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('rethrows a group failure at scope end when nobody gathered', async () => {
    const state = new ExecutionState();
    const error = new Error('scope failure');
    const run = async (): Promise<void> => {
      await using p = state.parallel({ errorStrategy: 'fail_fast' });
      p.add(async () => {
        throw error;
      });
    };
    await expect(run()).rejects.toBe(error);
  });

  it('does not throw at scope end after cancel()', async () => {
    const state = new ExecutionState();
    let manager: ParallelExecutionManager | undefined;
    let aborted = false;
    {
      await using p = state.parallel({ maxWorkers: 1 });
      manager = p;
      p.add(async ({ signal }) => {
        await sleep(5_000, signal).catch(() => {
          aborted = true;
        });
      });
      await sleep(5);
      p.cancel('user changed their mind');
    }
    expect(aborted).toBe(true);
    expect(manager.group.status).toBe(GroupStatus.CANCELLED);
    expect(manager.results?.[0]).toMatchObject({ ok: false });
    expect(manager.results?.[0]?.errorMessage).toContain('user changed their mind');
  });
});

describe('callback form', () => {
  it('returns the gathered results', async () => {
    const state = new ExecutionState();
    const results = await state.parallel({ maxWorkers: 3 }, async (p) => {
      p.add(async () => 1);
      p.add(async () => 2);
      await sleep(1);
      p.add(() => 3);
    });
    expect(results.map((r) => r.result)).toEqual([1, 2, 3]);
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it('accepts a synchronous callback', async () => {
    const state = new ExecutionState();
    const results = await state.parallel({}, (p) => {
      p.add(() => 'sync');
    });
    expect(results).toEqual([expect.objectContaining({ ok: true, result: 'sync', index: 0 })]);
  });

  it('rejects a callback that is not a function', () => {
    const state = new ExecutionState();
    expect(() => state.parallel({}, 'nope' as never)).toThrow(TypeError);
  });

  it('cancels the group when the callback throws and rethrows only after the tasks settled', async () => {
    const state = new ExecutionState();
    const error = new Error('callback failed');
    let runningAborted = false;
    let runningSettled = false;
    let queuedStarted = false;
    const promise = state.parallel({ maxWorkers: 1 }, async (p) => {
      p.add(async ({ signal }) => {
        try {
          await sleep(5_000, signal);
        } catch {
          runningAborted = signal.aborted;
          // keep running a little after the abort: the rethrow must wait for this
          await sleep(20);
          runningSettled = true;
        }
      });
      p.add(async () => {
        queuedStarted = true;
      });
      await sleep(5);
      throw error;
    });
    await expect(promise).rejects.toBe(error);
    expect(runningAborted).toBe(true);
    expect(runningSettled).toBe(true);
    await sleep(5);
    expect(queuedStarted).toBe(false);
  });

  it('cancels tasks added in the same turn as a synchronous throw', async () => {
    const state = new ExecutionState();
    let invoked = 0;
    const error = new Error('sync throw');
    await expect(
      state.parallel({ maxWorkers: 1 }, (p) => {
        p.add(() => invoked++);
        p.add(() => invoked++);
        throw error;
      }),
    ).rejects.toBe(error);
    await flush();
    // the callback threw in the turn that added the tasks: none of them ever starts
    expect(invoked).toBe(0);
  });

  it('rethrows the group error (fail_fast) at once, abandoning a task that ignores its signal', async () => {
    const state = new ExecutionState();
    const error = new Error('task failed');
    let slowDone = false;
    const t0 = performance.now();
    await expect(
      state.parallel({ errorStrategy: 'fail_fast' }, (p) => {
        p.add(async () => {
          await sleep(300);
          slowDone = true;
        });
        p.add(async () => {
          throw error;
        });
      }),
    ).rejects.toBe(error);
    expect(slowDone).toBe(false);
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('rethrows a non-Error thrown by the callback', async () => {
    const state = new ExecutionState();
    await expect(
      state.parallel({}, () => {
        throw 'plain string';
      }),
    ).rejects.toBe('plain string');
  });
});

describe('add()', () => {
  it('accepts functions and lazy runs, with a name string or { name }', async () => {
    const state = new ExecutionState();
    const double = makeTool('Double', (v) => v * 2);
    const event = new ExecutionEvent({ actor: double });
    const p = state.parallel<unknown>();
    expect(p.add(async () => 'fn')).toBe(0);
    expect(p.add(event.run({ value: 2 }, undefined, state), 'lazy')).toBe(1);
    expect(p.add(() => event.run({ value: 5 }, undefined, state), { name: 'fnRun' })).toBe(2);
    expect(p.add(state.run(double, { value: 7 }), {})).toBe(3);
    const results = await p.gather();
    expect(results).toEqual([
      expect.objectContaining({ ok: true, result: 'fn', index: 0, name: undefined }),
      expect.objectContaining({ ok: true, result: 4, index: 1, name: 'lazy' }),
      expect.objectContaining({ ok: true, result: 10, index: 2, name: 'fnRun' }),
      expect.objectContaining({ ok: true, result: 14, index: 3, name: undefined }),
    ]);
  });

  it('passes the task context: index, name, attempt and signal', async () => {
    const state = new ExecutionState();
    const seen: Omit<TaskContext, 'signal'>[] = [];
    const results = await state.parallel({}, (p) => {
      p.add((ctx) => {
        seen.push({ index: ctx.index, name: ctx.name, attempt: ctx.attempt });
        expect(ctx.signal).toBeInstanceOf(AbortSignal);
        expect(ctx.signal.aborted).toBe(false);
        return ctx.index;
      });
      p.add((ctx) => {
        seen.push({ index: ctx.index, name: ctx.name, attempt: ctx.attempt });
        return ctx.name;
      }, 'named');
    });
    expect(seen).toEqual([
      { index: 0, name: undefined, attempt: 1 },
      { index: 1, name: 'named', attempt: 1 },
    ]);
    expect(results.map((r) => r.result)).toEqual([0, 'named']);
  });

  it('starts the tasks of one synchronous turn together, a microtask later, before gather()', async () => {
    const state = new ExecutionState();
    const started: number[] = [];
    const p = state.parallel({ maxWorkers: 5 });
    for (let i = 0; i < 3; i++)
      p.add(async () => {
        started.push(i);
        await sleep(5);
      });
    expect(started).toEqual([]);
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    await p.gather();
  });

  it('starts work while the caller is still adding across awaits', async () => {
    const state = new ExecutionState();
    const log: string[] = [];
    const p = state.parallel({ maxWorkers: 5 });
    p.add(async () => {
      log.push('a:start');
      await sleep(10);
      log.push('a:end');
    });
    await sleep(30);
    log.push('caller:adds b');
    p.add(async () => {
      log.push('b:start');
    });
    await p.gather();
    expect(log).toEqual(['a:start', 'a:end', 'caller:adds b', 'b:start']);
  });

  it('refuses an already-running promise with a TypeError that shows the () => form', () => {
    const state = new ExecutionState();
    const p = state.parallel({ name: 'Refuse' });
    const running = Promise.resolve(1);
    let error: unknown;
    try {
      p.add(running as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain('maxWorkers');
    expect((error as Error).message).toContain('() =>');
    expect((error as Error).message).toContain('Refuse');
    // a thenable that is not a Promise is refused the same way
    expect(() => p.add({ then: () => {} } as never)).toThrow(/maxWorkers/);
  });

  it('refuses a lazy run that was already awaited, or already added', async () => {
    const state = new ExecutionState();
    const tool = makeTool('Once', (v) => v);
    const run = state.run(tool, { value: 1 });
    await run;
    const p = state.parallel();
    expect(() => p.add(run)).toThrow(TypeError);
    expect(() => p.add(run)).toThrow(/already started/);
    const fresh = state.run(tool, { value: 2 });
    p.add(fresh);
    expect(() => p.add(fresh)).toThrow(TypeError);
    const results = await p.gather();
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ ok: true, result: 2 });
    expect(fresh).toBeInstanceOf(LazyRun);
  });

  it.each([
    ['a number', 42],
    ['a string', 'task'],
    ['null', null],
    ['undefined', undefined],
    ['a plain object', { run: () => 1 }],
  ])('refuses %s with a TypeError', (_label, value) => {
    const state = new ExecutionState();
    const p = state.parallel();
    expect(() => p.add(value as never)).toThrow(TypeError);
    expect(() => p.add(value as never)).toThrow(/expects a function/);
  });

  it('refuses a name that is not a string', () => {
    const state = new ExecutionState();
    const p = state.parallel();
    expect(() => p.add(() => 1, { name: 5 as never })).toThrow(TypeError);
    expect(() => p.add(() => 1, 7 as never)).toThrow(
      /add\(task, nameOrOptions\) expects a name \(a string\) or \{ name \}, got `7` \(number\)/,
    );
    expect(() => p.add(() => 1, null as never)).toThrow(/got `null` \(null\)/);
    expect(() => p.add(() => 1, { nam: 'x' } as never)).toThrow(/unknown option `nam`/);
    expect(p.group.total).toBe(0);
  });

  it('throws when adding after gather() started', async () => {
    const state = new ExecutionState();
    const p = state.parallel({ name: 'Late' });
    p.add(async () => sleep(5));
    const gathering = p.gather();
    expect(() => p.add(() => 1)).toThrow(/after gather\(\)/);
    expect(() => p.add(() => 1)).toThrow(UsageError);
    expect(() => p.add(() => 1)).toThrow(RhAgentsError);
    await gathering;
    expect(() => p.add(() => 1)).toThrow(UsageError);
  });

  it('throws when adding after stream() started', async () => {
    const state = new ExecutionState();
    const p = state.parallel();
    p.add(async () => 1);
    const iterator = p.stream()[Symbol.asyncIterator]();
    await iterator.next();
    expect(() => p.add(() => 2)).toThrow(/stream\(\)/);
    await iterator.return?.();
  });

  it('throws when adding after the group was cancelled, saying it ended (not "collecting")', () => {
    const state = new ExecutionState();
    const p = state.parallel({ name: 'Gone' });
    p.cancel('closed early');
    expect(() => p.add(() => 1)).toThrow(/'Gone': add\(\) was called after the group ended/);
    expect(() => p.add(() => 1)).toThrow(/closed early/);
    expect(() => p.add(() => 1)).toThrow(UsageError);
  });

  it('exposes name, groupId, options and a signal', () => {
    const state = new ExecutionState();
    const p = state.parallel({ name: 'Named', maxWorkers: 2 });
    expect(p.name).toBe('Named');
    expect(p.groupId).toBe('Named');
    expect(p.options.maxWorkers).toBe(2);
    expect(Object.isFrozen(p.options)).toBe(true);
    expect(p.signal.aborted).toBe(false);
    p.cancel();
    expect(p.signal.aborted).toBe(true);
  });
});

describe('cancel()', () => {
  it('aborts running tasks, never starts queued ones, and rejects gather with ParallelCancelledError', async () => {
    const state = new ExecutionState();
    const p = state.parallel({ maxWorkers: 2, name: 'Cancel' });
    const started: number[] = [];
    const aborted: number[] = [];
    for (let i = 0; i < 5; i++) {
      p.add(async ({ signal }) => {
        started.push(i);
        await sleep(5_000, signal).catch(() => aborted.push(i));
        return i;
      });
    }
    await sleep(5);
    const gathering = p.gather();
    p.cancel('enough');
    const error = await gathering.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParallelCancelledError);
    expect((error as ParallelCancelledError).message).toContain("'Cancel'");
    expect((error as ParallelCancelledError).message).toContain('enough');
    expect((error as ParallelCancelledError).reason).toBe('enough');
    expect((error as ParallelCancelledError).results).toHaveLength(5);
    await p.settled();
    expect(started).toEqual([0, 1]);
    expect(aborted.sort()).toEqual([0, 1]);
    expect(p.group).toMatchObject({ status: 'cancelled', cancelled: 5, completed: 0, total: 5 });
    expect(p.results?.every((r) => !r.ok)).toBe(true);
    // a second gather returns the same rejection
    await expect(p.gather()).rejects.toBe(error);
  });

  it('uses a default reason and does nothing once the group finished', async () => {
    const state = new ExecutionState();
    const p = state.parallel();
    p.add(() => 1);
    const results = await p.gather();
    p.cancel();
    expect(p.group.status).toBe('completed');
    expect(p.results).toBe(results);
    expect(p.signal.aborted).toBe(false);

    const q = state.parallel();
    q.add(async ({ signal }) => sleep(1_000, signal));
    await flush();
    q.cancel();
    await expect(q.gather()).rejects.toThrow(/cancel\(\) was called/);
  });

  it('lets a task that succeeds despite the abort count as completed', async () => {
    const state = new ExecutionState();
    const p = state.parallel();
    const release = deferred();
    p.add(async () => {
      await release.promise;
      return 'done anyway';
    });
    await flush();
    p.cancel();
    release.resolve();
    await p.settled();
    expect(p.group.status).toBe('cancelled');
    // the group's results were frozen at cancellation time
    expect(p.results?.[0]?.ok).toBe(false);
  });

  it('settled() resolves at once for a finished group', async () => {
    const state = new ExecutionState();
    const p = state.parallel();
    await p.gather();
    await expect(p.settled()).resolves.toBeUndefined();
  });
});
