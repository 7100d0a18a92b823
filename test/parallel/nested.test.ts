import { describe, expect, it } from 'vitest';
import {
  ExecutionState,
  ParallelCancelledError,
  type ParallelResult,
  UsageError,
} from '../../src/index.js';
import { Gauge, makeAgent, makeTool, recordingState, sleep, within } from './helpers.js';

/** A tree of groups `depth` levels deep, `width` branches each; leaves sleep briefly. */
async function tree(
  state: ExecutionState,
  depth: number,
  width: number,
  leaves: Gauge,
  maxWorkers: number,
): Promise<number> {
  if (depth === 0) {
    await leaves.around(() => sleep(1));
    return 1;
  }
  const results = await state.parallel({ maxWorkers, name: `L${depth}` }, (p) => {
    for (let i = 0; i < width; i++) p.add(() => tree(state, depth - 1, width, leaves, maxWorkers));
  });
  return results.reduce((sum, r) => sum + (r.ok ? (r.result as number) : 0), 0);
}

describe('nested groups', () => {
  it('a branch opening its own group gets its results', async () => {
    const state = new ExecutionState();
    const results = await state.parallel({ name: 'Outer' }, (p) => {
      for (let i = 0; i < 3; i++)
        p.add(async () => {
          const inner = await state.parallel({ name: 'Inner' }, (q) => {
            q.add(async () => `${i}.a`);
            q.add(async () => `${i}.b`);
          });
          return inner.map((r) => r.result).join('+');
        });
    });
    expect(results.map((r) => r.result)).toEqual(['0.a+0.b', '1.a+1.b', '2.a+2.b']);
  });

  it('never deadlocks with maxWorkers 1 and maxConcurrency 1, several levels deep', async () => {
    const state = new ExecutionState({ maxConcurrency: 1 });
    const leaves = new Gauge();
    const count = await within(tree(state, 4, 2, leaves, 1), 10_000, 'a 4-level tree');
    expect(count).toBe(16);
    expect(leaves.peak).toBe(1);
  });

  it('never deadlocks with maxConcurrency 2 and wider groups', async () => {
    const state = new ExecutionState({ maxConcurrency: 2 });
    const leaves = new Gauge();
    const count = await within(tree(state, 3, 3, leaves, 2), 10_000, 'a 3-level tree');
    expect(count).toBe(27);
    expect(leaves.peak).toBeLessThanOrEqual(2);
  });

  it('never deadlocks when the nested group is opened inside an actor run inside a branch', async () => {
    const state = new ExecutionState({ maxConcurrency: 1 });
    const leaf = makeTool('Leaf', async (v) => {
      await sleep(1);
      return v;
    });
    const agent = makeAgent('Fan', async (v, st) => {
      const results = await st.parallel({ maxWorkers: 1 }, (q) => {
        for (let i = 0; i < 3; i++) q.add(st.run(leaf, { value: v * 10 + i }));
      });
      return results.map((r) => r.result);
    });
    const results = await within(
      state.parallel({ maxWorkers: 1 }, (p) => {
        p.add(state.run(agent, { value: 1 }));
        p.add(state.run(agent, { value: 2 }));
      }),
      5_000,
    );
    expect(results.map((r) => r.result)).toEqual([
      [10, 11, 12],
      [20, 21, 22],
    ]);
  });

  it('a branch that resumes after its nested gather waits for a state slot again', async () => {
    const state = new ExecutionState({ maxConcurrency: 1 });
    const active = new Gauge();
    await within(
      state.parallel({ maxWorkers: 3 }, (p) => {
        p.add(async () => {
          await state.parallel({}, (q) => {
            q.add(() => active.around(() => sleep(20)));
          });
          // work after the nested group: must not overlap with another branch's work
          await active.around(() => sleep(30));
        });
        p.add(() => active.around(() => sleep(30)));
        p.add(() => active.around(() => sleep(30)));
      }),
      5_000,
    );
    expect(active.peak).toBe(1);
  });

  it('two nested groups gathered at once in one branch do not deadlock under maxConcurrency 1', async () => {
    const state = new ExecutionState({ maxConcurrency: 1 });
    const results = await within(
      state.parallel({}, (p) => {
        p.add(async () => {
          const g1 = state.parallel({ name: 'G1' });
          const g2 = state.parallel({ name: 'G2' });
          g1.add(() => sleep(1).then(() => 'g1'));
          for (let i = 0; i < 3; i++) g2.add(() => sleep(5).then(() => `g2.${i}`));
          const [r1, r2] = await Promise.all([g1.gather(), g2.gather()]);
          return [...r1, ...r2].map((r) => r.result);
        });
      }),
      5_000,
      'two concurrent nested gathers',
    );
    expect(results[0]?.result).toEqual(['g1', 'g2.0', 'g2.1', 'g2.2']);
  });

  it('a branch that finishes without awaiting its nested group does not leak a state slot', async () => {
    const state = new ExecutionState({ maxConcurrency: 1 });
    let inner: Promise<ParallelResult[]> | undefined;
    await within(
      state.parallel({}, (p) => {
        p.add(() => {
          inner = state.parallel({}, (q) => {
            q.add(() => sleep(5).then(() => 'inner'));
          });
          // returns without awaiting the nested group
        });
      }),
      5_000,
    );
    await within(inner as Promise<ParallelResult[]>, 5_000, 'the orphan nested group');
    // the single slot is free again: a new group can run
    const after = await within(
      state.parallel({}, (p) => {
        p.add(() => 'after');
      }),
      2_000,
      'a group after the orphan',
    );
    expect(after[0]?.result).toBe('after');
  });

  it('a branch that stops waiting for its slot back before it finishes gives the slot away', async () => {
    const state = new ExecutionState({ maxConcurrency: 1 });
    const results = await within(
      state.parallel({ maxWorkers: 3 }, (p) => {
        p.add(async () => {
          const q = state.parallel();
          q.add(() => sleep(5).then(() => 'child'));
          // gathers without awaiting: the slot is lent, then taken back while the branch runs on
          void q.gather();
          await sleep(60);
          return 'A';
        });
        p.add(() => sleep(30).then(() => 'B'));
        p.add(() => sleep(120).then(() => 'C'));
      }),
      5_000,
    );
    expect(results.map((r) => r.result)).toEqual(['A', 'B', 'C']);
    const after = await within(
      state.parallel({}, (p) => {
        p.add(() => 'after');
      }),
      2_000,
      'a group after the branch',
    );
    expect(after[0]?.result).toBe('after');
  });

  it('a nested group failing fast under maxConcurrency gives the slot back before rejecting', async () => {
    const state = new ExecutionState({ maxConcurrency: 1 });
    const boom = new Error('nested boom');
    const active = new Gauge();
    const results = await within(
      state.parallel({ maxWorkers: 2 }, (p) => {
        p.add(async () => {
          const error = await state
            .parallel({ errorStrategy: 'fail_fast' }, (q) => {
              q.add(() => Promise.reject(boom));
            })
            .catch((e: unknown) => e);
          await active.around(() => sleep(20));
          return error;
        });
        p.add(() => active.around(() => sleep(20)));
      }),
      5_000,
    );
    expect(results[0]?.result).toBe(boom);
    expect(active.peak).toBe(1);
  });

  it('refuses a task collecting its own group (it would wait for itself)', async () => {
    const state = new ExecutionState();
    const p = state.parallel({ name: 'Self' });
    let streamError: unknown;
    p.add(async () => p.gather());
    p.add(async () => {
      try {
        for await (const _ of p.stream()) {
          // never reached
        }
      } catch (error) {
        streamError = error;
      }
    });
    const results = await p.gather();
    expect(results[0]?.ok).toBe(false);
    expect(results[0]?.errorMessage).toMatch(/'Self'.*own tasks.*wait for itself/);
    expect(String((streamError as Error).message)).toMatch(/own tasks/);
    expect(streamError).toBeInstanceOf(UsageError);
    expect(results[0]?.error).toBeInstanceOf(UsageError);
  });

  it('cancelling the outer group cancels nested groups', async () => {
    const state = new ExecutionState();
    let innerError: unknown;
    let leafAborted = false;
    const outer = state.parallel({ name: 'Outer' });
    outer.add(async () => {
      const inner = state.parallel({ name: 'Inner' });
      inner.add(async ({ signal }) => {
        await sleep(5_000, signal).catch(() => (leafAborted = true));
      });
      innerError = await inner.gather().catch((e: unknown) => e);
    });
    await sleep(10);
    outer.cancel('stop everything');
    await expect(outer.gather()).rejects.toThrow(/stop everything/);
    await outer.settled();
    expect(leafAborted).toBe(true);
    expect(innerError).toBeInstanceOf(ParallelCancelledError);
    expect(String((innerError as Error).message)).toContain('stop everything');
    expect(String((innerError as Error).message)).toContain("'Outer[0]::Inner'");
  });

  it('nested group ids extend the branch address; events name the parent group and depth', async () => {
    const { state, groupEvents } = recordingState();
    await state.parallel({ name: 'A' }, (p) => {
      p.add(() => state.parallel({ name: 'B' }, (q) => q.add(() => 1)));
      p.add(() => state.parallel({ name: 'B' }, (q) => q.add(() => 2)));
    });
    const started = groupEvents().filter((e) => e.type === 'started');
    expect(started.map((e) => [e.groupId, e.parentGroupId, e.depth])).toEqual([
      ['A', undefined, 0],
      ['A[0]::B', 'A', 1],
      ['A[1]::B', 'A', 1],
    ]);
  });

  it('a nested group ended by an enclosing fail_fast says so', async () => {
    const state = new ExecutionState();
    const boom = new Error('sibling exploded');
    let innerError: unknown;
    const outer = state.parallel({ errorStrategy: 'fail_fast', name: 'FF' });
    outer.add(async () => {
      const inner = state.parallel({ name: 'In' });
      inner.add(async ({ signal }) => sleep(5_000, signal));
      innerError = await inner.gather().catch((e: unknown) => e);
    });
    outer.add(async () => {
      await sleep(10);
      throw boom;
    });
    await expect(outer.gather()).rejects.toBe(boom);
    await outer.settled();
    expect(innerError).toBeInstanceOf(ParallelCancelledError);
    expect(String((innerError as Error).message)).toContain('an enclosing group ended');
    expect(String((innerError as Error).message)).toContain('sibling exploded');
  });

  it('an interrupt of the state cancels every running group', async () => {
    const state = new ExecutionState();
    const p = state.parallel({ name: 'Work' });
    p.add(async ({ signal }) => sleep(5_000, signal));
    await sleep(5);
    state.requestInterrupt('shutting down');
    await expect(p.gather()).rejects.toThrow(/the state was interrupted/);
    expect(p.group.status).toBe('cancelled');
  });
});
