import { describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  ErrorStrategy,
  ExecutionState,
  defaultParallelOptions,
} from '../../src/index.js';

function parallelError(options: unknown): Error {
  const state = new ExecutionState();
  try {
    state.parallel(options as never);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`state.parallel(${JSON.stringify(options)}) did not throw`);
}

describe('state.parallel() options', () => {
  it('has documented defaults', () => {
    expect(defaultParallelOptions).toEqual({
      maxWorkers: 5,
      errorStrategy: 'fail_slow',
      maxRetries: 0,
      retryDelayMs: 1000,
    });
    expect(Object.isFrozen(defaultParallelOptions)).toBe(true);
    const p = new ExecutionState().parallel();
    expect(p.options).toEqual({
      maxWorkers: 5,
      name: undefined,
      errorStrategy: 'fail_slow',
      timeoutMs: undefined,
      maxRetries: 0,
      retryDelayMs: 1000,
      retry: expect.objectContaining({ maxAttempts: 1, enabled: false, initialDelayMs: 1000 }),
      circuitBreaker: undefined,
    });
  });

  it('takes a RetryConfig as `retry`, or the shorthands, not both', () => {
    const state = new ExecutionState();
    expect(
      state.parallel({ retry: { maxAttempts: 4, backoffStrategy: 'constant' } }).options,
    ).toMatchObject({
      maxRetries: 3,
      retry: { maxAttempts: 4, backoffStrategy: 'constant', initialDelayMs: 1000 },
    });
    expect(state.parallel({ maxRetries: 2, retryDelayMs: 10 }).options.retry).toMatchObject({
      maxAttempts: 3,
      backoffStrategy: 'exponential',
      initialDelayMs: 10,
      enabled: true,
    });
    expect(() => state.parallel({ retry: { maxAttempts: 2 }, maxRetries: 1 })).toThrow(
      'state.parallel(): give either `retry` or its shorthands `maxRetries`/`retryDelayMs`, not both',
    );
    expect(() => state.parallel({ retry: { maxAttempts: 0 } })).toThrow(
      /state.parallel\(\) retry: expected `maxAttempts` to be a whole number from 1 up, got `0`/,
    );
  });

  it('accepts every option, enum members and literals alike', () => {
    const state = new ExecutionState();
    const breaker = new CircuitBreaker({ threshold: 2, resetTimeoutMs: 100 });
    const p = state.parallel({
      maxWorkers: 3,
      name: 'All',
      errorStrategy: ErrorStrategy.FAIL_FAST,
      timeoutMs: 1.5,
      maxRetries: 2,
      retryDelayMs: 0,
      circuitBreaker: breaker,
    });
    expect(p.options).toMatchObject({
      maxWorkers: 3,
      name: 'All',
      errorStrategy: 'fail_fast',
      timeoutMs: 1.5,
      maxRetries: 2,
      retryDelayMs: 0,
    });
    expect(p.options.circuitBreaker).toBe(breaker);
    expect(state.parallel({ errorStrategy: 'fail_slow' }).options.errorStrategy).toBe('fail_slow');
    expect(state.parallel({ maxWorkers: Infinity }).options.maxWorkers).toBe(Infinity);
  });

  it.each([
    ['maxWorkers', 0, '`0`'],
    ['maxWorkers', -1, '`-1`'],
    ['maxWorkers', 1.5, '`1.5`'],
    ['maxWorkers', '5', '`"5"` (string)'],
    ['maxWorkers', NaN, '`NaN` (number)'],
    ['timeoutMs', 0, '`0`'],
    ['timeoutMs', -5, '`-5`'],
    ['timeoutMs', NaN, '`NaN` (number)'],
    ['timeoutMs', Infinity, '`Infinity` (number)'],
    ['timeoutMs', '100', '`"100"`'],
    ['maxRetries', -1, '`-1`'],
    ['maxRetries', 1.5, '`1.5`'],
    ['maxRetries', Infinity, '`Infinity` (number)'],
    ['retryDelayMs', -1, '`-1`'],
    ['retryDelayMs', NaN, '`NaN` (number)'],
  ])(
    '%s: %s is refused with a RangeError naming the option and the value',
    (option, value, shown) => {
      const error = parallelError({ [option]: value });
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toContain(`\`${option}\``);
      expect(error.message).toContain(shown);
      expect(error.message).toContain('state.parallel()');
    },
  );

  it.each([
    ['threshold', { threshold: 0, resetTimeoutMs: 100 }, '`0`'],
    ['threshold', { threshold: 2.5, resetTimeoutMs: 100 }, '`2.5`'],
    ['resetTimeoutMs', { threshold: 1, resetTimeoutMs: -1 }, '`-1`'],
    ['resetTimeoutMs', { threshold: 1, resetTimeoutMs: 0 }, '`0`'],
  ])('circuitBreaker %s refused with a RangeError', (option, circuitBreaker, shown) => {
    const error = parallelError({ circuitBreaker });
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toContain(`\`${option}\``);
    expect(error.message).toContain(shown);
  });

  it('refuses a circuitBreaker that is neither a breaker nor an object', () => {
    expect(parallelError({ circuitBreaker: 3 })).toBeInstanceOf(TypeError);
    expect(parallelError({ circuitBreaker: null })).toBeInstanceOf(TypeError);
    expect(parallelError({ circuitBreaker: 3 }).message).toContain('circuitBreaker');
  });

  it('refuses an unknown errorStrategy, listing the valid ones', () => {
    const error = parallelError({ errorStrategy: 'fail_sometimes' });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain('errorStrategy');
    expect(error.message).toContain('"fail_sometimes"');
    expect(error.message).toContain("'fail_slow'");
    expect(error.message).toContain("'fail_fast'");
  });

  it('refuses an unknown option key (a typo does not pass silently)', () => {
    const error = parallelError({ maxWorker: 3 });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain('`maxWorker`');
    expect(error.message).toContain('`maxWorkers`');
  });

  it('refuses options that are not an object', () => {
    expect(parallelError(5)).toBeInstanceOf(TypeError);
    expect(parallelError(null)).toBeInstanceOf(TypeError);
    expect(parallelError('fast')).toBeInstanceOf(TypeError);
  });

  it.each([[''], ['a:b'], ['x[1]'], ['y#2'], [42]])('refuses the group name %j', (name) => {
    const error = parallelError({ name });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain('name');
  });

  it('validates before the group exists: nothing is claimed, the next group gets the plain id', () => {
    const state = new ExecutionState();
    expect(() => state.parallel({ maxWorkers: 0 })).toThrow(RangeError);
    expect(state.parallel().groupId).toBe('parallel');
  });
});

describe('ExecutionState maxConcurrency', () => {
  it.each([[0], [-1], [1.5], ['3'], [NaN]])('refuses %j with a RangeError', (value) => {
    let error: unknown;
    try {
      new ExecutionState({ maxConcurrency: value as never });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toContain('`maxConcurrency`');
    expect((error as Error).message).toContain(String(value));
  });

  it('accepts whole numbers and Infinity', () => {
    expect(new ExecutionState({ maxConcurrency: 2 }).maxConcurrency).toBe(2);
    expect(new ExecutionState({ maxConcurrency: Infinity }).maxConcurrency).toBe(Infinity);
    expect(new ExecutionState().maxConcurrency).toBeUndefined();
  });
});
