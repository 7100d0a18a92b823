import { describe, expect, it } from 'vitest';
import { ExecutionState } from '../../src/index.js';
import { Gauge, sleep, within } from './helpers.js';

describe('maxWorkers', () => {
  it('never runs more than maxWorkers tasks of a group at once', async () => {
    const state = new ExecutionState();
    const gauge = new Gauge();
    const p = state.parallel({ maxWorkers: 3 });
    for (let i = 0; i < 12; i++) p.add(() => gauge.around(() => sleep(2 + (i % 4))));
    const results = await p.gather();
    expect(results).toHaveLength(12);
    expect(gauge.peak).toBe(3);
    expect(gauge.current).toBe(0);
  });

  it('defaults to 5', async () => {
    const state = new ExecutionState();
    const gauge = new Gauge();
    const p = state.parallel();
    expect(p.options.maxWorkers).toBe(5);
    for (let i = 0; i < 12; i++) p.add(() => gauge.around(() => sleep(3)));
    await p.gather();
    expect(gauge.peak).toBe(5);
  });

  it('maxWorkers: 1 runs the tasks one after another, in add order', async () => {
    const state = new ExecutionState();
    const order: string[] = [];
    await state.parallel({ maxWorkers: 1 }, (p) => {
      for (let i = 0; i < 4; i++)
        p.add(async () => {
          order.push(`start ${i}`);
          await sleep(1);
          order.push(`end ${i}`);
        });
    });
    expect(order).toEqual([
      'start 0',
      'end 0',
      'start 1',
      'end 1',
      'start 2',
      'end 2',
      'start 3',
      'end 3',
    ]);
  });

  it('maxWorkers: Infinity runs everything at once', async () => {
    const state = new ExecutionState();
    const gauge = new Gauge();
    await state.parallel({ maxWorkers: Infinity }, (p) => {
      for (let i = 0; i < 50; i++) p.add(() => gauge.around(() => sleep(5)));
    });
    expect(gauge.peak).toBe(50);
  });

  it('starts a queued task as soon as a worker frees up', async () => {
    const state = new ExecutionState();
    const p = state.parallel({ maxWorkers: 2 });
    const t0 = performance.now();
    const startedAt: number[] = [];
    p.add(async () => {
      startedAt[0] = performance.now() - t0;
      await sleep(10);
    });
    p.add(async () => {
      startedAt[1] = performance.now() - t0;
      await sleep(200);
    });
    p.add(async () => {
      startedAt[2] = performance.now() - t0;
    });
    await p.gather();
    // task 2 started when task 0 finished, not when the slow task 1 did
    expect(startedAt[2]).toBeLessThan(150);
  });
});

describe('state maxConcurrency', () => {
  it('caps running branches across every group of the state', async () => {
    const state = new ExecutionState({ maxConcurrency: 3 });
    const gauge = new Gauge();
    const perGroup = [new Gauge(), new Gauge(), new Gauge()];
    const groups = perGroup.map((g) =>
      state.parallel({ maxWorkers: 2 }, (p) => {
        for (let i = 0; i < 6; i++)
          p.add(() => g.around(() => gauge.around(() => sleep(1 + ((i * 7) % 5)))).then(() => i));
      }),
    );
    const all = await within(Promise.all(groups), 5_000);
    expect(all.flat()).toHaveLength(18);
    expect(all.every((results) => results.every((r) => r.ok))).toBe(true);
    expect(gauge.peak).toBeLessThanOrEqual(3);
    expect(gauge.peak).toBeGreaterThanOrEqual(2);
    for (const g of perGroup) expect(g.peak).toBeLessThanOrEqual(2);
    expect(state.metrics().peakConcurrency).toBeLessThanOrEqual(3);
  });

  it('maxConcurrency: 1 serialises two groups without deadlock', async () => {
    const state = new ExecutionState({ maxConcurrency: 1 });
    expect(state.maxConcurrency).toBe(1);
    const gauge = new Gauge();
    const run = (label: string) =>
      state.parallel({ maxWorkers: 4 }, (p) => {
        for (let i = 0; i < 4; i++) p.add(() => gauge.around(() => sleep(1)).then(() => label));
      });
    const [a, b] = await within(Promise.all([run('a'), run('b')]), 5_000);
    expect(a?.map((r) => r.result)).toEqual(['a', 'a', 'a', 'a']);
    expect(b?.map((r) => r.result)).toEqual(['b', 'b', 'b', 'b']);
    expect(gauge.peak).toBe(1);
  });

  it('releases the slots of a cancelled or failed group to the others', async () => {
    const state = new ExecutionState({ maxConcurrency: 2 });
    const blocker = state.parallel({ maxWorkers: 2 });
    blocker.add(async ({ signal }) => sleep(5_000, signal));
    blocker.add(async ({ signal }) => sleep(5_000, signal));
    blocker.add(async () => 'queued, never starts');
    await sleep(5);
    const other = state.parallel({ maxWorkers: 2 });
    let ran = false;
    other.add(() => {
      ran = true;
    });
    await sleep(10);
    expect(ran).toBe(false);
    blocker.cancel();
    await within(other.gather(), 2_000);
    expect(ran).toBe(true);
    await blocker.settled();
  });

  it('a group cancelled while waiting for a state slot stops waiting', async () => {
    const state = new ExecutionState({ maxConcurrency: 1 });
    const holder = state.parallel();
    holder.add(async () => sleep(30));
    await sleep(1);
    const waiting = state.parallel();
    let ran = false;
    waiting.add(() => {
      ran = true;
    });
    await sleep(1);
    waiting.cancel();
    await holder.gather();
    const after = state.parallel();
    after.add(() => 'next');
    expect(await within(after.gather(), 2_000)).toHaveLength(1);
    expect(ran).toBe(false);
  });

  it('Infinity means no cap', async () => {
    const state = new ExecutionState({ maxConcurrency: Infinity });
    const gauge = new Gauge();
    await state.parallel({ maxWorkers: 20 }, (p) => {
      for (let i = 0; i < 20; i++) p.add(() => gauge.around(() => sleep(5)));
    });
    expect(gauge.peak).toBe(20);
  });
});
