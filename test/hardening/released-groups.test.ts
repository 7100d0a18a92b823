/**
 * Groups that are never gathered are released once their tasks settle (issue 7, item 5): a
 * long-lived state does not retain every group it ever opened.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker, ExecutionState, ParallelCancelledError } from '../../src/index.js';
import { sleep } from '../parallel/helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function collectGarbage(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc();
    await sleep(5);
  }
}

describe('groups nobody gathered', () => {
  it('are not retained by their long-lived state once their tasks settled', async () => {
    const state = new ExecutionState();
    const breaker = new CircuitBreaker({ threshold: 100, resetTimeoutMs: 1000 });
    const refs: WeakRef<object>[] = [];
    await (async () => {
      for (let i = 0; i < 50; i++) {
        const p = state.parallel({ timeoutMs: 2 ** 31, circuitBreaker: breaker });
        p.add(async () => i);
        await p.settled();
        refs.push(new WeakRef(p));
      }
    })();
    await collectGarbage();
    const alive = refs.filter((ref) => ref.deref() !== undefined).length;
    expect(alive).toBe(0);
    expect(state.metrics().tasks.completed).toBe(50);
  });

  it('a released group still works: more tasks, collection, its deadline and interrupts', async () => {
    const state = new ExecutionState();
    const p = state.parallel({ name: 'Later', timeoutMs: 100 });
    p.add(async () => 1);
    await p.settled();
    p.add(async () => 2);
    expect((await p.gather()).map((r) => r.result)).toEqual([1, 2]);

    // Its deadline still counts from the first start while it was released.
    const q = state.parallel({ name: 'Deadline', timeoutMs: 40 });
    q.add(async () => 1);
    await q.settled();
    await sleep(60);
    q.add(() => sleep(500));
    await expect(q.gather()).rejects.toThrow(/timed out after 40 ms with 1 of 2/);

    // An interrupt while it was released still ends it.
    const r = state.parallel({ name: 'Interrupted' });
    r.add(async () => 1);
    await r.settled();
    state.requestInterrupt('shutdown');
    expect(() => r.add(async () => 2)).toThrow(/state was interrupted/);
    await expect(r.gather()).rejects.toBeInstanceOf(ParallelCancelledError);
  });
});
