/* eslint-disable no-control-regex -- terminal control characters are what these tests are about */
/**
 * Progress mode on a tiny terminal (10 columns, 4 rows): no line is wider than the terminal and
 * the live area never has more lines than the rows allow; the groups that do not fit are counted.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ParallelEventPrinter } from '../../src/index.js';
import { FakeStream, GroupSim, screen } from './helpers.js';

const OWN_SEQUENCES = /\u001b\[(?:\d+(?:;\d+)*m|\d*A|2K|J)/g;

/** Terminal cells of a line: two for the wide (CJK) characters these tests use, one otherwise. */
function cells(line: string): number {
  let n = 0;
  for (const ch of line) n += /[\u3000-\u9fff]/u.test(ch) ? 2 : 1;
  return n;
}

/** Every physical line written, by splitting on newlines and carriage returns. */
function physicalLines(text: string): string[] {
  return text.replace(OWN_SEQUENCES, '').split(/[\r\n]/);
}

/** Lines of the live frame in each frame-only write (each row is written after an erase-line). */
function frameHeights(chunks: readonly string[]): number[] {
  return chunks
    .filter((chunk) => chunk.includes('\u001b[2K'))
    .map((chunk) => chunk.split('\u001b[2K').length - 1);
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe.each([false, true])('progress mode on a 10×4 terminal (colour %s)', (color) => {
  function run(columns: number, rows: number) {
    const stream = new FakeStream(true, columns, rows);
    const printer = new ParallelEventPrinter({
      mode: 'progress',
      stream,
      color,
      now: () => Date.now(),
    });
    const sims = [
      new GroupSim('Documents', 40),
      new GroupSim('文档处理', 10),
      new GroupSim('B', 5),
      new GroupSim('C', 5),
      new GroupSim('D', 5),
    ];
    for (const sim of sims) printer.handle(sim.start());
    vi.advanceTimersByTime(100);
    for (let i = 0; i < 4; i++) {
      for (const sim of sims)
        printer.handle(sim.task(i, i % 2 ? 'failed' : 'completed', { message: 'x'.repeat(50) }));
      vi.advanceTimersByTime(100);
    }
    return { stream, printer, sims };
  }

  it('no line is wider than the terminal; the frame has at most rows − 1 lines', () => {
    const { stream, printer, sims } = run(10, 4);
    const heights = frameHeights(stream.chunks);
    expect(heights.length).toBeGreaterThan(2);
    for (const height of heights) expect(height).toBeLessThanOrEqual(3);
    const live = screen(stream.text.replace(/\u001b\[\d+m/g, ''));
    expect(live).toHaveLength(3);
    expect(live[2]).toBe('+3 more');
    for (const sim of sims) {
      printer.handle(sim.task(4));
      printer.handle(sim.end());
    }
    for (const line of physicalLines(stream.text)) expect(cells(line)).toBeLessThanOrEqual(10);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('says "more groups" when there is room, and shows failures only when the groups fit', () => {
    const { stream, printer } = run(40, 4);
    const live = screen(stream.text.replace(/\u001b\[\d+m/g, ''));
    expect(live).toHaveLength(3);
    expect(live[0]).toMatch(/^Documents /);
    expect(live[1]).toMatch(/^文档处理 /);
    expect(live[2]).toBe('+3 more groups');
    for (const line of physicalLines(stream.text)) expect(cells(line)).toBeLessThanOrEqual(40);
    printer.close();
  });

  it('with room for every group, fills the rest with failures', () => {
    const stream = new FakeStream(true, 60, 6);
    const printer = new ParallelEventPrinter({ mode: 'progress', stream, color, now: Date.now });
    const a = new GroupSim('A', 10);
    const b = new GroupSim('B', 10);
    printer.handle(a.start());
    printer.handle(b.start());
    for (let i = 0; i < 3; i++) {
      printer.handle(a.task(i, 'failed'));
      printer.handle(b.task(i, 'failed'));
    }
    vi.advanceTimersByTime(100);
    const live = screen(stream.text.replace(/\u001b\[\d+m/g, ''));
    expect(live).toHaveLength(5);
    expect(live[0]).toMatch(/^A /);
    expect(live.slice(1, 4)).toEqual([
      '  ✖ [0]: task 0 broke',
      '  ✖ [1]: task 1 broke',
      '  ✖ [2]: task 2 broke',
    ]);
    expect(live[4]).toMatch(/^B /);
    printer.close();
  });
});
