import { afterEach, describe, expect, it, vi } from 'vitest';
import { CancelScope } from '../../src/core/cancel-scope.js';
import { sleep } from '../../src/core/sleep.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('CancelScope', () => {
  it('aborts its subtree once, with the reason, and creates its signal lazily', () => {
    const root = new CancelScope();
    const child = new CancelScope(root);
    const grandchild = new CancelScope(child);
    const early = child.signal;
    const callback = vi.fn();
    child.onAbort(callback);
    root.abort('first');
    root.abort('second');
    expect([root.aborted, child.aborted, grandchild.aborted]).toEqual([true, true, true]);
    expect(grandchild.reason).toBe('first');
    expect(early.aborted).toBe(true);
    expect(early.reason).toBe('first');
    expect(grandchild.signal.aborted).toBe(true); // created after the abort
    expect(grandchild.signal.reason).toBe('first');
    expect(callback).toHaveBeenCalledTimes(1);
    expect(callback).toHaveBeenCalledWith('first');
  });

  it('a scope opened under an aborted parent starts aborted', () => {
    const root = new CancelScope();
    root.abort('gone');
    const late = new CancelScope(root);
    expect(late.aborted).toBe(true);
    expect(late.reason).toBe('gone');
  });

  it('onAbort on an aborted scope calls back at once; the remover stops a pending callback', () => {
    const scope = new CancelScope();
    const removed = vi.fn();
    const remove = scope.onAbort(removed);
    remove();
    scope.abort('x');
    expect(removed).not.toHaveBeenCalled();
    const immediate = vi.fn();
    const noop = scope.onAbort(immediate);
    expect(immediate).toHaveBeenCalledWith('x');
    expect(() => noop()).not.toThrow();
  });

  it('a disposed child no longer follows its parent', () => {
    const root = new CancelScope();
    const child = new CancelScope(root);
    child.dispose();
    root.abort('r');
    expect(child.aborted).toBe(false);
    expect(() => new CancelScope().dispose()).not.toThrow();
  });
});

describe('sleep', () => {
  it('waits the given time, with or without a scope', async () => {
    vi.useFakeTimers();
    const done = vi.fn();
    void sleep(100).then(done);
    void sleep(100, new CancelScope()).then(done);
    await vi.advanceTimersByTimeAsync(99);
    expect(done).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toHaveBeenCalledTimes(2);
  });

  it('rejects with the reason when the scope aborts, at once if it already has', async () => {
    vi.useFakeTimers();
    const scope = new CancelScope();
    const waiting = sleep(10_000, scope);
    scope.abort('stop');
    await expect(waiting).rejects.toBe('stop');
    expect(vi.getTimerCount()).toBe(0);
    await expect(sleep(5, scope)).rejects.toBe('stop');
  });
});
