/**
 * Options are checked the same way everywhere (issue 7, items 3, 8, 9): `null` is refused with a
 * message that says how to fix it, a task name must be a string, a breaker clock must be a function,
 * and gatherDict keeps any name as an ordinary key.
 */
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker, ExecutionEvent, ExecutionState, Tool } from '../../src/index.js';

const tool = new Tool({ name: 'T', inputSchema: z.object({}), handler: () => 1 });

describe('null for an optional option is refused everywhere', () => {
  const fix = 'is null; leave it out (or pass undefined) for its default, or give it a value.';
  it.each([
    [
      'new ExecutionState() stateId',
      () => new ExecutionState({ stateId: null as never }),
      'stateId',
    ],
    [
      'new ExecutionState() detailMaxLength',
      () => new ExecutionState({ detailMaxLength: null as never }),
      'detailMaxLength',
    ],
    [
      'new ExecutionState() retryByEventType',
      () => new ExecutionState({ retryByEventType: null as never }),
      'retryByEventType',
    ],
    [
      'state.parallel() maxWorkers',
      () => new ExecutionState().parallel({ maxWorkers: null as never }),
      'maxWorkers',
    ],
    [
      'new CircuitBreaker() now',
      () => new CircuitBreaker({ threshold: 1, resetTimeoutMs: 1, now: null as never }),
      'now',
    ],
    [
      'new ExecutionEvent() tag',
      () => new ExecutionEvent({ actor: tool, tag: null as never }),
      'tag',
    ],
    [
      'a RetryConfig retryOn',
      () => new ExecutionEvent({ actor: tool, retry: { retryOn: null as never } }),
      'retryOn',
    ],
  ])('%s', (_label, make, key) => {
    expect(make).toThrow(`\`${key}\` ${fix}`);
  });

  it('an actor description of null is refused, not silently emptied', () => {
    expect(
      () =>
        new Tool({
          name: 'D',
          description: null as never,
          inputSchema: z.object({}),
          handler: () => 1,
        }),
    ).toThrow("Tool 'D': expected `description` to be a string, got `null` (null).");
  });
});

describe('CircuitBreaker clock', () => {
  it('must be a function', () => {
    expect(() => new CircuitBreaker({ threshold: 1, resetTimeoutMs: 10, now: 5 as never })).toThrow(
      'CircuitBreaker: expected `now` to be a function, got `5` (number).',
    );
  });

  it('one that throws fails the task instead of hanging the group', async () => {
    let broken = false;
    const breaker = new CircuitBreaker({
      threshold: 1,
      resetTimeoutMs: 10,
      now: () => {
        if (broken) throw new Error('clock broke');
        return Date.now();
      },
    });
    const state = new ExecutionState();
    const first = await state.parallel({ circuitBreaker: breaker }, (p) => {
      p.add(async () => {
        throw new Error('dependency down');
      });
    });
    expect(first[0]?.errorMessage).toBe('dependency down');
    broken = true;
    const results = await Promise.race([
      state.parallel({ circuitBreaker: breaker }, (p) => {
        p.add(async () => 'never invoked');
        p.add(async () => 'never invoked either');
      }),
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 1000)),
    ]);
    expect(results).not.toBe('hung');
    expect(
      (results as { ok: boolean; errorMessage?: string }[]).map((r) => r.errorMessage),
    ).toEqual(['clock broke', 'clock broke']);
  });
});

describe('gatherDict keys', () => {
  it('keeps __proto__, constructor and toString as ordinary keys', async () => {
    const state = new ExecutionState();
    const p = state.parallel();
    p.add(async () => 1, '__proto__');
    p.add(async () => 2, 'constructor');
    p.add(async () => 3, 'toString');
    const dict = await p.gatherDict();
    expect(Object.keys(dict)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getPrototypeOf(dict)).toBe(Object.prototype);
    expect(dict['__proto__']?.result).toBe(1);
    expect(dict['constructor']?.result).toBe(2);
    expect(JSON.parse(JSON.stringify(dict))).toMatchObject({ ['__proto__']: { result: 1 } });
  });
});

describe('interrupt checker', () => {
  it('awaits a non-native thenable like a promise', async () => {
    const thenable = { then: (resolve: (v: unknown) => void) => resolve('the operator said stop') };
    const state = new ExecutionState({ interruptChecker: () => thenable });
    await expect(state.checkInterrupt()).rejects.toThrow('Interrupted: the operator said stop.');
    const falsy = { then: (resolve: (v: unknown) => void) => resolve(false) };
    const calm = new ExecutionState({ interruptChecker: () => falsy });
    await expect(calm.checkInterrupt()).resolves.toBeUndefined();
    expect((await calm.run(tool, {})).ok).toBe(true);
  });
});
