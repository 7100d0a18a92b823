/**
 * A group retry (group `maxRetries`) shows as a retry: the failed attempt prints as `↻ retrying`,
 * the new attempt's start says which attempt it is, and the summary counts each run once, by its
 * final outcome, so it agrees with the group's line.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  Agent,
  EventPrinter,
  ExecutionState,
  ParallelEventPrinter,
  Tool,
} from '../../src/index.js';
import type { BusEvent } from '../../src/index.js';
import { FakeStream, GroupSim, record } from './helpers.js';

const TIME = / (<1 ms|\d+ ms|[\d.]+ s)/g;
const shape = (lines: string[]) => lines.map((line) => line.replace(TIME, ' T'));

/** Five documents fetched one at a time; doc 2 fails once, doc 4 always; the group retries once. */
async function docs(...printers: { handle(event: BusEvent): void }[]) {
  const state = new ExecutionState();
  for (const printer of printers) state.eventBus.subscribe(printer);
  const calls = new Map<number, number>();
  const fetchDoc = new Tool({
    name: 'FetchDoc',
    inputSchema: z.object({ id: z.number() }),
    retry: { enabled: false },
    handler: ({ id }) => {
      calls.set(id, (calls.get(id) ?? 0) + 1);
      if (id === 2 && calls.get(id) === 1) throw new Error('connection reset');
      if (id === 4) throw new Error('document 4 is missing');
      return { id };
    },
  });
  const p = state.parallel({ name: 'Docs', maxWorkers: 1, maxRetries: 1, retryDelayMs: 1 });
  for (let i = 0; i < 5; i++) p.add(() => state.run(fetchDoc, { id: i }), `doc-${i}`);
  await p.gather();
  return p;
}

describe('a group retry on a real run', () => {
  it('realtime mode shows the failed attempt as a retry, not as a failure then a start', async () => {
    const stream = new FakeStream();
    await docs(new ParallelEventPrinter({ mode: 'realtime', stream, color: false }));
    expect(shape(stream.lines)).toEqual([
      '┌ Docs: 5 tasks, 1 at a time',
      '  ▶ [0] FetchDoc tool_call started',
      '  ✔ [0] FetchDoc tool_call completed T',
      '  ▶ [1] FetchDoc tool_call started',
      '  ✔ [1] FetchDoc tool_call completed T',
      '  ▶ [2] FetchDoc tool_call started',
      '  ↻ [2] FetchDoc tool_call retrying: connection reset; the group retries (attempt 2)',
      '  ▶ [2] FetchDoc tool_call started (attempt 2)',
      '  ✔ [2] FetchDoc tool_call completed T',
      '  ▶ [3] FetchDoc tool_call started',
      '  ✔ [3] FetchDoc tool_call completed T',
      '  ▶ [4] FetchDoc tool_call started',
      '  ↻ [4] FetchDoc tool_call retrying: document 4 is missing; the group retries (attempt 2)',
      '  ▶ [4] FetchDoc tool_call started (attempt 2)',
      '  ✖ [4] FetchDoc tool_call failed T: document 4 is missing',
      '└ ✖ Docs: 5 tasks · 4 completed · 1 failed · 2 retried · 80% success · T (failed)',
    ]);
  });

  it('EventPrinter shows it the same way, and its summary agrees with the group', async () => {
    const stream = new FakeStream();
    const printer = new EventPrinter({ stream, color: false, slowest: 0 });
    const group = new FakeStream();
    const p = await docs(printer, new ParallelEventPrinter({ mode: 'collapsed', stream: group }));
    expect(shape(stream.lines).filter((line) => line.includes('[2]'))).toEqual([
      '  ▶ Docs[2] FetchDoc tool_call started',
      '  ↻ Docs[2] FetchDoc tool_call retrying: connection reset; the group retries (attempt 2)',
      '  ▶ Docs[2] FetchDoc tool_call started (attempt 2)',
      '  ✔ Docs[2] FetchDoc tool_call completed T',
    ]);
    expect(stream.text).not.toMatch(/✖ Docs\[2\]/);
    expect(printer.summary()).toMatchObject({
      runs: 5,
      completed: p.group.completed,
      failed: p.group.failed,
      retried: 2,
      retries: 2,
    });
    printer.printSummary();
    const summary = stream.lines.at(-1) ?? '';
    expect(summary).toMatch(/^Summary: 5 runs · 4 completed · 1 failed · 2 retried \(2 retries\)/);
    expect(group.lines[0]).toMatch(/^✖ Docs: 5 tasks · 4 completed · 1 failed · 2 retried · /);
  });

  it('marks every run of the failed attempt as retried, nested ones too', async () => {
    const stream = new FakeStream();
    const printer = new EventPrinter({ stream, color: false });
    const state = new ExecutionState();
    state.eventBus.subscribe(printer);
    let calls = 0;
    const flaky = new Tool({
      name: 'Flaky',
      inputSchema: z.object({}),
      retry: { enabled: false },
      handler: () => {
        if (++calls === 1) throw new Error('reset');
        return 'ok';
      },
    });
    const agent = new Agent({
      name: 'Reader',
      inputSchema: z.object({}),
      retry: { enabled: false },
      handler: async (_input, _context, s) => {
        const result = await s.run(flaky, {});
        if (!result.ok) throw new Error(`flaky failed: ${result.errorMessage}`);
        return result.result;
      },
    });
    await state.parallel({ name: 'G', maxRetries: 1, retryDelayMs: 1 }, (p) => {
      p.add(() => state.run(agent, {}));
    });
    expect(shape(stream.lines)).toEqual([
      '  ▶ G[0] Reader agent_call started',
      '    ▶ Flaky tool_call started',
      '    ↻ Flaky tool_call retrying: reset; the group retries (attempt 2)',
      '  ↻ G[0] Reader agent_call retrying: flaky failed: reset; the group retries (attempt 2)',
      '  ▶ G[0] Reader agent_call started (attempt 2)',
      '    ▶ Flaky tool_call started (attempt 2)',
      '    ✔ Flaky tool_call completed T',
      '  ✔ G[0] Reader agent_call completed T',
    ]);
    expect(printer.summary()).toMatchObject({ runs: 2, completed: 2, failed: 0, retried: 2 });
  });
});

describe('a failed run in a branch is printed once its branch moves on', () => {
  const failed = (address: string, extra = {}) =>
    record(address, 'failed', { executionTimeMs: 1, message: 'boom', ...extra });

  it('as a failure when the branch goes on with another run', () => {
    const stream = new FakeStream();
    const printer = new EventPrinter({ stream, color: false });
    printer.handle(failed('G[0]::A::tool_call'));
    printer.handle(failed('G[1]::A::tool_call'));
    expect(stream.lines).toEqual([]);
    printer.handle(record('G[0]::B::tool_call', 'started'));
    expect(stream.lines).toEqual([
      '  ✖ G[0] A tool_call failed 1 ms: boom',
      '  ▶ G[0] B tool_call started',
    ]);
  });

  it('as a failure when its task settles, its group ends, or the summary is printed', () => {
    const stream = new FakeStream();
    const printer = new ParallelEventPrinter({ mode: 'realtime', stream, color: false });
    const sim = new GroupSim('G', 3);
    printer.handle(sim.start());
    printer.handle(failed('G[0]::A::tool_call'));
    printer.handle(sim.task(0, 'failed', { message: 'boom' }));
    printer.handle(failed('G[1]::A::tool_call'));
    printer.handle(sim.end('failed', { message: 'boom' }));
    printer.handle(failed('Other[0]::A::tool_call'));
    printer.printSummary();
    expect(stream.lines.slice(0, 5)).toEqual([
      '┌ G: 3 tasks, 5 at a time',
      '  ✖ [0] A tool_call failed 1 ms: boom',
      '  ✖ [1] A tool_call failed 1 ms: boom',
      '└ ✖ G: 3 tasks · 0 completed · 1 failed · 2 cancelled · 0% success · 4.20 s (failed: boom)',
      '  ✖ [0] A tool_call failed 1 ms: boom',
    ]);
    expect(stream.lines[5]).toMatch(/^Summary: 3 runs · 0 completed · 3 failed/);
  });

  it('as a failure when a log of its branch comes first, or the printer closes', () => {
    const stream = new FakeStream();
    const printer = new ParallelEventPrinter({ mode: 'realtime', stream, color: false });
    printer.handle(failed('G[0]::A::tool_call'));
    printer.handle({
      kind: 'log',
      message: 'after',
      severity: 'info',
      metadata: undefined,
      address: undefined,
      groupId: 'G',
      parallelIndex: 0,
      isParallel: true,
      timestamp: 1,
      stateId: 's',
    });
    printer.handle(failed('G[1]::A::tool_call'));
    printer.close();
    expect(stream.lines).toEqual([
      '  ✖ [0] A tool_call failed 1 ms: boom',
      '  • G[0] [info] after',
      '  ✖ [1] A tool_call failed 1 ms: boom',
    ]);
  });
});
