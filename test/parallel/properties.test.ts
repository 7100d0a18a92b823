import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ExecutionState,
  type GroupEvent,
  type ParallelExecutionManager,
  type ParallelResult,
  type TaskContext,
} from '../../src/index.js';
import { Gauge, sleep, within } from './helpers.js';

interface Spec {
  ms: number;
  fail: boolean;
}

const taskSpec = fc.record({ ms: fc.integer({ min: 0, max: 5 }), fail: fc.boolean() });

/** A task that honours its signal, counted by the gauges, invoked at most once by contract. */
function makeTask(spec: Spec, index: number, gauges: Gauge[], invocations: number[]) {
  return async ({ signal }: TaskContext): Promise<number> => {
    invocations[index] = (invocations[index] ?? 0) + 1;
    for (const g of gauges) g.enter();
    try {
      if (spec.ms > 0) await sleep(spec.ms, signal);
      else await Promise.resolve();
      if (spec.fail) throw new Error(`task ${index} failed`);
      return index * 3;
    } finally {
      for (const g of gauges) g.leave();
    }
  };
}

function checkCounts(p: ParallelExecutionManager, results: ParallelResult[], total: number): void {
  const group = p.group;
  expect(group.total).toBe(total);
  expect(group.completed + group.failed + group.cancelled).toBe(total);
  expect(group.running).toBe(0);
  expect(results).toHaveLength(total);
  results.forEach((r, i) => expect(r.index).toBe(i));
  expect(results.filter((r) => r.ok)).toHaveLength(group.completed);
}

describe('scheduler properties (fast-check)', () => {
  it('fail_slow: never exceeds maxWorkers, each task runs and settles once, add order kept', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(taskSpec, { minLength: 0, maxLength: 12 }),
        async (maxWorkers, specs) => {
          const state = new ExecutionState();
          const settledEvents: GroupEvent[] = [];
          state.eventBus.subscribe((e) => {
            if (e.kind === 'group' && e.type === 'task') settledEvents.push(e);
          });
          const gauge = new Gauge();
          const invocations: number[] = [];
          const p = state.parallel({ maxWorkers });
          specs.forEach((spec, i) => p.add(makeTask(spec, i, [gauge], invocations)));
          const results = await within(p.gather(), 5_000);
          expect(gauge.peak).toBeLessThanOrEqual(maxWorkers);
          expect(gauge.current).toBe(0);
          specs.forEach((spec, i) => {
            expect(invocations[i]).toBe(1);
            expect(results[i]?.ok).toBe(!spec.fail);
            if (!spec.fail) expect(results[i]?.result).toBe(i * 3);
          });
          const settledIndexes = settledEvents.map((e) => e.index).sort((a, b) => a! - b!);
          expect(settledIndexes).toEqual(specs.map((_, i) => i));
          checkCounts(p, results, specs.length);
          expect(p.group.failed).toBe(specs.filter((s) => s.fail).length);
          expect(p.group.cancelled).toBe(0);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('several groups under maxConcurrency: neither limit is ever exceeded', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(
          fc.record({
            maxWorkers: fc.integer({ min: 1, max: 4 }),
            tasks: fc.array(taskSpec, { minLength: 1, maxLength: 6 }),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        async (maxConcurrency, groups) => {
          const state = new ExecutionState({ maxConcurrency });
          const global = new Gauge();
          const runs = groups.map(async (g) => {
            const local = new Gauge();
            const invocations: number[] = [];
            const p = state.parallel({ maxWorkers: g.maxWorkers });
            g.tasks.forEach((spec, i) => p.add(makeTask(spec, i, [global, local], invocations)));
            const results = await p.gather();
            expect(local.peak).toBeLessThanOrEqual(g.maxWorkers);
            expect(invocations.every((n) => n === 1)).toBe(true);
            expect(invocations).toHaveLength(g.tasks.length);
            checkCounts(p, results, g.tasks.length);
          });
          await within(Promise.all(runs), 5_000, 'the groups');
          expect(global.peak).toBeLessThanOrEqual(maxConcurrency);
          expect(global.current).toBe(0);
          expect(state.metrics().peakConcurrency).toBeLessThanOrEqual(maxConcurrency);
          expect(state.metrics().tasks.running).toBe(0);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('random failures (fail_fast) and cancellations: limits hold, nothing runs after settled, counts add up', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
        fc.constantFrom('fail_slow' as const, 'fail_fast' as const),
        fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
        fc.array(taskSpec, { minLength: 1, maxLength: 10 }),
        async (maxWorkers, maxConcurrency, errorStrategy, cancelAfterMs, specs) => {
          const state = new ExecutionState({ maxConcurrency });
          const gauge = new Gauge();
          const invocations: number[] = [];
          const p = state.parallel({ maxWorkers, errorStrategy });
          specs.forEach((spec, i) => p.add(makeTask(spec, i, [gauge], invocations)));
          if (cancelAfterMs !== undefined)
            setTimeout(() => p.cancel('random cancel'), cancelAfterMs);
          let results: ParallelResult[];
          let failure: unknown;
          try {
            results = await within(p.gather(), 5_000);
          } catch (error) {
            failure = error;
            results = p.results ?? [];
          }
          await within(p.settled(), 5_000, 'settled()');
          // nothing is still running once the group settled
          expect(gauge.current).toBe(0);
          expect(gauge.peak).toBeLessThanOrEqual(Math.min(maxWorkers, maxConcurrency ?? Infinity));
          // each task invoked at most once, and every task has exactly one result
          expect(invocations.every((n) => n === undefined || n === 1)).toBe(true);
          checkCounts(p, results, specs.length);
          const group = p.group;
          if (failure === undefined) {
            // the original's rule: any failed task makes the group failed (fail_slow included)
            expect(group.status).toBe(group.failed > 0 ? 'failed' : 'completed');
            expect(group.cancelled).toBe(0);
            if (errorStrategy === 'fail_fast') expect(group.failed).toBe(0);
          } else if (group.status === 'failed') {
            expect(errorStrategy).toBe('fail_fast');
            expect(group.failed).toBe(1);
            expect((failure as Error).message).toMatch(/^task \d+ failed$/);
          } else {
            expect(group.status).toBe('cancelled');
            expect(cancelAfterMs).toBeDefined();
          }
          // a task never invoked has an ok:false result
          specs.forEach((_, i) => {
            if (invocations[i] === undefined) expect(results[i]?.ok).toBe(false);
          });
          // nothing starts later either
          const invoked = invocations.filter((n) => n !== undefined).length;
          await sleep(1);
          expect(invocations.filter((n) => n !== undefined).length).toBe(invoked);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('random trees of nested groups never deadlock and never run more than maxConcurrency at once', async () => {
    interface Node {
      before: number;
      after: number;
      children: readonly Node[];
    }
    const { node } = fc.letrec<{ node: Node }>((tie) => ({
      node: fc.record({
        before: fc.integer({ min: 0, max: 3 }),
        after: fc.integer({ min: 0, max: 3 }),
        children: fc.oneof(
          { depthSize: 'small', withCrossShrink: true },
          fc.constant([] as readonly Node[]),
          fc.array(tie('node'), { minLength: 1, maxLength: 3 }),
        ),
      }),
    }));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 1, max: 2 }),
        fc.array(node, { minLength: 1, maxLength: 3 }),
        async (maxConcurrency, maxWorkers, roots) => {
          const state = new ExecutionState({ maxConcurrency });
          const active = new Gauge();
          let leaves = 0;
          const run = async (n: Node): Promise<number> => {
            await active.around(() => sleep(n.before));
            let count = 1;
            if (n.children.length > 0) {
              const results = await state.parallel({ maxWorkers }, (p) => {
                for (const child of n.children) p.add(() => run(child));
              });
              for (const r of results) count += r.result as number;
            } else leaves++;
            await active.around(() => sleep(n.after));
            return count;
          };
          const size = (n: Node): number => 1 + n.children.reduce((a, c) => a + size(c), 0);
          const results = await within(
            state.parallel({ maxWorkers }, (p) => {
              for (const root of roots) p.add(() => run(root));
            }),
            8_000,
            'a random tree of groups',
          );
          expect(results.map((r) => r.result)).toEqual(roots.map(size));
          expect(active.peak).toBeLessThanOrEqual(maxConcurrency);
          expect(active.current).toBe(0);
          expect(leaves).toBeGreaterThan(0);
          expect(state.metrics().tasks.running).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });
});
