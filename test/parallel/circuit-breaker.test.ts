import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CircuitBreaker,
  CircuitOpenError,
  type CircuitState,
  ExecutionState,
} from '../../src/index.js';
import { recordingState } from './helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A breaker with a hand-driven clock. */
function clockedBreaker(threshold: number, resetTimeoutMs: number) {
  let now = 1_000;
  const breaker = new CircuitBreaker({ threshold, resetTimeoutMs, now: () => now });
  return {
    breaker,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('CircuitBreaker on its own', () => {
  it('closed -> open after threshold consecutive failures -> half-open -> closed on success', () => {
    const { breaker, advance } = clockedBreaker(3, 1_000);
    const changes: CircuitState[] = [];
    const off = breaker.onStateChange((s) => changes.push(s));
    expect(breaker.state).toBe('closed');
    expect(breaker.tryPass()).toBe(true);
    breaker.recordFailure();
    breaker.recordFailure();
    breaker.recordSuccess(); // resets the consecutive count
    expect(breaker.failures).toBe(0);
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.state).toBe('closed');
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.tryPass()).toBe(false);
    expect(breaker.refusals).toBe(1);
    advance(999);
    expect(breaker.state).toBe('open');
    advance(1);
    expect(breaker.state).toBe('half_open');
    expect(breaker.tryPass()).toBe(true); // the trial
    expect(breaker.tryPass()).toBe(false); // one trial at a time
    breaker.recordSuccess();
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['open', 'half_open', 'closed']);
    off();
    breaker.recordFailure();
    breaker.recordFailure();
    breaker.recordFailure();
    expect(changes).toHaveLength(3);
  });

  it('half-open -> open again when the trial fails; a cancelled trial frees the slot', () => {
    const { breaker, advance } = clockedBreaker(1, 100);
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    advance(100);
    expect(breaker.tryPass()).toBe(true);
    breaker.recordCancelled();
    expect(breaker.state).toBe('half_open');
    expect(breaker.tryPass()).toBe(true);
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    advance(50);
    expect(breaker.tryPass()).toBe(false);
    advance(50);
    expect(breaker.state).toBe('half_open');
  });

  it('reset(), toJSON() and initialState round-trip', () => {
    const { breaker } = clockedBreaker(2, 500);
    breaker.recordFailure();
    breaker.recordFailure();
    const snapshot = breaker.toJSON();
    expect(snapshot).toEqual({ state: 'open', failures: 2, openedAt: 1_000 });
    const restored = new CircuitBreaker({
      threshold: 2,
      resetTimeoutMs: 500,
      initialState: snapshot,
      now: () => 1_100,
    });
    expect(restored.state).toBe('open');
    expect(restored.failures).toBe(2);
    breaker.reset();
    expect(breaker.state).toBe('closed');
    expect(breaker.failures).toBe(0);
    breaker.reset(); // already closed: no change event
  });

  it('a throwing listener does not break the breaker', () => {
    const { breaker } = clockedBreaker(1, 100);
    const seen: CircuitState[] = [];
    breaker.onStateChange(() => {
      throw new Error('listener bug');
    });
    breaker.onStateChange((s) => seen.push(s));
    expect(() => breaker.recordFailure()).not.toThrow();
    expect(seen).toEqual(['open']);
  });

  it('uses Date.now by default (fake timers)', () => {
    vi.useFakeTimers();
    const breaker = new CircuitBreaker({ threshold: 1, resetTimeoutMs: 1_000 });
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    vi.advanceTimersByTime(1_000);
    expect(breaker.state).toBe('half_open');
  });

  it.each([
    ['threshold 0', { threshold: 0, resetTimeoutMs: 10 }, /threshold.*`0`/],
    ['threshold -1', { threshold: -1, resetTimeoutMs: 10 }, /threshold.*`-1`/],
    ['threshold 1.5', { threshold: 1.5, resetTimeoutMs: 10 }, /threshold.*`1.5`/],
    ['resetTimeoutMs 0', { threshold: 1, resetTimeoutMs: 0 }, /resetTimeoutMs.*`0`/],
    ['resetTimeoutMs NaN', { threshold: 1, resetTimeoutMs: NaN }, /resetTimeoutMs/],
    ['resetTimeoutMs missing', { threshold: 1 }, /resetTimeoutMs/],
  ])('refuses %s with a RangeError naming the option and value', (_label, options, pattern) => {
    expect(() => new CircuitBreaker(options as never)).toThrow(RangeError);
    expect(() => new CircuitBreaker(options as never)).toThrow(pattern);
  });

  it('refuses a non-object and unknown keys with a TypeError', () => {
    expect(() => new CircuitBreaker(null as never)).toThrow(TypeError);
    expect(
      () => new CircuitBreaker({ threshold: 1, resetTimeoutMs: 1, treshold: 2 } as never),
    ).toThrow(/treshold/);
  });
});

describe('CircuitBreaker in a group', () => {
  it('refuses tasks without invoking them once open; message contains "Circuit breaker open"', async () => {
    const { breaker } = clockedBreaker(2, 10_000);
    const state = new ExecutionState();
    const invoked: number[] = [];
    const p = state.parallel({ maxWorkers: 1, circuitBreaker: breaker, name: 'Api' });
    for (let i = 0; i < 5; i++)
      p.add(async () => {
        invoked.push(i);
        throw new Error(`service down ${i}`);
      }, `call${i}`);
    const results = await p.gather();
    expect(invoked).toEqual([0, 1]);
    expect(results.map((r) => r.ok)).toEqual([false, false, false, false, false]);
    for (const r of results.slice(2)) {
      expect(r.errorMessage).toContain('Circuit breaker open');
      expect(r.error).toBeInstanceOf(CircuitOpenError);
    }
    expect(results[2]?.errorMessage).toContain('call2');
    expect(results[2]?.errorMessage).toContain("'Api'");
    expect(p.group.failed).toBe(5);
    expect(state.metrics().breakerRefusals).toBe(3);
    expect(breaker.refusals).toBe(3);
  });

  it('lets one trial through after resetTimeoutMs; closes on success', async () => {
    const { breaker, advance } = clockedBreaker(1, 1_000);
    const state = new ExecutionState();
    await state.parallel({ circuitBreaker: breaker }, (p) => {
      p.add(() => {
        throw new Error('down');
      });
    });
    expect(breaker.state).toBe('open');
    advance(1_000);
    const invoked: number[] = [];
    const results = await state.parallel({ circuitBreaker: breaker, maxWorkers: 1 }, (p) => {
      for (let i = 0; i < 3; i++) p.add(() => invoked.push(i));
    });
    expect(invoked).toEqual([0, 1, 2]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(breaker.state).toBe('closed');
  });

  it('half-open trial failing opens it again: the next tasks are refused', async () => {
    const { breaker, advance } = clockedBreaker(1, 1_000);
    breaker.recordFailure();
    advance(1_000);
    const state = new ExecutionState();
    const invoked: number[] = [];
    const results = await state.parallel({ circuitBreaker: breaker, maxWorkers: 1 }, (p) => {
      for (let i = 0; i < 3; i++)
        p.add(() => {
          invoked.push(i);
          throw new Error('still down');
        });
    });
    expect(invoked).toEqual([0]);
    expect(results.map((r) => r.errorMessage?.includes('Circuit breaker open'))).toEqual([
      false,
      true,
      true,
    ]);
    expect(breaker.state).toBe('open');
  });

  it('in half-open, concurrent tasks beyond the single trial are refused', async () => {
    const { breaker, advance } = clockedBreaker(1, 100);
    breaker.recordFailure();
    advance(100);
    const state = new ExecutionState();
    const results = await state.parallel({ circuitBreaker: breaker, maxWorkers: 3 }, (p) => {
      for (let i = 0; i < 3; i++) p.add(async () => i);
    });
    expect(results.map((r) => r.ok)).toEqual([true, false, false]);
    expect(breaker.state).toBe('closed');
  });

  it('is shared across two groups (and states): failures in one open it for the other', async () => {
    const { breaker } = clockedBreaker(2, 60_000);
    const a = new ExecutionState();
    const b = new ExecutionState();
    await a.parallel({ circuitBreaker: breaker }, (p) => {
      p.add(() => Promise.reject(new Error('a1')));
      p.add(() => Promise.reject(new Error('a2')));
    });
    let invoked = false;
    const results = await b.parallel({ circuitBreaker: breaker }, (p) => {
      p.add(() => {
        invoked = true;
      });
    });
    expect(invoked).toBe(false);
    expect(results[0]?.errorMessage).toContain('Circuit breaker open');
  });

  it('a group given { threshold, resetTimeoutMs } gets its own breaker', async () => {
    const state = new ExecutionState();
    const p = state.parallel({
      maxWorkers: 1,
      circuitBreaker: { threshold: 1, resetTimeoutMs: 60_000 },
    });
    expect(p.options.circuitBreaker).toBeInstanceOf(CircuitBreaker);
    let calls = 0;
    p.add(() => {
      calls++;
      throw new Error('x');
    });
    p.add(() => calls++);
    const results = await p.gather();
    expect(calls).toBe(1);
    expect(results[1]?.errorMessage).toContain('Circuit breaker open');
    const q = state.parallel({ circuitBreaker: { threshold: 1, resetTimeoutMs: 60_000 } });
    expect(q.options.circuitBreaker).not.toBe(p.options.circuitBreaker);
    expect(q.options.circuitBreaker?.state).toBe('closed');
  });

  it('publishes kind "group" type "breaker" events on state changes', async () => {
    const { breaker, advance } = clockedBreaker(1, 100);
    const { state, groupEvents } = recordingState();
    await state.parallel({ circuitBreaker: breaker, name: 'B', maxWorkers: 1 }, (p) => {
      p.add(() => {
        throw new Error('fail');
      });
      p.add(() => {
        advance(100);
        return 'never invoked';
      });
    });
    const breakerEvents = groupEvents().filter((e) => e.type === 'breaker');
    expect(breakerEvents.length).toBeGreaterThanOrEqual(1);
    expect(breakerEvents[0]).toMatchObject({ kind: 'group', groupId: 'B', breakerState: 'open' });
    // after the group settled it no longer listens to the breaker
    const before = groupEvents().length;
    advance(100);
    expect(breaker.state).toBe('half_open');
    breaker.recordSuccess();
    expect(groupEvents().length).toBe(before);
  });

  it('a task cancelled while it was the half-open trial does not count as a failure', async () => {
    const { breaker, advance } = clockedBreaker(1, 100);
    breaker.recordFailure();
    advance(100);
    const state = new ExecutionState();
    const p = state.parallel({ circuitBreaker: breaker });
    p.add(({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', reject)));
    await new Promise((r) => setTimeout(r, 5));
    p.cancel();
    await p.settled();
    expect(breaker.state).toBe('half_open');
    expect(breaker.tryPass()).toBe(true);
  });

  it('a breaker refusal under fail_fast fails the group with a CircuitOpenError', async () => {
    const { breaker } = clockedBreaker(1, 60_000);
    breaker.recordFailure();
    const state = new ExecutionState();
    const p = state.parallel({ circuitBreaker: breaker, errorStrategy: 'fail_fast' });
    p.add(() => 'never');
    await expect(p.gather()).rejects.toBeInstanceOf(CircuitOpenError);
  });

  it('retries stop as soon as the breaker opens; the refusal does not claim extra attempts', async () => {
    const { breaker } = clockedBreaker(2, 60_000);
    const state = new ExecutionState();
    let calls = 0;
    const results = await state.parallel(
      { circuitBreaker: breaker, maxRetries: 5, retryDelayMs: 1 },
      (p) => {
        p.add(() => {
          calls++;
          throw new Error('flaky service');
        });
      },
    );
    expect(calls).toBe(2);
    expect(results[0]?.errorMessage).toContain('Circuit breaker open');
    expect(results[0]?.errorMessage).not.toContain('attempts)');
  });
});

describe('CircuitBreaker initialState', () => {
  it('refuses a state that toJSON() could not have produced', async () => {
    const { CircuitBreaker } = await import('../../src/index.js');
    expect(
      () =>
        new CircuitBreaker({
          threshold: 1,
          resetTimeoutMs: 10,
          initialState: { state: 'bogus' as 'open', failures: 0, openedAt: undefined },
        }),
    ).toThrow(/initialState.*toJSON\(\)/);
    const saved = new CircuitBreaker({ threshold: 1, resetTimeoutMs: 10_000 });
    saved.recordFailure();
    const restored = new CircuitBreaker({
      threshold: 1,
      resetTimeoutMs: 10_000,
      initialState: saved.toJSON(),
    });
    expect(restored.state).toBe('open');
    expect(restored.tryPass()).toBe(false);
  });
});
