/* eslint-disable no-control-regex -- terminal control characters are what these tests are about */
/**
 * On a TTY, every line a printer writes for an event fits the terminal (`columns`): a longer one is
 * cut with `…`, colour closed. On a pipe or a file nothing is cut. The summary is never cut.
 */
import { describe, expect, it } from 'vitest';
import { EventPrinter, ParallelEventPrinter } from '../../src/index.js';
import { FakeStream, GroupSim, record } from './helpers.js';

const SGR = /\u001b\[\d+m/g;
const LONG = `connection refused by ${'upstream-'.repeat(10)}server`;

function events() {
  return [
    record('Pipeline::Fetch::tool_call', 'failed', { executionTimeMs: 12, message: LONG }),
    record('Short::tool_call', 'completed', { executionTimeMs: 1 }),
  ];
}

describe('EventPrinter lines and the terminal width', () => {
  it('on a TTY, cuts each line to the columns', () => {
    const stream = new FakeStream(true, 40, 24);
    const printer = new EventPrinter({ stream, color: false });
    for (const event of events()) printer.handle(event);
    expect(stream.lines).toEqual([
      '  ✖ Fetch tool_call failed 12 ms: conne…',
      '✔ Short tool_call completed 1 ms',
    ]);
  });

  it('with colour, cuts by visible cells and closes the colour', () => {
    const stream = new FakeStream(true, 40, 24);
    const printer = new EventPrinter({ stream, color: true });
    for (const event of events()) printer.handle(event);
    const [first] = stream.lines;
    expect(first?.replace(SGR, '')).toBe('  ✖ Fetch tool_call failed 12 ms: conne…');
    expect(first).toMatch(/\u001b\[0m$/);
  });

  it('on a pipe, cuts nothing', () => {
    const stream = new FakeStream(false, 40, 24);
    const printer = new EventPrinter({ stream, color: false });
    for (const event of events()) printer.handle(event);
    expect(stream.lines[0]).toBe(`  ✖ Fetch tool_call failed 12 ms: ${LONG}`);
  });

  it('never cuts the summary', () => {
    const stream = new FakeStream(true, 30, 24);
    const printer = new EventPrinter({ stream, color: false });
    for (const event of events()) printer.handle(event);
    printer.printSummary();
    expect(stream.lines[2]).toMatch(/^Summary: 2 runs · 1 completed · 1 failed · total \d+ ms$/);
  });

  it('ParallelEventPrinter cuts its lines on a TTY in every mode', () => {
    for (const mode of ['realtime', 'progress', 'collapsed'] as const) {
      const stream = new FakeStream(true, 40, 24);
      const printer = new ParallelEventPrinter({ mode, stream, color: false });
      for (const event of events()) printer.handle(event);
      const sim = new GroupSim('Docs', 1);
      printer.handle(sim.start());
      printer.handle(sim.task(0, 'failed', { message: LONG }));
      printer.handle(sim.end());
      printer.close();
      for (const line of stream.text.replace(/\u001b\[\d*[AKJ]/g, '').split(/[\r\n]/))
        expect([...line].length).toBeLessThanOrEqual(40);
      expect(stream.text).toContain('  ✖ Fetch tool_call failed 12 ms: conne…');
    }
  });
});
