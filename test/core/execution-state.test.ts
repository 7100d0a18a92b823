import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  Agent,
  EventBus,
  ExecutionHistory,
  ExecutionState,
  type LogEvent,
  StateStorage,
  Tool,
} from '../../src/index.js';
import { collect } from './helpers.js';

const empty = z.object({});

describe('ExecutionState: options', () => {
  it('has working defaults', () => {
    const state = new ExecutionState();
    expect(state.stateId).toMatch(/^[0-9a-f-]{36}$/);
    expect(new ExecutionState().stateId).not.toBe(state.stateId);
    expect(state.eventBus).toBeInstanceOf(EventBus);
    expect(state.history).toBeInstanceOf(ExecutionHistory);
    expect(state.storage).toBeInstanceOf(StateStorage);
    expect(state.maxConcurrency).toBeUndefined();
    expect(state.interrupted).toBe(false);
    expect(state.currentAddress).toBeUndefined();
    expect(state.signal).toBeInstanceOf(AbortSignal);
    expect(state.signal.aborted).toBe(false);
  });

  it('keeps the given stateId, eventBus and maxConcurrency', () => {
    const eventBus = new EventBus();
    const state = new ExecutionState({ stateId: 'run_2024-01', eventBus, maxConcurrency: 4 });
    expect(state.stateId).toBe('run_2024-01');
    expect(state.eventBus).toBe(eventBus);
    expect(state.maxConcurrency).toBe(4);
    expect(new ExecutionState({ maxConcurrency: Infinity }).maxConcurrency).toBe(Infinity);
  });

  it('refuses options that are not an object', () => {
    expect(() => new ExecutionState(null as never)).toThrow(
      'new ExecutionState(): expected an options object, got `null` (null).',
    );
    expect(() => new ExecutionState('id' as never)).toThrow(TypeError);
  });

  it('refuses unknown option keys and lists the known ones', () => {
    expect(() => new ExecutionState({ maxConcurency: 2 } as never)).toThrow(
      /new ExecutionState\(\): unknown option `maxConcurency`; known options are `eventBus`, `maxConcurrency`/,
    );
  });

  it.each([['a/b'], ['../etc'], ['..'], [''], ['has space'], ['x'.repeat(129)], [42]])(
    'refuses the stateId %j because it is not a plain identifier',
    (stateId) => {
      expect(() => new ExecutionState({ stateId: stateId as string })).toThrow(TypeError);
      expect(() => new ExecutionState({ stateId: stateId as string })).toThrow(
        /`stateId` must be a plain identifier \(letters, digits, '_' and '-', 1 to 128 of them\)/,
      );
    },
  );

  it('quotes the refused stateId', () => {
    expect(() => new ExecutionState({ stateId: '../x' })).toThrow('got `"../x"` (string).');
    expect(new ExecutionState({ stateId: 'x'.repeat(128) }).stateId).toHaveLength(128);
  });

  it('refuses an eventBus that is not an EventBus and a checker that is not a function', () => {
    expect(() => new ExecutionState({ eventBus: { publish() {} } as never })).toThrow(
      /expected `eventBus` to be an EventBus/,
    );
    expect(() => new ExecutionState({ interruptChecker: true as never })).toThrow(
      /expected `interruptChecker` to be a function, got `true` \(boolean\)/,
    );
  });

  it.each([
    ['maxConcurrency', 0],
    ['maxConcurrency', -1],
    ['maxConcurrency', 1.5],
    ['maxConcurrency', '4'],
    ['timeoutMs', 0],
    ['timeoutMs', -10],
    ['timeoutMs', NaN],
    ['timeoutMs', '100'],
    ['detailMaxLength', 0],
    ['detailMaxLength', 2.5],
    ['detailMaxLength', '80'],
  ])('refuses %s = %j with a RangeError naming the option', (option, value) => {
    const build = () => new ExecutionState({ [option]: value });
    expect(build).toThrow(RangeError);
    expect(build).toThrow(`new ExecutionState(): expected \`${option}\``);
  });

  it('validates defaultRetry and retryByEventType', () => {
    expect(() => new ExecutionState({ defaultRetry: { maxAttempts: 0 } })).toThrow(
      /new ExecutionState\(\) defaultRetry: expected `maxAttempts`/,
    );
    expect(
      () => new ExecutionState({ retryByEventType: { tool_call: { initialDelayMs: -1 } } }),
    ).toThrow(/new ExecutionState\(\) retryByEventType\.tool_call: expected `initialDelayMs`/);
    expect(() => new ExecutionState({ retryByEventType: { tool: {} } as never })).toThrow(
      new TypeError(
        'new ExecutionState(): unknown event type `"tool"` (string) in `retryByEventType`; expected one of agent_call, tool_call, llm_call.',
      ),
    );
    expect(() => new ExecutionState({ retryByEventType: { tool_call: undefined } })).not.toThrow();
  });
});

describe('ExecutionState: history', () => {
  const ok = new Tool({ name: 'Ok', inputSchema: empty, handler: () => 'fine' });
  const bad = new Agent({
    name: 'Bad',
    inputSchema: empty,
    handler: () => {
      throw new Error('no');
    },
  });

  it('keeps the records in publish order, the latest per address, and hasCompleted', async () => {
    const state = new ExecutionState();
    const events = collect(state);
    await state.run(ok, {});
    await state.run(bad, {});
    await state.run(ok, {});
    const history = state.history;
    expect(history.events.map((r) => `${r.address} ${r.status}`)).toEqual([
      'Ok::tool_call started',
      'Ok::tool_call completed',
      'Bad::agent_call started',
      'Bad::agent_call failed',
      'Ok#2::tool_call started',
      'Ok#2::tool_call completed',
    ]);
    expect(history.events).toEqual(events.filter((e) => e.kind === 'execution'));
    expect(history.size).toBe(6);
    expect(history.get('Ok::tool_call')).toMatchObject({ status: 'completed', result: 'fine' });
    expect(history.get('Bad::agent_call')).toMatchObject({ status: 'failed', message: 'no' });
    expect(history.get('Nope::tool_call')).toBeUndefined();
    expect(history.hasCompleted('Ok::tool_call')).toBe(true);
    expect(history.hasCompleted('Ok#2::tool_call')).toBe(true);
    expect(history.hasCompleted('Bad::agent_call')).toBe(false);
    expect(history.hasCompleted('Nope::tool_call')).toBe(false);
    expect(history.addresses()).toEqual(['Ok::tool_call', 'Bad::agent_call', 'Ok#2::tool_call']);
  });

  it('records even when nobody subscribes', async () => {
    const state = new ExecutionState();
    await state.run(ok, {});
    expect(state.eventBus.hasSubscribers).toBe(false);
    expect(state.history.size).toBe(2);
  });
});

describe('ExecutionState: storage', () => {
  it('is a small key/value store shared by the runs of the state', async () => {
    const state = new ExecutionState();
    const writer = new Tool({
      name: 'W',
      inputSchema: z.object({ k: z.string(), v: z.number() }),
      handler: ({ k, v }, _c, s) => void s.storage.set(k, v),
    });
    const reader = new Tool({
      name: 'R',
      inputSchema: z.object({ k: z.string() }),
      handler: ({ k }, _c, s) => s.storage.get<number>(k),
    });
    await state.run(writer, { k: 'answer', v: 42 });
    expect((await state.run(reader, { k: 'answer' })).result).toBe(42);
    expect(state.storage.get('answer')).toBe(42);
    expect(new ExecutionState().storage.get('answer')).toBeUndefined();
  });
});

describe('ExecutionState: log()', () => {
  const logs = (state: ExecutionState) => {
    const events = collect(state);
    return () => events.filter((e): e is LogEvent => e.kind === 'log');
  };

  it('publishes kind "log" with severity info by default, outside any run', () => {
    const state = new ExecutionState({ stateId: 'logs' });
    const got = logs(state);
    state.log('hello');
    state.log(42 as never, 'debug');
    expect(got()).toEqual([
      {
        kind: 'log',
        message: 'hello',
        severity: 'info',
        metadata: undefined,
        address: undefined,
        groupId: undefined,
        parallelIndex: undefined,
        isParallel: false,
        timestamp: expect.any(Number),
        stateId: 'logs',
      },
      expect.objectContaining({ message: '42', severity: 'debug' }),
    ]);
    expect(state.history.size).toBe(0);
  });

  it('tags the log with the address of the current run, with severity and metadata', async () => {
    const state = new ExecutionState();
    const got = logs(state);
    const child = new Tool({
      name: 'Child',
      inputSchema: empty,
      handler: (_i, _c, s) => s.log('child says', 'warning', { n: 1 }),
    });
    const parent = new Agent({
      name: 'Parent',
      inputSchema: empty,
      handler: async (_i, _c, s) => {
        s.log('before');
        await s.run(child, {});
        s.log('after', 'error');
      },
    });
    await state.run(parent, {});
    expect(got().map((e) => [e.message, e.severity, e.address, e.metadata])).toEqual([
      ['before', 'info', 'Parent::agent_call', undefined],
      ['child says', 'warning', 'Parent::Child::tool_call', { n: 1 }],
      ['after', 'error', 'Parent::agent_call', undefined],
    ]);
  });

  it('tags a log inside a parallel branch with the branch, at any depth', async () => {
    const state = new ExecutionState();
    const got = logs(state);
    const tool = new Tool({
      name: 'T',
      inputSchema: empty,
      handler: (_i, _c, s) => s.log('from the tool'),
    });
    state.log('outside');
    await state.parallel({ name: 'G' }, (p) => {
      p.add(async () => undefined);
      p.add(() => state.run(tool, {}));
      p.add(async () => state.log('from branch 2'));
      p.add(async () => {
        await state.parallel({ name: 'Inner' }, (inner) => {
          inner.add(async () => undefined);
          inner.add(async () => state.log('nested'));
        });
        state.log('after the inner group');
      });
    });
    state.log('after the group');
    // Branches interleave: compare by message, not by order.
    const tags = Object.fromEntries(
      got().map((e) => [e.message, [e.groupId, e.parallelIndex, e.isParallel, e.address]]),
    );
    expect(tags).toEqual({
      outside: [undefined, undefined, false, undefined],
      'from the tool': ['G', 1, true, 'G[1]::T::tool_call'],
      'from branch 2': ['G', 2, true, undefined],
      nested: ['G[3]::Inner', 1, true, undefined],
      'after the inner group': ['G', 3, true, undefined],
      'after the group': [undefined, undefined, false, undefined],
    });
  });

  it('refuses an unknown severity', () => {
    expect(() => new ExecutionState().log('x', 'fatal' as never)).toThrow(
      new TypeError(
        'state.log(): unknown severity `"fatal"` (string); expected one of debug, info, warning, error.',
      ),
    );
  });
});

describe('ExecutionState: signal, parallel(), metrics()', () => {
  it('a handler sees state.signal: the state’s at the top level, its group’s in a branch', async () => {
    const state = new ExecutionState();
    const signals: AbortSignal[] = [];
    const probe = new Tool({
      name: 'Probe',
      inputSchema: empty,
      handler: (_i, _c, s) => {
        signals.push(s.signal);
        return s.signal.aborted;
      },
    });
    expect((await state.run(probe, {})).result).toBe(false);
    expect(signals[0]).toBe(state.signal);
    const p = state.parallel();
    p.add(() => state.run(probe, {}));
    await p.gather();
    expect(signals[1]).toBe(p.signal);
    expect(signals[1]).not.toBe(state.signal);
  });

  it('parallel(options, callback) gathers when the callback returns', async () => {
    const state = new ExecutionState();
    const results = await state.parallel({ name: 'Cb' }, (p) => {
      p.add(async () => 1);
      p.add(async () => 2, 'two');
    });
    expect(results.map((r) => [r.ok, r.result, r.index, r.name])).toEqual([
      [true, 1, 0, undefined],
      [true, 2, 1, 'two'],
    ]);
  });

  it('parallel(options, callback): a throwing callback cancels the group and rethrows', async () => {
    const state = new ExecutionState();
    const boom = new Error('callback broke');
    let signal: AbortSignal | undefined;
    const settledBeforeRethrow = vi.fn();
    const outcome = state.parallel({}, async (p) => {
      p.add(
        (ctx) =>
          new Promise((_, reject) => {
            signal = ctx.signal;
            ctx.signal.addEventListener('abort', () => {
              settledBeforeRethrow();
              reject(ctx.signal.reason);
            });
          }),
      );
      await new Promise((r) => setTimeout(r, 2));
      throw boom;
    });
    await expect(outcome).rejects.toBe(boom);
    expect(signal!.aborted).toBe(true);
    expect(settledBeforeRethrow).toHaveBeenCalled();
  });

  it('parallel(options, callback): a callback may throw a value that is not an Error', async () => {
    const state = new ExecutionState();
    await expect(
      state.parallel({}, () => {
        throw 'plain reason';
      }),
    ).rejects.toBe('plain reason');
  });

  it('parallel(options, callback): a fail_fast failure rejects with that error', async () => {
    const state = new ExecutionState();
    const boom = new Error('task broke');
    const outcome = state.parallel({ errorStrategy: 'fail_fast' }, (p) => {
      p.add(async () => {
        throw boom;
      });
      p.add(() => new Promise((r) => setTimeout(r, 20)));
    });
    await expect(outcome).rejects.toBe(boom);
  });

  it('parallel() refuses a callback that is not a function', () => {
    expect(() => new ExecutionState().parallel({}, 'go' as never)).toThrow(
      /state\.parallel\(options, callback\): expected `callback` to be a function/,
    );
  });

  it('metrics() returns a snapshot', async () => {
    const state = new ExecutionState();
    expect(state.metrics()).toBeTypeOf('object');
  });
});
