import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  Agent,
  CancelledError,
  ExecutionState,
  type InterruptEvent,
  InterruptedError,
  Tool,
} from '../../src/index.js';
import { collect } from './helpers.js';

const empty = z.object({});

afterEach(() => {
  vi.useRealTimers();
});

/** An agent that resolves `started` and then waits until state.signal aborts, then throws its reason. */
function waiter(name = 'Waiter') {
  let markStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const seen: AbortSignal[] = [];
  const actor = new Agent({
    name,
    inputSchema: empty,
    handler: (_i, _c, state) =>
      new Promise<never>((_, reject) => {
        const signal = state.signal;
        seen.push(signal);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        markStarted();
      }),
  });
  return { actor, started, seen };
}

const interrupts = (events: ReturnType<typeof collect>) =>
  events.filter((e): e is InterruptEvent => e.kind === 'interrupt');

describe('requestInterrupt()', () => {
  it('publishes kind "interrupt" once and marks the state interrupted', () => {
    const state = new ExecutionState({ stateId: 'int' });
    const events = collect(state);
    state.requestInterrupt('user pressed stop');
    state.requestInterrupt('again');
    expect(interrupts(events)).toEqual([
      {
        kind: 'interrupt',
        reason: 'user pressed stop',
        source: 'request',
        timestamp: expect.any(Number),
        stateId: 'int',
      },
    ]);
    expect(state.interrupted).toBe(true);
    expect(state.signal.aborted).toBe(true);
    expect(state.signal.reason).toBeInstanceOf(InterruptedError);
    expect((state.signal.reason as Error).message).toMatch(/^Interrupted: user pressed stop\./);
  });

  it('has a default reason', () => {
    const state = new ExecutionState();
    const events = collect(state);
    state.requestInterrupt();
    expect(interrupts(events)[0]!.reason).toBe('requestInterrupt() was called');
  });

  it('aborts state.signal seen by a running handler; the run ends interrupted', async () => {
    const state = new ExecutionState();
    const { actor, started, seen } = waiter();
    const run = state.run(actor, {}).then((r) => r);
    await started;
    expect(seen[0]!.aborted).toBe(false);
    state.requestInterrupt('stop now');
    const result = await run;
    expect(seen[0]!.aborted).toBe(true);
    expect(result.ok).toBe(false);
    expect(result.error).toBeInstanceOf(InterruptedError);
    expect(result.errorMessage).toContain('stop now');
    expect(state.history.events.map((r) => r.status)).toEqual(['started', 'interrupted']);
  });

  it('a tool interrupted while running is not retried', async () => {
    const state = new ExecutionState();
    let calls = 0;
    const tool = new Tool({
      name: 'T',
      inputSchema: empty,
      handler: async (_i, _c, s) => {
        calls++;
        setTimeout(() => s.requestInterrupt('halt'), 1);
        await new Promise((r) => setTimeout(r, 5));
        throw new Error('saw the interrupt');
      },
      retry: { initialDelayMs: 0 },
    });
    const result = await state.run(tool, {});
    expect(calls).toBe(1);
    expect(state.history.events.at(-1)!.status).toBe('interrupted');
    // The message says why the run stopped; the handler's own error stays on `error`.
    expect(result.errorMessage).toMatch(/Interrupted: halt/);
    expect((result.error as Error).message).toBe('saw the interrupt');
  });

  it('new runs finish at once as interrupted without calling the handler', async () => {
    const state = new ExecutionState();
    const handler = vi.fn();
    const tool = new Tool({ name: 'Late', inputSchema: empty, handler });
    state.requestInterrupt('closing');
    const result = await state.run(tool, {});
    expect(result.ok).toBe(false);
    expect(result.error).toBeInstanceOf(InterruptedError);
    expect(result.errorMessage).toMatch(/Interrupted: closing/);
    expect(typeof result.executionTimeMs).toBe('number');
    expect(handler).not.toHaveBeenCalled();
    expect(state.history.events).toEqual([
      expect.objectContaining({ address: 'Late::tool_call', status: 'interrupted' }),
    ]);
  });

  it('stops a retry that is waiting for its backoff', async () => {
    const state = new ExecutionState();
    state.eventBus.subscribe((e) => {
      if (e.kind === 'execution' && e.status === 'retrying') state.requestInterrupt('enough');
    });
    const handler = vi.fn(() => {
      throw new Error('flaky');
    });
    const tool = new Tool({
      name: 'Flaky',
      inputSchema: empty,
      handler,
      retry: { initialDelayMs: 60_000 },
    });
    const before = performance.now();
    const result = await state.run(tool, {});
    expect(performance.now() - before).toBeLessThan(5000);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(result.error).toBeInstanceOf(InterruptedError);
    expect(state.history.events.map((r) => r.status)).toEqual([
      'started',
      'retrying',
      'interrupted',
    ]);
  });

  it('ends a backoff wait at once when the interrupt arrives during it', async () => {
    vi.useFakeTimers();
    const state = new ExecutionState();
    const handler = vi.fn(() => {
      throw new Error('flaky');
    });
    const tool = new Tool({
      name: 'Flaky',
      inputSchema: empty,
      handler,
      retry: { initialDelayMs: 10_000, jitter: false },
    });
    const run = state.run(tool, {}).then((r) => r);
    await vi.advanceTimersByTimeAsync(100);
    expect(state.history.events.at(-1)!.status).toBe('retrying');
    state.requestInterrupt('mid-wait');
    const result = await run;
    expect(result.errorMessage).toContain('mid-wait');
    expect(handler).toHaveBeenCalledTimes(1);
    expect(state.history.events.at(-1)!.status).toBe('interrupted');
    expect(vi.getTimerCount()).toBe(0); // the backoff timer was cleared
  });

  it('aborts the signals of running parallel branches', async () => {
    const state = new ExecutionState();
    const { actor, started, seen } = waiter();
    const p = state.parallel();
    p.add(() => state.run(actor, {}));
    const gathered = p.gather();
    await started;
    state.requestInterrupt('shutdown');
    await gathered.catch(() => undefined);
    expect(seen[0]!.aborted).toBe(true);
    expect(state.history.get('parallel[0]::Waiter::agent_call')!.status).toBe('interrupted');
  });
});

describe('interruptChecker', () => {
  it('is polled before every run; a reason string interrupts', async () => {
    let verdict: unknown = false;
    const checker = vi.fn(() => verdict);
    const state = new ExecutionState({ interruptChecker: checker });
    const events = collect(state);
    const handler = vi.fn(() => 'ran');
    const tool = new Tool({ name: 'T', inputSchema: empty, handler });
    expect((await state.run(tool, {})).ok).toBe(true);
    expect((await state.run(tool, {})).ok).toBe(true);
    expect(checker).toHaveBeenCalledTimes(2);
    verdict = 'maintenance window';
    const result = await state.run(tool, {});
    expect(result.ok).toBe(false);
    expect(result.errorMessage).toContain('maintenance window');
    expect(handler).toHaveBeenCalledTimes(2);
    expect(interrupts(events)).toEqual([
      expect.objectContaining({ reason: 'maintenance window', source: 'checker' }),
    ]);
    expect(state.history.events.at(-1)!.status).toBe('interrupted');
    await state.run(tool, {});
    expect(checker).toHaveBeenCalledTimes(3); // not polled once interrupted
  });

  it('`true` interrupts with a default reason', async () => {
    const state = new ExecutionState({ interruptChecker: () => true });
    const events = collect(state);
    const result = await state.run(
      new Tool({ name: 'T', inputSchema: empty, handler: () => 1 }),
      {},
    );
    expect(result.ok).toBe(false);
    expect(interrupts(events)[0]!.reason).toBe('the interrupt checker asked to stop');
  });

  it('may be async', async () => {
    let stop = false;
    const state = new ExecutionState({ interruptChecker: async () => stop && 'async stop' });
    const handler = vi.fn(() => 1);
    const tool = new Tool({ name: 'T', inputSchema: empty, handler });
    expect((await state.run(tool, {})).ok).toBe(true);
    stop = true;
    const result = await state.run(tool, {});
    expect(result.ok).toBe(false);
    expect(result.errorMessage).toContain('async stop');
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('a checker that throws or rejects interrupts the state and says so', async () => {
    const tool = new Tool({ name: 'T', inputSchema: empty, handler: () => 1 });
    const throwing = new ExecutionState({
      interruptChecker: () => {
        throw new Error('oops');
      },
    });
    const r1 = await throwing.run(tool, {});
    expect(r1.errorMessage).toContain('the interrupt checker threw: oops');
    const throwsString = new ExecutionState({
      interruptChecker: () => {
        throw 'plain';
      },
    });
    expect((await throwsString.run(tool, {})).errorMessage).toContain(
      'the interrupt checker threw: plain',
    );
    const rejecting = new ExecutionState({
      interruptChecker: () => Promise.reject(new Error('db down')),
    });
    const r2 = await rejecting.run(tool, {});
    expect(r2.errorMessage).toContain('the interrupt checker rejected: db down');
  });

  it('is polled by checkInterrupt(), which throws an InterruptedError', async () => {
    let verdict: unknown = false;
    const checker = vi.fn(() => verdict);
    const state = new ExecutionState({ interruptChecker: checker });
    await expect(state.checkInterrupt()).resolves.toBeUndefined();
    expect(checker).toHaveBeenCalledTimes(1);
    verdict = 'quota reached';
    await expect(state.checkInterrupt()).rejects.toBeInstanceOf(InterruptedError);
    await expect(state.checkInterrupt()).rejects.toThrow(/quota reached/);
    expect(state.interrupted).toBe(true);
  });

  it('checkInterrupt() inside a handler ends its run as interrupted', async () => {
    let polls = 0;
    const state = new ExecutionState({ interruptChecker: async () => ++polls > 3 });
    let steps = 0;
    const loop = new Tool({
      name: 'Loop',
      inputSchema: empty,
      handler: async (_i, _c, s) => {
        for (;;) {
          await s.checkInterrupt();
          steps++;
        }
      },
    });
    const result = await state.run(loop, {});
    expect(steps).toBe(2); // poll 1 is before the run, polls 2 and 3 pass, poll 4 stops
    expect(result.error).toBeInstanceOf(InterruptedError);
    expect(state.history.events.at(-1)!.status).toBe('interrupted');
  });

  it('checkInterrupt() without a checker only reflects requestInterrupt()', async () => {
    const state = new ExecutionState();
    await expect(state.checkInterrupt()).resolves.toBeUndefined();
    state.requestInterrupt('bye');
    await expect(state.checkInterrupt()).rejects.toThrow(/bye/);
  });
});

describe('state timeoutMs', () => {
  it('starts at the first run and interrupts the state when it elapses', async () => {
    vi.useFakeTimers();
    const state = new ExecutionState({ timeoutMs: 1000 });
    const events = collect(state);
    await vi.advanceTimersByTimeAsync(5000);
    expect(state.interrupted).toBe(false);
    const { actor, started, seen } = waiter();
    const run = state.run(actor, {}).then((r) => r);
    await started;
    await vi.advanceTimersByTimeAsync(999);
    expect(state.interrupted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(state.interrupted).toBe(true);
    expect(seen[0]!.aborted).toBe(true);
    expect(interrupts(events)).toEqual([
      expect.objectContaining({
        source: 'timeout',
        reason: 'the state timeout of 1000 ms elapsed',
      }),
    ]);
    const result = await run;
    expect(result.error).toBeInstanceOf(InterruptedError);
    const later = await state.run(actor, {});
    expect(later.ok).toBe(false);
    expect(state.history.get('Waiter#2::agent_call')!.status).toBe('interrupted');
  });

  it('is cleared by an earlier requestInterrupt()', async () => {
    vi.useFakeTimers();
    const state = new ExecutionState({ timeoutMs: 100 });
    const events = collect(state);
    await state.run(new Tool({ name: 'T', inputSchema: empty, handler: () => 1 }), {});
    state.requestInterrupt('manual');
    await vi.advanceTimersByTimeAsync(1000);
    expect(interrupts(events).map((e) => e.source)).toEqual(['request']);
  });
});

describe('group cancellation seen by runs', () => {
  it('a run cancelled with its group ends `cancelled`; later runs in the branch never start', async () => {
    const state = new ExecutionState();
    const { actor, started } = waiter();
    const handler = vi.fn();
    const late = new Tool({ name: 'Late', inputSchema: empty, handler });
    const p = state.parallel({ name: 'G' });
    p.add(async () => {
      const first = await state.run(actor, {});
      const second = await state.run(late, {});
      return [first, second];
    });
    const gathered = p.gather().catch(() => undefined);
    await started;
    p.cancel('user cancelled');
    await gathered;
    await p.settled();
    expect(state.history.get('G[0]::Waiter::agent_call')!.status).toBe('cancelled');
    const lateRecord = state.history.get('G[0]::Late::tool_call')!;
    expect(lateRecord.status).toBe('cancelled');
    expect(lateRecord.message).toBe("Parallel group 'G' was cancelled: user cancelled.");
    expect(handler).not.toHaveBeenCalled();
    expect(state.history.events.filter((r) => r.address === 'G[0]::Late::tool_call')).toHaveLength(
      1,
    );
  });

  it('a retry waiting for its backoff ends `cancelled` when its group is cancelled', async () => {
    const state = new ExecutionState();
    const handler = vi.fn(() => {
      throw new Error('flaky');
    });
    const tool = new Tool({
      name: 'F',
      inputSchema: empty,
      handler,
      retry: { initialDelayMs: 60_000 },
    });
    const p = state.parallel({ name: 'G' });
    state.eventBus.subscribe((e) => {
      if (e.kind === 'execution' && e.status === 'retrying') setTimeout(() => p.cancel(), 2);
    });
    p.add(() => state.run(tool, {}));
    await p.gather().catch(() => undefined);
    await p.settled();
    const record = state.history.get('G[0]::F::tool_call')!;
    expect(record.status).toBe('cancelled');
    expect(handler).toHaveBeenCalledTimes(1);
    expect(record.error).toBeInstanceOf(CancelledError);
    expect(record.error).not.toBeInstanceOf(InterruptedError);
  });
});

describe('the message of a run stopped by an interrupt', () => {
  it('is the interrupt reason even when the handler throws its own AbortError', async () => {
    const { z } = await import('zod');
    const { setTimeout: wait } = await import('node:timers/promises');
    const { ExecutionState: State, Tool: T } = await import('../../src/index.js');
    const state = new State();
    const slow = new T({
      name: 'Slow',
      inputSchema: z.object({}),
      retry: { enabled: false },
      handler: async (_input, _ctx, s) => {
        await wait(5_000, undefined, { signal: s.signal });
        return 'never';
      },
    });
    const running = state.run(slow, {}).then((r) => r);
    await wait(10);
    state.requestInterrupt('operator pressed stop');
    const result = await running;
    expect(result.ok).toBe(false);
    expect(result.errorMessage).toMatch(/operator pressed stop/);
    expect((result.error as Error).name).toBe('AbortError');
    expect(state.history.get('Slow::tool_call')?.status).toBe('interrupted');
  });
});
