import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ExecutionState, Tool } from '../../src/index.js';
import { sleep } from './helpers.js';

/** A tool that counts its calls; `failFirst` makes the first call throw. */
function countingTool(options: { failFirst?: boolean; delayMs?: number } = {}) {
  let calls = 0;
  const tool = new Tool({
    name: 'Counted',
    inputSchema: z.object({ n: z.number() }),
    retry: { enabled: false },
    handler: async ({ n }) => {
      calls++;
      await sleep(options.delayMs ?? 1);
      if (options.failFirst && calls === 1) throw new Error('first call fails');
      return n * 10;
    },
  });
  return { tool, calls: () => calls };
}

describe('awaiting a lazy run that was handed to a group', () => {
  it('resolves with the group result instead of running the handler again', async () => {
    const { tool, calls } = countingTool();
    const state = new ExecutionState();
    const run = state.run(tool, { n: 4 });
    const p = state.parallel({ name: 'G' });
    p.add(run, 'four');
    const [fromGroup] = await p.gather();
    const awaited = await run;
    expect(calls()).toBe(1);
    expect(awaited.ok).toBe(true);
    expect(awaited.result).toBe(40);
    expect(awaited).toBe(fromGroup);
    expect(state.history.addresses()).toEqual(['G[0]::Counted::tool_call']);
  });

  it('can be awaited before the group starts it, and waits for the group', async () => {
    const { tool, calls } = countingTool({ delayMs: 5 });
    const state = new ExecutionState();
    const runs = [1, 2, 3].map((n) => state.run(tool, { n }));
    const p = state.parallel({ maxWorkers: 1 });
    for (const run of runs) p.add(run);
    const awaited = await Promise.all(runs);
    expect(awaited.map((r) => r.result)).toEqual([10, 20, 30]);
    expect(calls()).toBe(3);
    await p.gather();
    expect(calls()).toBe(3);
  });

  it('gives the final result after group retries', async () => {
    const { tool, calls } = countingTool({ failFirst: true });
    const state = new ExecutionState();
    const run = state.run(tool, { n: 2 });
    await state.parallel({ maxRetries: 1, retryDelayMs: 1 }, (p) => {
      p.add(run);
    });
    const awaited = await run;
    expect(calls()).toBe(2);
    expect(awaited).toMatchObject({ ok: true, result: 20 });
  });

  it('resolves with an ok:false cancelled result when the group cancels it before it starts', async () => {
    const { tool, calls } = countingTool({ delayMs: 50 });
    const state = new ExecutionState();
    const first = state.run(tool, { n: 1 });
    const queued = state.run(tool, { n: 2 });
    const p = state.parallel({ maxWorkers: 1 });
    p.add(first);
    p.add(queued);
    await sleep(5);
    p.cancel('test over');
    const result = await queued;
    expect(result.ok).toBe(false);
    expect(result.errorMessage).toMatch(/Cancelled: test over/);
    expect(calls()).toBe(1);
    await p.settled();
  });
});

describe('a lazy run handed to a nested group', () => {
  it('a branch awaiting a lazy run it handed to a nested group lends its slot (no deadlock)', async () => {
    const { tool } = countingTool();
    const state = new ExecutionState({ maxConcurrency: 1 });
    const outcome = state.parallel({ name: 'Outer' }, (outer) => {
      outer.add(async () => {
        const inner = state.parallel({ name: 'Inner' });
        const run = state.run(tool, { n: 3 });
        inner.add(run);
        const result = await run;
        await inner.gather();
        return result.result;
      });
    });
    const results = await Promise.race([outcome, sleep(2000).then(() => 'deadlock' as const)]);
    expect(results).not.toBe('deadlock');
    expect((results as { result?: unknown }[])[0]?.result).toBe(30);
  });
});
