/**
 * Run limiters in the printers: the `kind: 'limit'` events an `AdaptiveLimiter` publishes, shown
 * as a line per change (EventPrinter, realtime), as the current limits in progress mode's live
 * area, as a count in collapsed mode and on a pipe, and in every summary.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventPrinter, ParallelEventPrinter } from '../../src/index.js';
import type { LimitEvent, ParallelEventPrinterOptions } from '../../src/index.js';
import { FakeStream, GroupSim, record, screen } from './helpers.js';

function limit(
  name: unknown,
  previous: unknown,
  concurrency: unknown,
  reason?: unknown,
): LimitEvent {
  return {
    kind: 'limit',
    name,
    previous,
    concurrency,
    reason,
    timestamp: 1_000,
    stateId: 'test',
  } as LimitEvent;
}

const DOWN = limit('openai', 8, 6, 'rate limited (429), retry after 200 ms');
const UP = limit('openai', 6, 7, 'sustained success');
const OTHER = limit('search', 4, 2, 'rate limited (503)');

function make(
  mode: ParallelEventPrinterOptions['mode'],
  stream: FakeStream,
  extra: Partial<ParallelEventPrinterOptions> = {},
) {
  return new ParallelEventPrinter({ mode, stream, color: false, now: () => Date.now(), ...extra });
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('EventPrinter: run limiters', () => {
  it('prints a line per change and the current limits in its summary', () => {
    const stream = new FakeStream(false);
    const p = new EventPrinter({ stream, color: false });
    p.handle(DOWN);
    p.handle(limit('openai', 6, 4, 'rate limited (429)'));
    p.handle(limit('openai', 4, 5, 'sustained success'));
    p.handle(limit('openai', 5, 6, 'sustained success'));
    p.handle(limit('search', 4, 3));
    expect(stream.lines).toEqual([
      '⇅ limiter openai: 8 → 6 (rate limited (429), retry after 200 ms)',
      '⇅ limiter openai: 6 → 4 (rate limited (429))',
      '⇅ limiter openai: 4 → 5 (sustained success)',
      '⇅ limiter openai: 5 → 6 (sustained success)',
      '⇅ limiter search: 4 → 3',
    ]);
    expect(p.summary().limits).toEqual([
      {
        name: 'openai',
        concurrency: 6,
        changes: 4,
        lowest: 4,
        highest: 8,
        reason: 'sustained success',
      },
      { name: 'search', concurrency: 3, changes: 1, lowest: 3, highest: 4, reason: '' },
    ]);
    stream.chunks = [];
    p.printSummary();
    expect(stream.lines[1]).toBe(
      'Limits: openai 6 (4 changes, lowest 4) · search 3 (1 change, lowest 3)',
    );
  });

  it('prints no Limits line when no limiter changed', () => {
    const stream = new FakeStream(false);
    const p = new EventPrinter({ stream, color: false });
    p.handle(record('A::tool_call', 'completed', { executionTimeMs: 5 }));
    p.printSummary();
    expect(stream.text).not.toContain('Limits');
    expect(p.summary().limits).toEqual([]);
  });

  it('colours a decrease yellow and an increase green', () => {
    const stream = new FakeStream(true, 200);
    const p = new EventPrinter({ stream, color: true });
    p.handle(DOWN);
    p.handle(UP);
    const [down, up] = stream.lines;
    expect(down).toContain('\u001b[33m⇅');
    expect(down).toContain('\u001b[33m6');
    expect(up).toContain('\u001b[32m⇅');
  });

  it('shows control characters in a name or reason instead of obeying them, one line each', () => {
    const stream = new FakeStream(false);
    const p = new EventPrinter({ stream, color: false });
    p.handle(limit('evil\u001b[2J\nname', 3, 2, 'boom\r\u001b]0;title\u0007'));
    expect(stream.lines).toHaveLength(1);
    expect(stream.text).not.toContain('\u001b');
    expect(stream.text).not.toContain('\r');
    expect(stream.lines[0]).toBe('⇅ limiter evil␛[2J⏎name: 3 → 2 (boom␍␛]0;title␇)');
    p.printSummary();
    expect(stream.text).not.toContain('\u001b');
  });

  it('fits a long line to the terminal, and survives malformed limit events', () => {
    const stream = new FakeStream(true, 40);
    const p = new EventPrinter({ stream, color: false });
    p.handle(limit('openai', 8, 6, 'x'.repeat(500)));
    expect([...stream.lines[0]!]).toHaveLength(40);
    expect(stream.lines[0]!.endsWith('…')).toBe(true);
    stream.chunks = [];
    p.handle(limit(undefined, 'eight', NaN));
    p.handle(limit({ n: 1 }, 2, 1));
    expect(stream.lines).toEqual(['⇅ limiter undefined: ? → ?', '⇅ limiter {"n":1}: 2 → 1']);
    expect(p.summary().limits).toContainEqual(
      expect.objectContaining({ name: 'undefined', changes: 1 }),
    );
    expect(() => p.printSummary()).not.toThrow();
  });
});

describe('realtime mode: run limiters', () => {
  it('prints every change as it happens, inside a group too', () => {
    const stream = new FakeStream(false);
    const p = make('realtime', stream);
    const sim = new GroupSim('Docs', 2);
    p.handle(sim.start());
    p.handle(record('Docs[0]::Fetch::tool_call', 'started'));
    p.handle(DOWN);
    p.handle(record('Docs[0]::Fetch::tool_call', 'completed', { executionTimeMs: 3 }));
    p.handle(sim.task(0));
    p.handle(UP);
    p.handle(sim.task(1));
    p.handle(sim.end());
    expect(stream.lines).toEqual([
      '┌ Docs: 2 tasks, 5 at a time',
      '  ▶ [0] Fetch tool_call started',
      '⇅ limiter openai: 8 → 6 (rate limited (429), retry after 200 ms)',
      '  ✔ [0] Fetch tool_call completed 3 ms',
      '⇅ limiter openai: 6 → 7 (sustained success)',
      '  ✔ [1] completed 100 ms',
      '└ ✔ Docs: 2 tasks · 2 completed · 100% success · 4.20 s',
    ]);
    stream.chunks = [];
    p.printSummary();
    expect(stream.lines).toContain('Limits: openai 7 (2 changes, lowest 6)');
  });
});

describe('collapsed mode: run limiters', () => {
  it('counts the changes while groups run and shows the count after the last group', () => {
    const stream = new FakeStream(false);
    const p = make('collapsed', stream);
    const outer = new GroupSim('Outer', 1);
    const inner = new GroupSim('Outer[0]::Inner', 1, { parentGroupId: 'Outer', depth: 1 });
    p.handle(outer.start());
    p.handle(inner.start());
    p.handle(DOWN);
    p.handle(OTHER);
    p.handle(inner.task(0));
    p.handle(inner.end());
    expect(stream.lines).toEqual(['  ✔ [0] Inner: 1 task · 1 completed · 100% success · 4.20 s']);
    p.handle(UP);
    p.handle(outer.task(0));
    p.handle(outer.end());
    expect(stream.lines.slice(1)).toEqual([
      '✔ Outer: 1 task · 1 completed · 100% success · 4.20 s',
      '  ⇅ 3 limit changes · openai 7 · search 2',
    ]);
  });

  it('prints a change while no group runs as a line of its own', () => {
    const stream = new FakeStream(false);
    const p = make('collapsed', stream);
    p.handle(DOWN);
    const sim = new GroupSim('G', 1);
    p.handle(sim.start());
    p.handle(sim.task(0));
    p.handle(sim.end());
    expect(stream.lines).toEqual([
      '⇅ limiter openai: 8 → 6 (rate limited (429), retry after 200 ms)',
      // the change before the group was shown already: no count under it
      '✔ G: 1 task · 1 completed · 100% success · 4.20 s',
    ]);
  });
});

describe('progress mode on a pipe: run limiters', () => {
  it('counts the changes under the next milestone line and after the last group', () => {
    const stream = new FakeStream(false);
    const p = make('progress', stream, { width: 80 });
    const sim = new GroupSim('Docs', 4);
    p.handle(sim.start());
    p.handle(DOWN);
    p.handle(OTHER);
    p.handle(sim.task(0));
    p.handle(sim.task(1));
    p.handle(UP);
    p.handle(sim.task(2));
    p.handle(sim.task(3));
    p.handle(sim.end());
    const lines = stream.lines;
    expect(lines[1]).toMatch(/^Docs █{5}░{15} 1\/4 +25%/);
    expect(lines[2]).toBe('  ⇅ 2 limit changes · openai 6 · search 2');
    expect(lines[3]).toMatch(/^Docs █{10}░{10} 2\/4 +50%/);
    expect(lines[4]).toMatch(/^Docs █{15}░{5} 3\/4 +75%/);
    expect(lines[5]).toBe('  ⇅ 1 limit change · openai 7');
    expect(lines.slice(6)).toEqual([
      expect.stringMatching(/^Docs █{20} 4\/4 +100%/),
      '✔ Docs: 4 tasks · 4 completed · 100% success · 4.20 s',
    ]);
    expect(lines).toHaveLength(8);
  });

  it('prints a change while no group runs as a line of its own', () => {
    const stream = new FakeStream(false);
    const p = make('progress', stream);
    p.handle(UP);
    expect(stream.lines).toEqual(['⇅ limiter openai: 6 → 7 (sustained success)']);
  });

  it('counts changes after the last milestone under the summary', () => {
    const stream = new FakeStream(false);
    const p = make('progress', stream, { width: 80 });
    const sim = new GroupSim('Docs', 1);
    p.handle(sim.start());
    p.handle(DOWN);
    p.handle(sim.task(0));
    p.handle(sim.end());
    expect(stream.lines.slice(-2)).toEqual([
      '✔ Docs: 1 task · 1 completed · 100% success · 4.20 s',
      '  ⇅ 1 limit change · openai 6',
    ]);
  });
});

describe('progress mode on a TTY: run limiters', () => {
  it('shows the current limits as the last live line, then the count under the summary', () => {
    const stream = new FakeStream(true, 100, 30);
    const p = make('progress', stream);
    const sim = new GroupSim('Docs', 2);
    p.handle(sim.start());
    vi.advanceTimersByTime(0);
    expect(screen(stream.text)).toHaveLength(1);
    p.handle(DOWN);
    p.handle(OTHER);
    vi.advanceTimersByTime(50);
    expect(screen(stream.text)).toEqual([
      expect.stringMatching(/^Docs ░{20} 0\/2/),
      '⇅ Limits: openai 6 (1 change, lowest 6) · search 2 (1 change, lowest 2)',
    ]);
    p.handle(UP);
    p.handle(sim.task(0));
    p.flush();
    expect(screen(stream.text)[1]).toBe(
      '⇅ Limits: openai 7 (2 changes, lowest 6) · search 2 (1 change, lowest 2)',
    );
    p.handle(sim.task(1));
    p.handle(sim.end('completed', { durationMs: 2_000 }));
    expect(screen(stream.text)).toEqual([
      expect.stringMatching(/^Docs █{20} 2\/2/),
      '✔ Docs: 2 tasks · 2 completed · 100% success · 2.00 s',
      '  ⇅ 3 limit changes · openai 7 · search 2',
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fits the limits line to the width and leaves it out when the terminal has no row for it', () => {
    const narrow = new FakeStream(true, 30, 30);
    const p = make('progress', narrow);
    const sim = new GroupSim('Docs', 2);
    p.handle(sim.start());
    p.handle(DOWN);
    p.flush();
    const shown = screen(narrow.text);
    expect(shown[1]).toBe('⇅ Limits: openai 6 (1 change…');
    expect([...shown[1]!]).toHaveLength(29);

    const tiny = new FakeStream(true, 80, 2);
    const q = make('progress', tiny);
    const g = new GroupSim('G', 2);
    q.handle(g.start());
    q.handle(DOWN);
    q.flush();
    expect(screen(tiny.text)).toEqual([expect.stringMatching(/^G ░+ 0\/2/)]);
  });

  it('keeps the limits line when more groups run than the terminal has rows for', () => {
    const stream = new FakeStream(true, 80, 5);
    const p = make('progress', stream);
    for (let i = 0; i < 6; i++) p.handle(new GroupSim(`G${i}`, 2).start());
    p.handle(DOWN);
    p.flush();
    const shown = screen(stream.text);
    expect(shown).toHaveLength(4);
    expect(shown[2]).toBe('+4 more groups');
    expect(shown[3]).toBe('⇅ Limits: openai 6 (1 change, lowest 6)');
  });

  it('prints a change while no group runs as a line of its own', () => {
    const stream = new FakeStream(true, 100, 30);
    const p = make('progress', stream);
    p.handle(DOWN);
    expect(screen(stream.text)).toEqual([
      '⇅ limiter openai: 8 → 6 (rate limited (429), retry after 200 ms)',
    ]);
  });
});
