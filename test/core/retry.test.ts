import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  type ResolvedRetry,
  builtInRetryByEventType,
  isRetryable,
  pickRetry,
  resolveRetryConfig,
} from '../../src/core/retry.js';
import {
  Agent,
  CancelledError,
  ConditionError,
  ExecutionEvent,
  type ExecutionStateOptions,
  ExecutionState,
  InputValidationError,
  InterruptedError,
  LLM,
  OutputValidationError,
  type RetryConfig,
  Tool,
  backoffDelay,
  defaultRetryConfig,
} from '../../src/index.js';

const config = (overrides: Partial<ResolvedRetry>): ResolvedRetry => ({
  ...defaultRetryConfig,
  jitter: false,
  ...overrides,
});
const delays = (c: ResolvedRetry, n: number) =>
  Array.from({ length: n }, (_, i) => backoffDelay(c, i + 1));

class NetworkError extends Error {}
class RateLimited extends NetworkError {}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('backoffDelay', () => {
  it('constant keeps the initial delay', () => {
    expect(delays(config({ backoffStrategy: 'constant', initialDelayMs: 100 }), 4)).toEqual([
      100, 100, 100, 100,
    ]);
  });

  it('linear grows by the initial delay per attempt', () => {
    expect(delays(config({ backoffStrategy: 'linear', initialDelayMs: 100 }), 4)).toEqual([
      100, 200, 300, 400,
    ]);
  });

  it('exponential multiplies by backoffMultiplier (default 2)', () => {
    expect(delays(config({ initialDelayMs: 100 }), 5)).toEqual([100, 200, 400, 800, 1600]);
    expect(delays(config({ initialDelayMs: 100, backoffMultiplier: 3 }), 4)).toEqual([
      100, 300, 900, 2700,
    ]);
  });

  it('fibonacci follows 1, 1, 2, 3, 5, 8', () => {
    expect(delays(config({ backoffStrategy: 'fibonacci', initialDelayMs: 100 }), 6)).toEqual([
      100, 100, 200, 300, 500, 800,
    ]);
  });

  it('is capped by maxDelayMs', () => {
    const capped = config({ initialDelayMs: 1000, maxDelayMs: 5000 });
    expect(delays(capped, 5)).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect(backoffDelay(capped, 40)).toBe(5000);
    expect(backoffDelay(config({ backoffStrategy: 'linear', maxDelayMs: 2500 }), 9)).toBe(2500);
  });

  it('jitter spreads each delay by ±25% (injected random)', () => {
    const jittery = config({ initialDelayMs: 1000, jitter: true });
    expect(backoffDelay(jittery, 1, () => 0)).toBe(750);
    expect(backoffDelay(jittery, 1, () => 0.5)).toBe(1000);
    expect(backoffDelay(jittery, 1, () => 0.999999)).toBeCloseTo(1250, 2);
    expect(backoffDelay(jittery, 2, () => 0)).toBe(1500);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(jittery, 3);
      expect(d).toBeGreaterThanOrEqual(3000);
      expect(d).toBeLessThanOrEqual(5000);
    }
  });

  it('jitter never pushes a delay above maxDelayMs', () => {
    const jittery = config({ initialDelayMs: 1000, maxDelayMs: 1100, jitter: true });
    expect(backoffDelay(jittery, 1, () => 0.99)).toBe(1100);
    expect(backoffDelay(jittery, 1, () => 0)).toBe(750);
  });
});

describe('resolveRetryConfig', () => {
  it('fills in the defaults of API.md', () => {
    expect(resolveRetryConfig({}, 'x')).toEqual({
      maxAttempts: 3,
      backoffStrategy: 'exponential',
      initialDelayMs: 1000,
      maxDelayMs: 60_000,
      backoffMultiplier: 2,
      jitter: true,
      retryOn: [],
      exclude: [],
      retryTimeoutMs: undefined,
      enabled: true,
    });
  });

  it('accepts a single matcher or a list', () => {
    const predicate = () => true;
    const r = resolveRetryConfig({ retryOn: NetworkError, exclude: [predicate, TypeError] }, 'x');
    expect(r.retryOn).toEqual([NetworkError]);
    expect(r.exclude).toEqual([predicate, TypeError]);
  });

  it('built-in defaults: tools and LLMs 3 attempts from 1000 ms, agents none', () => {
    expect(builtInRetryByEventType.tool_call).toMatchObject({
      maxAttempts: 3,
      initialDelayMs: 1000,
      backoffStrategy: 'exponential',
      enabled: true,
    });
    expect(builtInRetryByEventType.llm_call).toMatchObject({ maxAttempts: 3, enabled: true });
    expect(builtInRetryByEventType.agent_call.enabled).toBe(false);
  });
});

describe('isRetryable', () => {
  it('retries every error by default, none when disabled', () => {
    expect(isRetryable(config({}), new Error('x'))).toBe(true);
    expect(isRetryable(config({}), 'a string')).toBe(true);
    expect(isRetryable(config({ enabled: false }), new Error('x'))).toBe(false);
  });

  it('retryOn with classes (instanceof, subclasses included) and predicates', () => {
    const byClass = config({ retryOn: [NetworkError] });
    expect(isRetryable(byClass, new NetworkError())).toBe(true);
    expect(isRetryable(byClass, new RateLimited())).toBe(true);
    expect(isRetryable(byClass, new TypeError())).toBe(false);
    expect(isRetryable(config({ retryOn: [Error] }), new TypeError())).toBe(true);
    expect(isRetryable(config({ retryOn: [Error] }), 'not an error')).toBe(false);
    const byPredicate = config({ retryOn: [(e) => (e as { status?: number }).status === 503] });
    expect(isRetryable(byPredicate, { status: 503 })).toBe(true);
    expect(isRetryable(byPredicate, { status: 400 })).toBe(false);
  });

  it('exclude wins over retryOn', () => {
    const c = config({ retryOn: [NetworkError], exclude: [RateLimited] });
    expect(isRetryable(c, new NetworkError())).toBe(true);
    expect(isRetryable(c, new RateLimited())).toBe(false);
    const p = config({ exclude: [(e) => e instanceof Error && e.message === 'fatal'] });
    expect(isRetryable(p, new Error('fatal'))).toBe(false);
    expect(isRetryable(p, new Error('transient'))).toBe(true);
  });

  it('never retries validation, condition, interrupt and cancel errors', () => {
    const c = config({ retryOn: [Error] });
    expect(isRetryable(c, new InputValidationError('m', 'A', []))).toBe(false);
    expect(isRetryable(c, new OutputValidationError('m'))).toBe(false);
    expect(isRetryable(c, new ConditionError('m'))).toBe(false);
    expect(isRetryable(c, new InterruptedError())).toBe(false);
    expect(isRetryable(c, new CancelledError())).toBe(false);
  });

  it('matches classes that do not extend Error with instanceof, not as predicates', () => {
    class Custom {}
    const c = config({ retryOn: [Custom] });
    expect(isRetryable(c, new Custom())).toBe(true);
    expect(isRetryable(c, new Error())).toBe(false);
  });

  it('a predicate that throws means "do not retry" (it does not throw)', () => {
    const c = config({
      retryOn: [
        () => {
          throw new Error('bad predicate');
        },
      ],
    });
    expect(isRetryable(c, new Error('x'))).toBe(false);
  });
});

describe('retry in runs', () => {
  const failing = (name: string, error: () => unknown = () => new Error('boom')) => {
    const handler = vi.fn(() => {
      throw error();
    });
    return { handler, tool: new Tool({ name, inputSchema: z.object({}), handler }) };
  };

  it('retryOn with a class retries only matching errors', async () => {
    const state = new ExecutionState();
    const net = failing('Net', () => new NetworkError('reset'));
    const other = failing('Other', () => new TypeError('bug'));
    const retry: RetryConfig = { retryOn: [NetworkError], initialDelayMs: 0, maxAttempts: 4 };
    await new ExecutionEvent({ actor: net.tool, retry }).run({}, undefined, state);
    await new ExecutionEvent({ actor: other.tool, retry }).run({}, undefined, state);
    expect(net.handler).toHaveBeenCalledTimes(4);
    expect(other.handler).toHaveBeenCalledTimes(1);
  });

  it('exclude with a predicate stops retrying', async () => {
    const state = new ExecutionState();
    const t = failing('Fatal', () => new Error('fatal: disk'));
    const retry: RetryConfig = {
      exclude: (e) => e instanceof Error && e.message.startsWith('fatal'),
      initialDelayMs: 0,
    };
    const result = await new ExecutionEvent({ actor: t.tool, retry }).run({}, undefined, state);
    expect(t.handler).toHaveBeenCalledTimes(1);
    expect(result.errorMessage).toBe('fatal: disk');
  });

  it('a non-Error class in retryOn, or a throwing predicate, never makes run() reject', async () => {
    class Custom {}
    const state = new ExecutionState();
    const custom = failing('Custom', () => new Custom());
    const r1 = await new ExecutionEvent({
      actor: custom.tool,
      retry: { retryOn: [Custom], initialDelayMs: 0, maxAttempts: 2 },
    }).run({}, undefined, state);
    expect(r1.ok).toBe(false);
    expect(r1.error).toBeInstanceOf(Custom);
    expect(custom.handler).toHaveBeenCalledTimes(2);

    const odd = failing('Odd');
    const r2 = await new ExecutionEvent({
      actor: odd.tool,
      retry: {
        retryOn: () => {
          throw new Error('predicate bug');
        },
        initialDelayMs: 0,
      },
    }).run({}, undefined, state);
    expect(r2).toMatchObject({ ok: false, errorMessage: 'boom' });
    expect(odd.handler).toHaveBeenCalledTimes(1);
  });

  it('retryTimeoutMs stops retrying once the next delay would pass it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const state = new ExecutionState();
    const t = failing('Timed');
    const run = new ExecutionEvent({
      actor: t.tool,
      retry: {
        maxAttempts: 10,
        backoffStrategy: 'constant',
        initialDelayMs: 100,
        jitter: false,
        retryTimeoutMs: 250,
      },
    })
      .run({}, undefined, state)
      .then((r) => r);
    await vi.advanceTimersByTimeAsync(1000);
    const result = await run;
    // attempts at 0 ms and 100 ms retry (next at 100, 200 < 250); the one at 200 ms would end at 300.
    expect(t.handler).toHaveBeenCalledTimes(3);
    expect(result.errorMessage).toBe('boom (after 3 attempts)');
  });

  it('waits the backoff between attempts (fake timers)', async () => {
    vi.useFakeTimers();
    const t = failing('Wait');
    const run = new ExecutionEvent({
      actor: t.tool,
      retry: { initialDelayMs: 100, backoffStrategy: 'linear', jitter: false },
    })
      .run({}, undefined, new ExecutionState())
      .then((r) => r);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.handler).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(99);
    expect(t.handler).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.handler).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(199);
    expect(t.handler).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.handler).toHaveBeenCalledTimes(3);
    expect((await run).ok).toBe(false);
  });
});

describe('retry resolution: the most specific config wins', () => {
  type Kind = 'tool' | 'llm' | 'agent';
  const fast = (maxAttempts: number, extra: RetryConfig = {}): RetryConfig => ({
    maxAttempts,
    initialDelayMs: 0,
    ...extra,
  });

  /** How many times the handler of a failing actor is called. */
  async function attempts(
    kind: Kind,
    {
      actor,
      event,
      state = {},
    }: { actor?: RetryConfig; event?: RetryConfig; state?: ExecutionStateOptions } = {},
  ): Promise<number> {
    const handler = vi.fn(() => {
      throw new Error('nope');
    });
    const options = { name: 'A', inputSchema: z.object({}), handler, retry: actor };
    const a =
      kind === 'tool' ? new Tool(options) : kind === 'llm' ? new LLM(options) : new Agent(options);
    const result = await new ExecutionEvent({ actor: a, retry: event }).run(
      {},
      undefined,
      new ExecutionState(state),
    );
    expect(result.ok).toBe(false);
    return handler.mock.calls.length;
  }

  it('built-ins: tools and LLMs 3 attempts, exponential from 1000 ms', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0.5); // jitter factor 1
    for (const kind of ['tool', 'llm'] as const) {
      const handler = vi.fn(() => {
        throw new Error('down');
      });
      const options = { name: 'Default', inputSchema: z.object({}), handler };
      const actor = kind === 'tool' ? new Tool(options) : new LLM(options);
      const state = new ExecutionState();
      const run = state.run(actor, {}).then((r) => r);
      await vi.advanceTimersByTimeAsync(999);
      expect(handler).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(handler).toHaveBeenCalledTimes(2);
      await vi.advanceTimersByTimeAsync(1999);
      expect(handler).toHaveBeenCalledTimes(2);
      await vi.advanceTimersByTimeAsync(1);
      expect(handler).toHaveBeenCalledTimes(3);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(handler).toHaveBeenCalledTimes(3);
      expect((await run).errorMessage).toBe('down (after 3 attempts)');
      expect(state.history.events.map((r) => r.message).slice(1, 3)).toEqual([
        'Attempt 1 of 3 failed: down; retrying in 1000 ms.',
        'Attempt 2 of 3 failed: down; retrying in 2000 ms.',
      ]);
    }
  });

  it('built-ins: agents do not retry', async () => {
    expect(await attempts('agent')).toBe(1);
  });

  it('state.defaultRetry beats the built-ins (agents too)', async () => {
    const state = { defaultRetry: fast(2) };
    expect(await attempts('tool', { state })).toBe(2);
    expect(await attempts('llm', { state })).toBe(2);
    expect(await attempts('agent', { state })).toBe(2);
  });

  it('state.retryByEventType beats state.defaultRetry, for its event type only', async () => {
    const state = { defaultRetry: fast(2), retryByEventType: { tool_call: fast(4) } };
    expect(await attempts('tool', { state })).toBe(4);
    expect(await attempts('llm', { state })).toBe(2);
  });

  it('the actor retry beats the state', async () => {
    const state = { defaultRetry: fast(2), retryByEventType: { agent_call: fast(4) } };
    expect(await attempts('agent', { state, actor: fast(5) })).toBe(5);
  });

  it('the event retry beats the actor retry', async () => {
    const state = { defaultRetry: fast(2), retryByEventType: { tool_call: fast(4) } };
    expect(await attempts('tool', { state, actor: fast(5), event: fast(6) })).toBe(6);
  });

  it('enabled:false at a more specific level does not fall through', async () => {
    const off = { enabled: false, initialDelayMs: 0 };
    expect(await attempts('tool', { event: off, actor: fast(5) })).toBe(1);
    expect(await attempts('tool', { actor: off, state: { defaultRetry: fast(4) } })).toBe(1);
    expect(
      await attempts('llm', {
        state: { retryByEventType: { llm_call: off }, defaultRetry: fast(4) },
      }),
    ).toBe(1);
    // A disabled state default wins over the built-in 3 attempts of tools (no 1000 ms waits).
    expect(await attempts('tool', { state: { defaultRetry: off } })).toBe(1);
  });

  it('an enabled config at a more specific level turns retrying on for an agent', async () => {
    expect(await attempts('agent', { event: fast(3) })).toBe(3);
  });

  it('pickRetry returns the first config given, disabled or not, else the built-in', () => {
    const a = config({ maxAttempts: 9 });
    const off = config({ enabled: false });
    expect(pickRetry([undefined, a, off], 'tool_call')).toBe(a);
    expect(pickRetry([off, a], 'tool_call')).toBe(off);
    expect(pickRetry([undefined, undefined], 'agent_call')).toBe(
      builtInRetryByEventType.agent_call,
    );
  });
});
