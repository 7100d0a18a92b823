/**
 * A log from a plain-function task in a branch (`state.log()` inside `p.add(async () => …)`, so
 * with the branch's `groupId` and `parallelIndex` but no run `address`) is filtered and indented
 * like a log from a run in that branch.
 */
import { describe, expect, it } from 'vitest';
import { EventPrinter, ExecutionState, ParallelEventPrinter } from '../../src/index.js';
import type { BusEvent } from '../../src/index.js';
import { FakeStream } from './helpers.js';

const TIME = / (<1 ms|\d+ ms|[\d.]+ s)/g;

async function run(printer: { handle(event: BusEvent): void }) {
  const state = new ExecutionState();
  state.eventBus.subscribe(printer);
  await state.parallel({ name: 'Docs', maxWorkers: 1 }, (p) => {
    p.add(async () => {
      state.log('branch says hi');
      state.log('branch warns', 'warning');
      return 1;
    }, 'plain');
  });
  state.log('top level');
}

describe('a log from a plain-function task in a branch', () => {
  it('realtime mode prints it under the group, at the level of the branch', async () => {
    const stream = new FakeStream();
    await run(new ParallelEventPrinter({ mode: 'realtime', stream, color: false }));
    expect(stream.lines.map((line) => line.replace(TIME, ' T'))).toEqual([
      '┌ Docs: 1 task, 1 at a time',
      '  • Docs[0] [info] branch says hi',
      '  • Docs[0] [warning] branch warns',
      '  ✔ [0] plain completed T',
      '└ ✔ Docs: 1 task · 1 completed · 100% success · T',
      '• [info] top level',
    ]);
  });

  it.each(['progress', 'collapsed'] as const)(
    '%s mode shows only its warnings, indented',
    async (mode) => {
      const stream = new FakeStream();
      await run(new ParallelEventPrinter({ mode, stream, color: false }));
      expect(stream.text).not.toContain('branch says hi');
      expect(stream.lines).toContain('  • Docs[0] [warning] branch warns');
      expect(stream.lines.at(-1)).toBe('• [info] top level');
    },
  );

  it('EventPrinter indents it like the runs of that branch', async () => {
    const stream = new FakeStream();
    await run(new EventPrinter({ stream, color: false }));
    expect(stream.lines).toEqual([
      '  • Docs[0] [info] branch says hi',
      '  • Docs[0] [warning] branch warns',
      '• [info] top level',
    ]);
  });
});
