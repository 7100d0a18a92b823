/**
 * One suite run by every display mode, on a TTY and on a pipe: the guarantees every mode keeps,
 * proven on real runs (ExecutionState, Tools, parallel groups), not only on hand-built events.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AdaptiveLimiter,
  EventPrinter,
  ExecutionState,
  ParallelDisplayMode,
  ParallelEventPrinter,
  Tool,
} from '../../src/index.js';
import type { ParallelExecutionManager } from '../../src/index.js';
import { FakeStream, throwingStream } from './helpers.js';

const FAILING = new Set([3, 11, 19]);
const FLAKY = 7;

function tools() {
  let flakyCalls = 0;
  const fetchDoc = new Tool({
    name: 'FetchDoc',
    inputSchema: z.object({ id: z.number() }),
    retry: { enabled: false },
    handler: async ({ id }) => {
      await new Promise((resolve) => setTimeout(resolve, id % 3));
      if (FAILING.has(id)) throw new Error(`document ${id} is missing`);
      if (id === FLAKY && ++flakyCalls === 1) throw new Error('connection reset');
      return { id };
    },
  });
  const solo = new Tool({ name: 'Solo', inputSchema: z.object({}), handler: () => 'alone' });
  return { fetchDoc, solo };
}

async function docsGroup(
  state: ExecutionState,
  fetchDoc: Tool<z.ZodObject<{ id: z.ZodNumber }>, { id: number }>,
) {
  const p: ParallelExecutionManager = state.parallel({
    name: 'Docs',
    maxWorkers: 4,
    maxRetries: 1,
    retryDelayMs: 1,
  });
  for (let i = 0; i < 30; i++) p.add(() => state.run(fetchDoc, { id: i }), `doc-${i}`);
  await p.gather();
  return p;
}

const cases = Object.values(ParallelDisplayMode).flatMap((mode) =>
  [true, false].map((tty) => ({ mode, tty, name: `${mode} on ${tty ? 'a TTY' : 'a pipe'}` })),
);

describe.each(cases)('ParallelEventPrinter conformance: $name', ({ mode, tty }) => {
  const make = (stream: FakeStream | typeof throwingStream = new FakeStream(tty, 80, 24)) =>
    new ParallelEventPrinter({ mode, stream, color: false });

  it('tracks a real group exactly as its manager reports it', async () => {
    const stream = new FakeStream(tty, 80, 24);
    const printer = make(stream);
    const state = new ExecutionState();
    state.eventBus.subscribe(printer);
    const { fetchDoc } = tools();
    const p = await docsGroup(state, fetchDoc);
    const group = p.group;
    const tracker = printer.groups.get(p.groupId);
    expect(group).toMatchObject({ total: 30, completed: 27, failed: 3, cancelled: 0 });
    expect(tracker).toMatchObject({
      groupId: 'Docs',
      name: 'Docs',
      total: group.total,
      started: group.total,
      completed: group.completed,
      failed: group.failed,
      cancelled: group.cancelled,
      running: 0,
      maxWorkers: 4,
      depth: 0,
      // three tasks failed: the group is failed (the original's rule), though gather() resolved
      status: 'failed',
      completionPercentage: 100,
      isComplete: true,
      retried: 4,
    });
    expect(tracker?.failures.map((f) => f.name).sort()).toEqual(['doc-11', 'doc-19', 'doc-3']);
    expect(tracker?.failures[0]?.message).toMatch(/document \d+ is missing \(after 2 attempts\)/);
    expect(printer.summary().groups).toEqual({
      total: 1,
      completed: 0,
      failed: 1,
      cancelled: 0,
      running: 0,
    });
    expect(stream.text).toMatch(
      /✖ Docs: 30 tasks · 27 completed · 3 failed · 4 retried · 90% success · /,
    );
    if (!tty) expect(stream.text).not.toContain('\u001b');
  });

  it('prints runs outside groups as EventPrinter does', async () => {
    const stream = new FakeStream(tty, 80, 24);
    const reference = new FakeStream(tty, 80, 24);
    const state = new ExecutionState();
    state.eventBus.subscribe(make(stream));
    state.eventBus.subscribe(new EventPrinter({ stream: reference, color: false }));
    await state.run(tools().solo, {});
    expect(stream.text).toBe(reference.text);
    expect(stream.lines).toHaveLength(2);
    expect(stream.lines[1]).toMatch(/^✔ Solo tool_call completed/);
  });

  it('tracks nested groups and a fail_fast group', async () => {
    const stream = new FakeStream(tty, 80, 24);
    const printer = make(stream);
    const state = new ExecutionState();
    state.eventBus.subscribe(printer);
    const inner: ParallelExecutionManager[] = [];
    await state.parallel({ name: 'Outer', maxWorkers: 2 }, (p) => {
      for (let i = 0; i < 3; i++) {
        p.add(async () => {
          const q = state.parallel({ name: 'Inner', maxWorkers: 2 });
          inner.push(q);
          for (let j = 0; j < 4; j++) q.add(async () => j);
          return q.gather();
        });
      }
    });
    const fast = state.parallel({ name: 'Fast', maxWorkers: 2, errorStrategy: 'fail_fast' });
    for (let i = 0; i < 6; i++) {
      fast.add(async ({ signal }) => {
        if (i === 0) throw new Error('first one fails');
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (signal.aborted) throw signal.reason;
        return i;
      });
    }
    await expect(fast.gather()).rejects.toThrow('first one fails');
    await fast.settled();
    expect([...printer.groups.keys()]).toEqual([
      'Outer',
      'Outer[0]::Inner',
      'Outer[1]::Inner',
      'Outer[2]::Inner',
      'Fast',
    ]);
    for (const q of inner) {
      expect(printer.groups.get(q.groupId)).toMatchObject({
        depth: 1,
        parentGroupId: 'Outer',
        total: 4,
        completed: 4,
        isComplete: true,
      });
    }
    const fastTracker = printer.groups.get('Fast');
    expect(fastTracker).toMatchObject({
      status: 'failed',
      total: 6,
      completed: fast.group.completed,
      failed: fast.group.failed,
      cancelled: fast.group.cancelled,
      isComplete: true,
      completionPercentage: 100,
      message: 'first one fails',
    });
    expect(printer.summary().groups).toMatchObject({ total: 5, completed: 4, failed: 1 });
    expect(stream.text).toContain('✖ Fast: 6 tasks');
    if (!tty) expect(stream.text).not.toContain('\u001b');
  });

  it('never throws and never breaks the run, even when its stream throws', async () => {
    const printer = make(throwingStream);
    const state = new ExecutionState({
      eventBus: undefined,
    });
    state.eventBus.subscribe(printer);
    const { fetchDoc, solo } = tools();
    state.log('hello', 'warning');
    await state.run(solo, {});
    const p = await docsGroup(state, fetchDoc);
    expect(p.group.completed).toBe(27);
    expect(() => printer.printSummary()).not.toThrow();
    expect(() => printer.flush()).not.toThrow();
    expect(() => printer.close()).not.toThrow();
    for (const junk of [null, undefined, 42, {}, { kind: 'group' }, { kind: 'execution' }]) {
      expect(() => printer.handle(junk as never)).not.toThrow();
    }
  });

  it('shows the changes of a run limiter, and its current limit in the summary', async () => {
    const stream = new FakeStream(tty, 120, 24);
    const printer = make(stream);
    const state = new ExecutionState();
    state.eventBus.subscribe(printer);
    const limiter = new AdaptiveLimiter({ maxConcurrency: 8, initialConcurrency: 4, name: 'api' });
    let calls = 0;
    const call = new Tool({
      name: 'Call',
      inputSchema: z.object({ i: z.number() }),
      limiter,
      retry: { initialDelayMs: 1, jitter: false },
      handler: ({ i }) => {
        if (++calls === 1) {
          throw Object.assign(new Error('429 Too Many Requests'), {
            statusCode: 429,
            responseHeaders: { 'retry-after-ms': '20' },
          });
        }
        return i;
      },
    });
    const results = await state.parallel({ name: 'Calls', maxWorkers: 2 }, (p) => {
      for (let i = 0; i < 6; i++) p.add(state.run(call, { i }));
    });
    expect(results.every((r) => r.ok)).toBe(true);
    expect(printer.summary().limits).toEqual([
      {
        name: 'api',
        concurrency: 3,
        changes: 1,
        lowest: 3,
        highest: 4,
        reason: 'rate limited (429), retry after 20 ms',
      },
    ]);
    // Every mode shows the change while the group runs, one way or another.
    const shown =
      mode === 'realtime'
        ? '⇅ limiter api: 4 → 3 (rate limited (429), retry after 20 ms)'
        : '⇅ 1 limit change · api 3';
    expect(stream.text).toContain(shown);
    const before = stream.lines.length;
    printer.printSummary();
    expect(stream.lines.slice(before)).toContain('Limits: api 3 (1 change, lowest 3)');
    if (!tty) expect(stream.text).not.toContain('\u001b');
  });

  it('prints its summary with the groups', async () => {
    const stream = new FakeStream(tty, 80, 24);
    const printer = make(stream);
    const state = new ExecutionState();
    state.eventBus.subscribe(printer);
    const p = await docsGroup(state, tools().fetchDoc);
    const before = stream.lines.length;
    printer.printSummary();
    const summary = stream.lines.slice(before);
    // Runs its group ran again count once, by their final outcome: as the group counts its tasks.
    expect(summary[0]).toMatch(
      /^Summary: 30 runs · 27 completed · 3 failed · 4 retried \(4 retries\) · total /,
    );
    // three tasks failed: the group is failed (the original's rule)
    expect(summary[1]).toBe('Groups: 1 · 0 completed · 1 failed');
    expect(summary[2]).toBe('Slowest:');
    expect(printer.summary()).toMatchObject({
      runs: p.group.total,
      completed: p.group.completed,
      failed: p.group.failed,
      retried: printer.groups.get(p.groupId)?.retried,
    });
  });
});
