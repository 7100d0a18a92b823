import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { z } from 'zod';
import {
  Agent,
  BaseActor,
  ConditionError,
  EventType,
  ExecutionState,
  InputValidationError,
  LLM,
  OutputValidationError,
  Tool,
} from '../../src/index.js';

const empty = z.object({});
const ok = () => 'ok';

describe('actors: construction', () => {
  it('Tool, Agent and LLM share BaseActor and have their event types', () => {
    const tool = new Tool({ name: 'T', inputSchema: empty, handler: ok });
    const agent = new Agent({ name: 'A', inputSchema: empty, handler: ok });
    const llm = new LLM({ name: 'L', inputSchema: empty, handler: ok, description: 'a model' });
    expect(tool).toBeInstanceOf(BaseActor);
    expect(agent).toBeInstanceOf(BaseActor);
    expect(llm).toBeInstanceOf(BaseActor);
    expect(tool.eventType).toBe(EventType.TOOL_CALL);
    expect(agent.eventType).toBe(EventType.AGENT_CALL);
    expect(llm.eventType).toBe(EventType.LLM_CALL);
    expect(tool.description).toBe('');
    expect(llm.description).toBe('a model');
    expect(tool.preconditions).toEqual([]);
    expect(tool.postconditions).toEqual([]);
    expect(tool.retry).toBeUndefined();
    expect(tool.outputSchema).toBeUndefined();
  });

  it('refuses options that are not an object', () => {
    expect(() => new Tool(null as never)).toThrow(
      /new Tool\(\): expected an options object with name, inputSchema and handler, got `null` \(null\)/,
    );
    expect(() => new Agent('Fetch' as never)).toThrow(/new Agent\(\).*`"Fetch"` \(string\)/);
  });

  it.each([[''], ['a:b'], ['a[0]'], ['b]'], ['x#2'], [42], [undefined]])(
    'refuses the name %j with a TypeError that explains the rule',
    (name) => {
      expect(() => new Tool({ name: name as string, inputSchema: empty, handler: ok })).toThrow(
        TypeError,
      );
      expect(() => new Tool({ name: name as string, inputSchema: empty, handler: ok })).toThrow(
        /new Tool\(\): expected `name` to be a non-empty string without ':', '\[', '\]' or '#'/,
      );
    },
  );

  it('refuses a missing or non-zod inputSchema, and a bad outputSchema', () => {
    expect(() => new Tool({ name: 'T', handler: ok } as never)).toThrow(
      /Tool 'T': expected `inputSchema` to be a zod schema.*got `undefined` \(undefined\)/,
    );
    expect(
      () => new Tool({ name: 'T', inputSchema: { parse() {} } as never, handler: ok }),
    ).toThrow(TypeError);
    expect(() => new Tool({ name: 'T', inputSchema: null as never, handler: ok })).toThrow(
      /`inputSchema`.*`null` \(null\)/,
    );
    expect(
      () =>
        new LLM({ name: 'L', inputSchema: empty, outputSchema: 'string' as never, handler: ok }),
    ).toThrow(/LLM 'L': expected `outputSchema` to be a zod schema.*`"string"` \(string\)/);
  });

  it('refuses a handler that is not a function', () => {
    expect(() => new Tool({ name: 'T', inputSchema: empty, handler: 'run' as never })).toThrow(
      new TypeError(
        'Tool \'T\': expected `handler` to be a function (input, context, state) => result, got `"run"` (string).',
      ),
    );
    expect(() => new Agent({ name: 'A', inputSchema: empty } as never)).toThrow(
      /Agent 'A': expected `handler` to be a function/,
    );
  });

  it('refuses pre/postconditions that are not arrays of functions', () => {
    expect(
      () => new Tool({ name: 'T', inputSchema: empty, handler: ok, preconditions: ok as never }),
    ).toThrow(/Tool 'T': expected `preconditions` to be an array of functions/);
    expect(
      () =>
        new Tool({
          name: 'T',
          inputSchema: empty,
          handler: ok,
          preconditions: [() => true, 'no' as never],
        }),
    ).toThrow(/Tool 'T': expected `preconditions\[1\]` to be a function, got `"no"` \(string\)/);
    expect(
      () => new Tool({ name: 'T', inputSchema: empty, handler: ok, postconditions: {} as never }),
    ).toThrow(/`postconditions` to be an array/);
    expect(
      () =>
        new Tool({ name: 'T', inputSchema: empty, handler: ok, postconditions: [null as never] }),
    ).toThrow(/`postconditions\[0\]` to be a function/);
  });

  describe('retry settings', () => {
    const make = (retry: unknown) => () =>
      new Tool({ name: 'Flaky', inputSchema: empty, handler: ok, retry: retry as never });

    it.each([
      ['maxAttempts', -1, '`-1` (number)'],
      ['maxAttempts', 0, '`0` (number)'],
      ['maxAttempts', 2.5, '`2.5` (number)'],
      ['maxAttempts', '3', '`"3"` (string)'],
      ['initialDelayMs', -100, '`-100` (number)'],
      ['initialDelayMs', 'soon', '`"soon"` (string)'],
      ['maxDelayMs', NaN, '`NaN` (number)'],
      ['maxDelayMs', -1, '`-1` (number)'],
      ['backoffMultiplier', 0.5, '`0.5` (number)'],
      ['retryTimeoutMs', 0, '`0` (number)'],
      ['retryTimeoutMs', -5, '`-5` (number)'],
    ])('%s = %j is a RangeError naming the option and the value', (option, value, shown) => {
      expect(make({ [option]: value })).toThrow(RangeError);
      expect(make({ [option]: value })).toThrow(`Tool 'Flaky' retry: expected \`${option}\``);
      expect(make({ [option]: value })).toThrow(shown);
    });

    it('an unknown backoffStrategy is a TypeError listing the allowed values', () => {
      expect(make({ backoffStrategy: 'quadratic' })).toThrow(
        new TypeError(
          "Tool 'Flaky' retry: unknown `backoffStrategy` `\"quadratic\"` (string); expected one of 'constant', 'linear', 'exponential', 'fibonacci'.",
        ),
      );
    });

    it('refuses non-boolean flags, non-function matchers, unknown keys and non-objects', () => {
      expect(make({ jitter: 'yes' })).toThrow(/`jitter` to be true or false/);
      expect(make({ enabled: 0 })).toThrow(/`enabled` to be true or false/);
      expect(make({ retryOn: [Error, 'TypeError'] })).toThrow(
        /expected `retryOn\[\]` to be a function, got `"TypeError"` \(string\)/,
      );
      expect(make({ exclude: 42 })).toThrow(/`exclude\[\]` to be a function/);
      expect(make({ maxAttempt: 3 })).toThrow(/unknown option `maxAttempt`; known options are/);
      expect(make(null)).toThrow(/Tool 'Flaky' retry: expected a RetryConfig object/);
      expect(make(5)).toThrow(TypeError);
    });

    it('keeps a valid retry and fills in its defaults', () => {
      const tool = make({ maxAttempts: 5, backoffStrategy: 'linear' })();
      expect(tool.retry).toEqual({ maxAttempts: 5, backoffStrategy: 'linear' });
      expect(tool.resolvedRetry).toMatchObject({
        maxAttempts: 5,
        backoffStrategy: 'linear',
        initialDelayMs: 1000,
        maxDelayMs: 60_000,
        backoffMultiplier: 2,
        jitter: true,
        enabled: true,
      });
    });
  });
});

describe('actors: input', () => {
  it('the handler receives the parsed, typed input (transforms and defaults applied)', async () => {
    const seen = vi.fn();
    const tool = new Tool({
      name: 'Parse',
      inputSchema: z.object({
        count: z.coerce.number(),
        name: z.string().transform((s) => s.toUpperCase()),
        tags: z.array(z.string()).default(['none']),
      }),
      handler: (input) => {
        expectTypeOf(input).toEqualTypeOf<{ count: number; name: string; tags: string[] }>();
        seen(input);
        return input.count * 2;
      },
    });
    const state = new ExecutionState();
    const result = await state.run(tool, { count: '21', name: 'ada' });
    expect(result).toMatchObject({ ok: true, result: 42 });
    expect(seen).toHaveBeenCalledWith({ count: 21, name: 'ADA', tags: ['none'] });
  });

  it('input failing the schema fails the run, names the actor and field, and skips the handler', async () => {
    const handler = vi.fn(() => 'never');
    const tool = new Tool({
      name: 'FetchDoc',
      inputSchema: z.object({ id: z.string(), items: z.array(z.object({ url: z.string() })) }),
      handler,
    });
    const state = new ExecutionState();
    const result = await state.run(tool, { id: 7, items: [{ url: 'a' }, { url: 3 }] } as never);
    expect(result.ok).toBe(false);
    expect(handler).not.toHaveBeenCalled();
    expect(result.errorMessage).toContain('FetchDoc');
    expect(result.errorMessage).toContain('`id`');
    expect(result.errorMessage).toContain('`items.1.url`');
    expect(result.errorMessage).toMatch(/handler was not called/);
    expect(result.error).toBeInstanceOf(InputValidationError);
    const error = result.error as InputValidationError;
    expect(error.actorName).toBe('FetchDoc');
    expect(error.fields).toEqual(['id', 'items.1.url']);
    expect(state.history.events.map((r) => r.status)).toEqual(['started', 'failed']);
  });

  it('is never retried, even for a tool that retries by default', async () => {
    const handler = vi.fn(() => 1);
    const tool = new Tool({ name: 'T', inputSchema: z.object({ id: z.string() }), handler });
    const state = new ExecutionState();
    const result = await state.run(tool, {} as never);
    expect(result.ok).toBe(false);
    expect(state.history.events.map((r) => r.status)).toEqual(['started', 'failed']);
  });

  it('names `(input)` when the input itself is wrong', async () => {
    const tool = new Tool({ name: 'T', inputSchema: z.object({ id: z.string() }), handler: ok });
    const result = await new ExecutionState().run(tool, 'not an object' as never);
    expect(result.ok).toBe(false);
    expect(result.errorMessage).toContain('`(input)`');
    expect((result.error as InputValidationError).fields).toEqual(['(input)']);
  });

  it('a schema that throws while parsing fails the run instead of rejecting it', async () => {
    const boom = new Error('transform boom');
    const handler = vi.fn();
    const tool = new Tool({
      name: 'Odd',
      inputSchema: z.object({
        a: z.string().transform(() => {
          throw boom;
        }),
      }),
      handler,
    });
    const result = await new ExecutionState().run(tool, { a: 'x' });
    expect(result.ok).toBe(false);
    expect(result.error).toBeInstanceOf(InputValidationError);
    expect((result.error as Error).cause).toBe(boom);
    expect(result.errorMessage).toMatch(/Odd.*transform boom/);
    expect(handler).not.toHaveBeenCalled();
  });
});

describe('actors: output schema', () => {
  it('a result failing the outputSchema fails the run without retrying', async () => {
    const handler = vi.fn(() => ({ score: 'high' }));
    const tool = new Tool({
      name: 'Score',
      inputSchema: empty,
      outputSchema: z.object({ score: z.number() }),
      handler: handler as never,
      retry: { maxAttempts: 3, initialDelayMs: 0 },
    });
    const result = await new ExecutionState().run(tool, {});
    expect(result.ok).toBe(false);
    expect(result.error).toBeInstanceOf(OutputValidationError);
    expect(result.errorMessage).toMatch(
      /^Score returned a result that fails its outputSchema: `score`/,
    );
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('names `(result)` for a wrong top-level result and returns the parsed output on success', async () => {
    const bad = new Tool({
      name: 'Bad',
      inputSchema: empty,
      outputSchema: z.string(),
      handler: () => 42 as unknown as string,
    });
    const good = new Tool({
      name: 'Good',
      inputSchema: empty,
      outputSchema: z.string().transform((s) => s.length),
      // The handler is typed to return the schema's output (number), not its input: cast.
      handler: () => 'four' as unknown as number,
    });
    const state = new ExecutionState();
    expect((await state.run(bad, {})).errorMessage).toContain('`(result)`');
    const result = await state.run(good, {});
    expect(result).toMatchObject({ ok: true, result: 4 });
    expect(state.history.get('Good::tool_call')?.result).toBe(4);
  });
});

describe('actors: conditions', () => {
  it('a precondition returning false fails the run and skips the handler', async () => {
    const handler = vi.fn(ok);
    const check = vi.fn((..._args: unknown[]) => false);
    const tool = new Tool({
      name: 'Guarded',
      inputSchema: z.object({ n: z.coerce.number() }),
      handler,
      preconditions: [() => true, (input, context, state) => check(input, context, state)],
    });
    const state = new ExecutionState();
    const result = await state.run(tool, { n: '3' }, { user: 'ada' });
    expect(result.ok).toBe(false);
    expect(result.error).toBeInstanceOf(ConditionError);
    expect(result.errorMessage).toBe(
      'Precondition #2 of Guarded failed; the handler was not called.',
    );
    expect(check).toHaveBeenCalledWith({ n: 3 }, { user: 'ada' }, state);
    expect(handler).not.toHaveBeenCalled();
  });

  it('names a named precondition, awaits async ones and wraps a throwing one', async () => {
    const handler = vi.fn(ok);
    function hasBudget(): boolean {
      return false;
    }
    const named = new Tool({ name: 'N', inputSchema: empty, handler, preconditions: [hasBudget] });
    const asyncOk = new Tool({
      name: 'A',
      inputSchema: empty,
      handler,
      preconditions: [async () => true],
    });
    const boom = new Error('no db');
    const throwing = new Tool({
      name: 'Thrower',
      inputSchema: empty,
      handler,
      preconditions: [
        () => {
          throw boom;
        },
      ],
    });
    const state = new ExecutionState();
    expect((await state.run(named, {})).errorMessage).toMatch(/^Precondition 'hasBudget' of N/);
    expect(await state.run(asyncOk, {})).toMatchObject({ ok: true, result: 'ok' });
    const failed = await state.run(throwing, {});
    expect(failed.ok).toBe(false);
    expect(failed.error).toBeInstanceOf(ConditionError);
    expect((failed.error as Error).cause).toBe(boom);
    expect(failed.errorMessage).toBe('Precondition of Thrower threw: no db');
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('a precondition that throws a ConditionError keeps it', async () => {
    const mine = new ConditionError('quota exceeded');
    const tool = new Tool({
      name: 'Q',
      inputSchema: empty,
      handler: ok,
      preconditions: [
        () => {
          throw mine;
        },
      ],
    });
    expect((await new ExecutionState().run(tool, {})).error).toBe(mine);
  });

  it('a postcondition returning false or throwing fails the run, without retry', async () => {
    const handler = vi.fn(() => 5);
    const post = vi.fn((result: number, ..._rest: unknown[]) => result > 10);
    const tool = new Tool({
      name: 'Post',
      inputSchema: z.object({ x: z.string() }),
      handler,
      postconditions: [
        () => true,
        (result, input, context, state) => post(result, input, context, state),
      ],
      retry: { initialDelayMs: 0 },
    });
    const state = new ExecutionState();
    const result = await state.run(tool, { x: 'in' }, 'ctx');
    expect(result.ok).toBe(false);
    expect(result.error).toBeInstanceOf(ConditionError);
    expect(result.errorMessage).toBe('Postcondition #2 of Post failed.');
    expect(post).toHaveBeenCalledWith(5, { x: 'in' }, 'ctx', state);
    expect(handler).toHaveBeenCalledTimes(1);

    const cause = new Error('checker down');
    function isSane(): boolean {
      throw cause;
    }
    const throwing = new Tool({
      name: 'P2',
      inputSchema: empty,
      handler,
      postconditions: [isSane],
    });
    const failed = await state.run(throwing, {});
    expect(failed.errorMessage).toBe('Postcondition of P2 threw: checker down');
    expect((failed.error as Error).cause).toBe(cause);
    expect(handler).toHaveBeenCalledTimes(2);

    function positive(r: number): boolean {
      return r < 0;
    }
    const named = new Tool({ name: 'P3', inputSchema: empty, handler, postconditions: [positive] });
    expect((await state.run(named, {})).errorMessage).toBe(
      "Postcondition 'positive' of P3 failed.",
    );
  });

  it('passing postconditions (sync and async) let the result through', async () => {
    const tool = new Tool({
      name: 'Fine',
      inputSchema: empty,
      handler: () => 11,
      postconditions: [(r) => r > 10, async (r) => r < 20],
    });
    expect(await new ExecutionState().run(tool, {})).toMatchObject({ ok: true, result: 11 });
  });
});
