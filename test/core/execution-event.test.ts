import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  Agent,
  ExecutionEvent,
  ExecutionState,
  LazyRun,
  Tool,
  isExecutionResult,
} from '../../src/index.js';
import { collect, delay, records } from './helpers.js';

const double = new Tool({
  name: 'Double',
  inputSchema: z.object({ n: z.number() }),
  handler: async ({ n }) => {
    await delay(Math.random() * 5);
    return n * 2;
  },
});

describe('ExecutionEvent: construction', () => {
  it('keeps actor, tag and retry', () => {
    const event = new ExecutionEvent({ actor: double, tag: 'calc', retry: { maxAttempts: 1 } });
    expect(event.actor).toBe(double);
    expect(event.tag).toBe('calc');
    expect(event.retry).toEqual({ maxAttempts: 1 });
  });

  it('refuses bad options with messages that say what to pass', () => {
    expect(() => new ExecutionEvent(null as never)).toThrow(
      /new ExecutionEvent\(\): expected \{ actor: Tool \| Agent \| LLM, tag\?, retry\? \}, got `null`/,
    );
    expect(() => new ExecutionEvent({ actor: {} } as never)).toThrow(TypeError);
    expect(() => new ExecutionEvent({ actor: double, tag: 5 as never })).toThrow(
      /expected `tag` to be a string, got `5` \(number\)/,
    );
    expect(() => new ExecutionEvent({ actor: double, retry: { maxAttempts: -2 } })).toThrow(
      new RangeError(
        "ExecutionEvent 'Double' retry: expected `maxAttempts` to be a whole number from 1 up, got `-2` (number).",
      ),
    );
  });

  it('run() refuses a third argument that is not an ExecutionState', () => {
    const event = new ExecutionEvent({ actor: double });
    expect(() => event.run({ n: 1 }, undefined, {} as never)).toThrow(
      /ExecutionEvent 'Double'\.run\(input, context, state\): expected an ExecutionState/,
    );
    expect(() => event.run({ n: 1 }, undefined, null as never)).toThrow(TypeError);
  });
});

describe('ExecutionEvent: lazy runs', () => {
  it('does not call the handler until the run is awaited', async () => {
    const handler = vi.fn(() => 'done');
    const event = new ExecutionEvent({
      actor: new Tool({ name: 'Lazy', inputSchema: z.object({}), handler }),
    });
    const state = new ExecutionState();
    const run = event.run({}, undefined, state);
    expect(run).toBeInstanceOf(LazyRun);
    expect(run.started).toBe(false);
    await delay(5);
    expect(handler).not.toHaveBeenCalled();
    expect(state.history.size).toBe(0);
    const result = await run;
    expect(run.started).toBe(true);
    expect(result).toMatchObject({ ok: true, result: 'done' });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('a lazy run executes once however often it is awaited', async () => {
    const handler = vi.fn(() => 1);
    const state = new ExecutionState();
    const run = state.run(new Agent({ name: 'Once', inputSchema: z.object({}), handler }), {});
    const [a, b] = await Promise.all([run, run]);
    expect(await run).toBe(a);
    expect(b).toBe(a);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('a group refuses a lazy run that has already started', async () => {
    const state = new ExecutionState();
    const run = state.run(double, { n: 1 });
    await run;
    expect(() => state.parallel().add(run)).toThrow(/this run has already started/);
  });

  it('supports catch() and finally() like a promise', async () => {
    const state = new ExecutionState();
    const onFinally = vi.fn();
    const result = await state.run(double, { n: 2 }).finally(onFinally);
    expect(result.result).toBe(4);
    expect(onFinally).toHaveBeenCalledTimes(1);
    const caught = await state.run(double, { n: 3 }).catch(() => 'never');
    expect(caught).toMatchObject({ ok: true, result: 6 });
  });

  it('the same event runs many times, sequentially and concurrently, each run independent', async () => {
    const event = new ExecutionEvent({ actor: double });
    const state = new ExecutionState();
    expect((await event.run({ n: 1 }, undefined, state)).result).toBe(2);
    expect((await event.run({ n: 2 }, undefined, state)).result).toBe(4);
    const inputs = Array.from({ length: 10 }, (_, i) => i);
    const results = await Promise.all(inputs.map((n) => event.run({ n }, undefined, state)));
    expect(results.map((r) => r.result)).toEqual(inputs.map((n) => n * 2));
    const completed = state.history.events.filter((r) => r.status === 'completed');
    expect(completed).toHaveLength(12);
    expect(new Set(completed.map((r) => r.address)).size).toBe(12);
  });

  it('passes context and state to the handler', async () => {
    const handler = vi.fn((_input: object, context: { user: string }) => context.user);
    const event = new ExecutionEvent({
      actor: new Tool({ name: 'Ctx', inputSchema: z.object({}), handler }),
    });
    const state = new ExecutionState();
    const result = await event.run({}, { user: 'ada' }, state);
    expect(result.result).toBe('ada');
    expect(handler).toHaveBeenCalledWith({}, { user: 'ada' }, state);
  });
});

describe('ExecutionEvent: results', () => {
  it('never rejects for a handler error: ok false, its message and the very error object', async () => {
    const boom = new Error('network down');
    const event = new ExecutionEvent({
      actor: new Agent({
        name: 'Fails',
        inputSchema: z.object({}),
        handler: () => {
          throw boom;
        },
      }),
    });
    const result = await event.run({}, undefined, new ExecutionState());
    expect(result.ok).toBe(false);
    expect(result.errorMessage).toBe('network down');
    expect(result.error).toBe(boom);
    expect(result.result).toBeUndefined();
    expect(typeof result.executionTimeMs).toBe('number');
    expect(isExecutionResult(result)).toBe(true);
  });

  it('gives a message for thrown values that are not errors, and for async rejections', async () => {
    const state = new ExecutionState();
    const thrower = (value: unknown) =>
      new Agent({
        name: 'Thrower',
        inputSchema: z.object({}),
        handler: async () => {
          await delay(1);
          throw value;
        },
      });
    expect((await state.run(thrower('just a string'), {})).errorMessage).toBe('just a string');
    expect((await state.run(thrower({ code: 7 }), {})).errorMessage).toBe('{"code":7}');
    const bare = new RangeError('');
    const result = await state.run(thrower(bare), {});
    expect(result.errorMessage).toBe('RangeError');
    expect(result.error).toBe(bare);
  });

  it('has executionTimeMs on results and on every record but `started`', async () => {
    const slow = new Tool({
      name: 'Slow',
      inputSchema: z.object({}),
      handler: async () => {
        await delay(20);
        return 'x';
      },
    });
    const state = new ExecutionState();
    const result = await state.run(slow, {});
    expect(result.executionTimeMs).toBeGreaterThanOrEqual(15);
    expect(result.executionTimeMs).toBeLessThan(2000);
    const [started, completed] = state.history.events;
    expect(started!.executionTimeMs).toBeUndefined();
    expect(completed!.executionTimeMs).toBeGreaterThanOrEqual(15);
  });
});

describe('ExecutionEvent: published records', () => {
  it('publishes started then completed, with every contract field', async () => {
    const state = new ExecutionState({ stateId: 'rec' });
    const events = collect(state);
    const event = new ExecutionEvent({ actor: double, tag: 'math' });
    await event.run({ n: 21 }, undefined, state);
    const recs = records(events);
    expect(recs).toEqual(state.history.events);
    expect(recs.map((r) => r.status)).toEqual(['started', 'completed']);
    const [started, completed] = recs;
    expect(started).toMatchObject({
      kind: 'execution',
      actor: { name: 'Double', eventType: 'tool_call' },
      address: 'Double::tool_call',
      status: 'started',
      executionTimeMs: undefined,
      message: undefined,
      detail: '{"n":21}',
      tag: 'math',
      groupId: undefined,
      parallelIndex: undefined,
      isParallel: false,
      retryAttempt: 1,
      stateId: 'rec',
    });
    expect(typeof started!.timestamp).toBe('number');
    expect(completed).toMatchObject({
      status: 'completed',
      detail: '42',
      result: 42,
      tag: 'math',
      retryAttempt: 1,
    });
  });

  it('publishes started then failed, with the error and its message', async () => {
    const boom = new TypeError('bad');
    const state = new ExecutionState();
    await state.run(
      new Agent({
        name: 'F',
        inputSchema: z.object({}),
        handler: () => {
          throw boom;
        },
      }),
      {},
    );
    const [, failed] = state.history.events;
    expect(state.history.events.map((r) => r.status)).toEqual(['started', 'failed']);
    expect(failed).toMatchObject({ status: 'failed', message: 'bad', error: boom });
    expect(failed!.tag).toBeUndefined();
  });

  it('publishes retrying between attempts with the attempt number, and copies the tag', async () => {
    let calls = 0;
    const flaky = new Tool({
      name: 'Flaky',
      inputSchema: z.object({}),
      handler: () => {
        calls++;
        if (calls < 3) throw new Error(`fail ${calls}`);
        return 'finally';
      },
    });
    const event = new ExecutionEvent({
      actor: flaky,
      tag: 't1',
      retry: { maxAttempts: 3, initialDelayMs: 1, jitter: false },
    });
    const state = new ExecutionState();
    const result = await event.run({}, undefined, state);
    expect(result).toMatchObject({ ok: true, result: 'finally' });
    const recs = state.history.events;
    expect(recs.map((r) => [r.status, r.retryAttempt])).toEqual([
      ['started', 1],
      ['retrying', 2],
      ['retrying', 3],
      ['completed', 3],
    ]);
    expect(recs[1]!.message).toBe('Attempt 1 of 3 failed: fail 1; retrying in 1 ms.');
    expect(recs[2]!.message).toBe('Attempt 2 of 3 failed: fail 2; retrying in 2 ms.');
    expect((recs[1]!.error as Error).message).toBe('fail 1');
    expect(recs.every((r) => r.tag === 't1')).toBe(true);
    expect(new Set(recs.map((r) => r.address))).toEqual(new Set(['Flaky::tool_call']));
  });

  it('says how many attempts were made when retries are exhausted', async () => {
    const handler = vi.fn(() => {
      throw new Error('always');
    });
    const state = new ExecutionState();
    const result = await state.run(
      new Tool({
        name: 'Always',
        inputSchema: z.object({}),
        handler,
        retry: { initialDelayMs: 0, maxAttempts: 3 },
      }),
      {},
    );
    expect(result.errorMessage).toBe('always (after 3 attempts)');
    expect(handler).toHaveBeenCalledTimes(3);
    expect(state.history.events.at(-1)).toMatchObject({ status: 'failed', retryAttempt: 3 });
  });

  it('truncates details to detailMaxLength with an ellipsis', async () => {
    const echo = new Tool({
      name: 'Echo',
      inputSchema: z.object({ text: z.string() }),
      handler: ({ text }) => text,
    });
    const state = new ExecutionState({ detailMaxLength: 10 });
    await state.run(echo, { text: 'a'.repeat(50) });
    const [started, completed] = state.history.events;
    expect(started!.detail).toBe('{"text":"…');
    expect(started!.detail).toHaveLength(10);
    expect(completed!.detail).toBe(`${'a'.repeat(9)}…`);
    expect(completed!.result).toBe('a'.repeat(50));

    const roomy = new ExecutionState();
    await roomy.run(echo, { text: 'b'.repeat(500) });
    expect(roomy.history.events[0]!.detail).toHaveLength(200);
    await roomy.run(echo, { text: 'short' });
    expect(roomy.history.events.at(-1)!.detail).toBe('short');
  });

  it('prints details of values JSON cannot handle, and none for undefined', async () => {
    const any = new Tool({ name: 'Any', inputSchema: z.any(), handler: () => undefined });
    const state = new ExecutionState();
    const circular: Record<string, unknown> = Object.create(null);
    circular.self = circular;
    expect((await state.run(any, circular)).ok).toBe(true);
    expect(state.history.events[0]!.detail).toBe('[object Object]');
    await state.run(any, 12n);
    expect(state.history.events.at(-2)!.detail).toBe('12');
    await state.run(any, Symbol('sym'));
    expect(state.history.events.at(-2)!.detail).toBe('Symbol(sym)');
    await state.run(any, undefined);
    const last = state.history.events.slice(-2);
    expect(last.map((r) => r.detail)).toEqual([undefined, undefined]);
  });
});

describe('state.run shorthand', () => {
  it('runs an actor once like new ExecutionEvent({ actor }).run()', async () => {
    const state = new ExecutionState();
    const run = state.run(double, { n: 5 }, { any: 'context' });
    expect(run).toBeInstanceOf(LazyRun);
    expect(run.started).toBe(false);
    expect(await run).toMatchObject({ ok: true, result: 10 });
    expect(state.history.events.map((r) => [r.address, r.status, r.tag])).toEqual([
      ['Double::tool_call', 'started', undefined],
      ['Double::tool_call', 'completed', undefined],
    ]);
  });

  it('refuses something that is not an actor', () => {
    const state = new ExecutionState();
    expect(() => state.run({} as never, {})).toThrow(
      /state\.run\(actor, input, context\?\): expected a Tool, Agent or LLM, got `\{\}` \(object\)/,
    );
    expect(() => state.run(null as never, {})).toThrow(TypeError);
  });
});
