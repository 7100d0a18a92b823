/**
 * Hostile thrown values (issue 7, item 2): an Error whose `message` or `stack` getter throws, a
 * revoked Proxy, a null-prototype object, a Symbol. Wherever user code can throw one (a task, a
 * handler, a precondition, the group callback, an interrupt checker, a subscriber), nothing hangs,
 * `run()` never rejects, and no unhandled rejection escapes.
 */
import { z } from 'zod';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventBus, ExecutionState, Tool } from '../../src/index.js';
import { logEvent } from '../helpers/bus-events.js';
import { watchProcess, within } from '../parallel/helpers.js';

function hostileValues(): [string, () => unknown][] {
  return [
    [
      'an Error whose message getter throws',
      () => {
        const error = new Error('x');
        Object.defineProperty(error, 'message', {
          get() {
            throw new Error('message getter');
          },
        });
        return error;
      },
    ],
    [
      'an Error whose stack getter throws',
      () => {
        const error = new Error('stackless');
        Object.defineProperty(error, 'stack', {
          get() {
            throw new Error('stack getter');
          },
        });
        return error;
      },
    ],
    [
      'a revoked Proxy',
      () => {
        const { proxy, revoke } = Proxy.revocable({}, {});
        revoke();
        return proxy;
      },
    ],
    ['a null-prototype object', () => Object.assign(Object.create(null), { code: 7 })],
    ['a Symbol', () => Symbol('hostile')],
  ];
}

let watcher: ReturnType<typeof watchProcess> | undefined;
afterEach(async () => {
  // Let any stray rejection surface before the watcher stops.
  await new Promise((resolve) => setTimeout(resolve, 5));
  const seen = watcher?.stop();
  watcher = undefined;
  expect(seen?.rejections ?? []).toEqual([]);
});

function start(): void {
  watcher = watchProcess();
}

describe.each(hostileValues())('thrown value: %s', (_label, make) => {
  it('a handler throwing it gives ok: false, never a rejection', async () => {
    start();
    const state = new ExecutionState();
    const tool = new Tool({
      name: 'Hostile',
      inputSchema: z.object({}),
      retry: { maxAttempts: 2, initialDelayMs: 1 },
      handler: () => {
        throw make();
      },
    });
    const result = await within(Promise.resolve(state.run(tool, {})), 2000, 'the run');
    expect(result.ok).toBe(false);
    expect(typeof result.errorMessage).toBe('string');
    expect(state.history.get('Hostile::tool_call')?.status).toBe('failed');
  });

  it('a precondition throwing it fails the run, never rejects it', async () => {
    start();
    const state = new ExecutionState();
    const tool = new Tool({
      name: 'Guarded',
      inputSchema: z.object({}),
      preconditions: [
        () => {
          throw make();
        },
      ],
      handler: () => 'unreachable',
    });
    const result = await within(Promise.resolve(state.run(tool, {})), 2000, 'the run');
    expect(result.ok).toBe(false);
    expect(result.errorMessage).toMatch(/^Precondition of Guarded threw: /);
  });

  it('a task throwing it settles the group under fail_slow and rejects it under fail_fast', async () => {
    start();
    const state = new ExecutionState();
    const results = await within(
      state.parallel({}, (p) => {
        p.add(() => {
          throw make();
        });
        p.add(async () => 'fine');
      }),
      2000,
      'the fail_slow group',
    );
    expect(results.map((r) => r.ok)).toEqual([false, true]);
    expect(typeof results[0]?.errorMessage).toBe('string');

    const thrown = make();
    const failing = state.parallel({ errorStrategy: 'fail_fast' }, (p) => {
      p.add(() => Promise.reject(thrown));
    });
    await expect(within(failing, 2000, 'the fail_fast group')).rejects.toBe(thrown);
  });

  it('the group callback throwing it cancels the group and rethrows it', async () => {
    start();
    const state = new ExecutionState();
    const thrown = make();
    let signal: AbortSignal | undefined;
    const outcome = state.parallel({}, async (p) => {
      p.add(({ signal: s }) => {
        signal = s;
        return new Promise((resolve) => s.addEventListener('abort', resolve));
      });
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw thrown;
    });
    await expect(within(outcome, 2000, 'the callback form')).rejects.toBe(thrown);
    expect(signal?.aborted).toBe(true);
  });

  it('an interrupt checker throwing it interrupts the state', async () => {
    start();
    const state = new ExecutionState({
      interruptChecker: () => {
        throw make();
      },
    });
    const tool = new Tool({ name: 'T', inputSchema: z.object({}), handler: () => 1 });
    const result = await within(Promise.resolve(state.run(tool, {})), 2000, 'the run');
    expect(result.ok).toBe(false);
    expect(state.interrupted).toBe(true);
    expect(result.errorMessage).toMatch(/^Interrupted: the interrupt checker threw: /);
  });

  it('an interrupt checker rejecting with it interrupts the state', async () => {
    start();
    const thrown = make();
    const state = new ExecutionState({ interruptChecker: () => Promise.reject(thrown) });
    await expect(state.checkInterrupt()).rejects.toThrow(/the interrupt checker rejected: /);
    expect(state.interrupted).toBe(true);
  });

  it('a subscriber throwing it is reported once and breaks nothing', async () => {
    start();
    const onSubscriberError = vi.fn();
    const bus = new EventBus({ onSubscriberError });
    const state = new ExecutionState({ eventBus: bus });
    const failing = (): void => {
      throw make();
    };
    bus.subscribe(failing);
    const tool = new Tool({ name: 'T', inputSchema: z.object({}), handler: () => 1 });
    expect((await state.run(tool, {})).ok).toBe(true);
    expect(onSubscriberError).toHaveBeenCalledTimes(2); // started, completed
  });
});

describe('the default subscriber error report', () => {
  it('reports each failing subscriber once, whatever it threw', async () => {
    start();
    const emit = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const bus = new EventBus();
      const values = hostileValues();
      for (const [, make] of values) {
        bus.subscribe(() => {
          throw make();
        });
      }
      for (let i = 0; i < 3; i++) bus.publish(logEvent(`m${i}`));
      expect(emit).toHaveBeenCalledTimes(values.length);
      for (const call of emit.mock.calls) expect(typeof call[0]).toBe('string');
    } finally {
      emit.mockRestore();
    }
  });
});

describe('reasons that are not strings', () => {
  it('requestInterrupt(Symbol) interrupts the state fully and does not throw', async () => {
    start();
    const state = new ExecutionState();
    const events = [] as string[];
    state.eventBus.subscribe((e) => {
      if (e.kind === 'interrupt') events.push(e.reason);
    });
    expect(() => state.requestInterrupt(Symbol('stop') as never)).not.toThrow();
    expect(state.interrupted).toBe(true);
    expect(state.signal.aborted).toBe(true);
    expect(events).toEqual(['Symbol(stop)']);
    await expect(state.checkInterrupt()).rejects.toThrow('Interrupted: Symbol(stop).');
  });

  it('cancel(Symbol) cancels the group fully and does not throw', async () => {
    start();
    const state = new ExecutionState();
    const p = state.parallel({ name: 'G' });
    p.add(({ signal }) => new Promise((resolve) => signal.addEventListener('abort', resolve)));
    await Promise.resolve();
    expect(() => p.cancel(Symbol('why') as never)).not.toThrow();
    await expect(p.gather()).rejects.toThrow("Parallel group 'G' was cancelled: Symbol(why).");
    expect(p.group.status).toBe('cancelled');
  });
});
