/**
 * Deadlines hold in every form (issue 7, item 4), and durations past Node's timer limit work as
 * asked (item 1): never early, and a long wait still ends at once on cancel or interrupt.
 */
import { z } from 'zod';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type BusEvent,
  ExecutionState,
  type LogEvent,
  ParallelTimeoutError,
  Tool,
} from '../../src/index.js';
import { MAX_TIMER_MS, startTimer } from '../../src/util/timer.js';
import { sleep, watchProcess, within } from '../parallel/helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A task that never looks at its signal and takes `ms`. */
const stubborn = (ms: number, log?: string[]) => async () => {
  await sleep(ms);
  log?.push('stubborn finished');
  return 'late';
};

function warnings(state: ExecutionState): LogEvent[] {
  const seen: LogEvent[] = [];
  state.eventBus.subscribe((e: BusEvent) => {
    if (e.kind === 'log' && e.severity === 'warning') seen.push(e);
  });
  return seen;
}

describe('a timeout holds in every form, whatever the tasks do with their signal', () => {
  it('callback form: rejects at the deadline, not when the stubborn task ends', async () => {
    const state = new ExecutionState();
    const t0 = performance.now();
    const outcome = state.parallel({ name: 'CB', timeoutMs: 60 }, (p) => {
      p.add(stubborn(1500), 'slow');
    });
    await expect(within(outcome, 1000, 'the callback form')).rejects.toBeInstanceOf(
      ParallelTimeoutError,
    );
    expect(performance.now() - t0).toBeLessThan(700);
  });

  it('await using: rethrows the timeout at once at scope end', async () => {
    const state = new ExecutionState();
    const t0 = performance.now();
    const scope = async (): Promise<void> => {
      await using p = state.parallel({ name: 'AU', timeoutMs: 60 });
      p.add(stubborn(1500));
    };
    await expect(within(scope(), 1000, 'await using')).rejects.toBeInstanceOf(ParallelTimeoutError);
    expect(performance.now() - t0).toBeLessThan(700);
  });

  it('fail_fast: the first failure rejects the callback form at once', async () => {
    const state = new ExecutionState();
    const boom = new Error('boom');
    const t0 = performance.now();
    const outcome = state.parallel({ errorStrategy: 'fail_fast' }, (p) => {
      p.add(stubborn(1500));
      p.add(async () => {
        await sleep(20);
        throw boom;
      });
    });
    await expect(within(outcome, 1000, 'fail_fast')).rejects.toBe(boom);
    expect(performance.now() - t0).toBeLessThan(700);
  });
});

describe('an abandoned task', () => {
  it('keeps its worker slot until it settles, its late result is dropped, and a warning names it', async () => {
    const state = new ExecutionState({ maxConcurrency: 1 });
    const seen = warnings(state);
    const log: string[] = [];
    const first = state.parallel({ name: 'First', timeoutMs: 40 });
    first.add(stubborn(500, log), 'slow');
    await expect(first.gather()).rejects.toBeInstanceOf(ParallelTimeoutError);
    const timedOutAt = performance.now();

    // The state-wide cap is 1 and the abandoned task still holds the slot: the next group's
    // task starts only once the abandoned one settled.
    let startedAt = 0;
    const second = await state.parallel({ name: 'Second' }, (p) => {
      p.add(async () => {
        startedAt = performance.now();
        log.push('second started');
      });
    });
    expect(second[0]?.ok).toBe(true);
    expect(log).toEqual(['stubborn finished', 'second started']);
    expect(startedAt - timedOutAt).toBeGreaterThan(300);

    // The late result was dropped: the group's results still say it was cancelled.
    expect(first.results?.[0]).toMatchObject({ ok: false, name: 'slow' });
    expect(first.group).toMatchObject({ status: 'failed', completed: 0, cancelled: 1 });

    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ groupId: 'First', parallelIndex: 0, isParallel: true });
    expect(seen[0]?.message).toMatch(
      /^Task 0 \('slow'\) of group 'First' was still running 250 ms after the group failed .* abandoned/,
    );
  });

  it('a task that stops on its signal is not warned about', async () => {
    const state = new ExecutionState();
    const seen = warnings(state);
    const p = state.parallel({ timeoutMs: 30 });
    p.add(({ signal }) => sleep(5000, signal));
    await expect(p.gather()).rejects.toBeInstanceOf(ParallelTimeoutError);
    await sleep(350);
    expect(seen).toEqual([]);
  });
});

describe('durations past the 2^31-1 ms timer limit', () => {
  it('startTimer never fires early, however long the delay', () => {
    vi.useFakeTimers();
    for (const ms of [2 ** 31, 3 * MAX_TIMER_MS + 5, Number.MAX_SAFE_INTEGER]) {
      const fired = vi.fn();
      const timer = startTimer(fired, ms);
      vi.advanceTimersByTime(MAX_TIMER_MS);
      expect(fired).not.toHaveBeenCalled();
      if (ms <= 3 * MAX_TIMER_MS + 5) {
        vi.advanceTimersByTime(ms - MAX_TIMER_MS - 1);
        expect(fired).not.toHaveBeenCalled();
        vi.advanceTimersByTime(1);
        expect(fired).toHaveBeenCalledTimes(1);
      }
      timer.clear();
    }
  });

  it('a cleared long timer never fires', () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    const timer = startTimer(fired, 2 ** 31 + 10);
    vi.advanceTimersByTime(MAX_TIMER_MS + 1);
    timer.clear();
    vi.advanceTimersByTime(MAX_TIMER_MS);
    expect(fired).not.toHaveBeenCalled();
  });

  it.each([2 ** 31, Number.MAX_SAFE_INTEGER])(
    'a group timeoutMs of %d does not fire (and Node warns of no overflow)',
    async (timeoutMs) => {
      const watcher = watchProcess();
      const state = new ExecutionState();
      const results = await state.parallel({ timeoutMs }, (p) => {
        p.add(() => sleep(30).then(() => 'done'));
      });
      const { warnings: seen } = watcher.stop();
      expect(results[0]).toMatchObject({ ok: true, result: 'done' });
      expect(seen.filter((w) => w.name === 'TimeoutOverflowWarning')).toEqual([]);
    },
  );

  it('a state timeoutMs of 1e10 does not interrupt the state', async () => {
    const state = new ExecutionState({ timeoutMs: 1e10 });
    const tool = new Tool({
      name: 'Slowish',
      inputSchema: z.object({}),
      handler: () => sleep(30).then(() => 'ok'),
    });
    expect(await state.run(tool, {})).toMatchObject({ ok: true, result: 'ok' });
    expect(state.interrupted).toBe(false);
  });

  it('a retry delay of 1e12 ms waits (no second attempt at once) and ends at once on cancel or interrupt', async () => {
    let calls = 0;
    const tool = new Tool({
      name: 'Flaky',
      inputSchema: z.object({}),
      retry: { maxAttempts: 3, initialDelayMs: 1e12, maxDelayMs: 1e12 },
      handler: () => {
        calls++;
        throw new Error('down');
      },
    });
    // cancel: a group's run waiting for its retry ends when the group is cancelled
    const state = new ExecutionState();
    const p = state.parallel({ name: 'G' });
    p.add(state.run(tool, {}));
    await sleep(50);
    expect(calls).toBe(1);
    p.cancel('enough');
    await expect(within(p.gather(), 1000, 'cancel')).rejects.toThrow('enough');

    // interrupt: a plain run waiting for its retry ends when the state is interrupted
    const other = new ExecutionState();
    const run = Promise.resolve(other.run(tool, {}));
    await sleep(50);
    expect(calls).toBe(2);
    other.requestInterrupt('stop');
    const result = await within(run, 1000, 'interrupt');
    expect(result).toMatchObject({ ok: false });
    expect(result.errorMessage).toMatch(/Interrupted: stop/);

    // a group retry delay past the limit waits too
    const groupState = new ExecutionState();
    let attempts = 0;
    const q = groupState.parallel({ maxRetries: 2, retryDelayMs: 1e12 });
    q.add(() => {
      attempts++;
      throw new Error('x');
    });
    await sleep(50);
    expect(attempts).toBe(1);
    q.cancel();
    await expect(q.gather()).rejects.toThrow();
  });
});
