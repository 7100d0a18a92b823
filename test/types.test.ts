import { z } from 'zod';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type ExecutionResult,
  ExecutionState,
  type ParallelResult,
  type RunResult,
  Tool,
} from '../src/index.js';

const double = new Tool({
  name: 'Double',
  inputSchema: z.object({ n: z.number() }),
  retry: { enabled: false },
  handler: async ({ n }) => n * 2,
});

describe('types a user relies on (checked by tsc in npm test)', () => {
  it('a run resolves to a RunResult whose ok narrows result', async () => {
    const state = new ExecutionState();
    const r = await state.run(double, { n: 2 });
    expectTypeOf(r).toEqualTypeOf<RunResult<number>>();
    expectTypeOf(r).toMatchTypeOf<ExecutionResult<number>>();
    if (r.ok) expectTypeOf(r.result).toEqualTypeOf<number>();
    else expectTypeOf(r.errorMessage).toEqualTypeOf<string>();
    expect(r.ok && r.result).toBe(4);
  });

  it('a typed group accepts values, runs and functions returning runs, and types its results', async () => {
    const state = new ExecutionState();
    const results = await state.parallel<number>({}, (p) => {
      p.add(async () => 1);
      p.add(state.run(double, { n: 2 }));
      p.add(() => state.run(double, { n: 3 }));
      // A plain object shaped like a result is a value, not a run result: refused by the types.
      // @ts-expect-error only a RunResult made by rh-agents is passed through
      p.add(async () => ({ ok: true as const, result: 5 }));
      // @ts-expect-error a string is not a number
      p.add(async () => 'four');
    });
    expectTypeOf(results).toEqualTypeOf<ParallelResult<number>[]>();
    const first = results[0];
    if (first?.ok) expectTypeOf(first.result).toEqualTypeOf<number>();
    expect(results.slice(0, 3).map((r) => r.result)).toEqual([1, 4, 6]);
    // At run time the look-alike object is wrapped as the task's value.
    expect(results[3]?.result).toEqual({ ok: true, result: 5 });
  });
});
