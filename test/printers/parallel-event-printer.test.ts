import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ParallelEventPrinter } from '../../src/index.js';
import type { ParallelEventPrinterOptions } from '../../src/index.js';
import { FakeStream, GroupSim, record, screen } from './helpers.js';

// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/g;
const plain = (text: string) => text.replace(SGR, '');

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

describe('ParallelEventPrinter: options', () => {
  it('refuses an unknown mode with a TypeError listing the modes', () => {
    expect(() => new ParallelEventPrinter({ mode: 'fancy' as never })).toThrow(TypeError);
    expect(() => new ParallelEventPrinter({ mode: 'fancy' as never })).toThrow(
      /'realtime', 'progress', 'collapsed'/,
    );
    expect(() => new ParallelEventPrinter(undefined as never)).toThrow(/options object/);
  });

  it('refuses bad options, naming them', () => {
    const mode = 'progress';
    expect(() => new ParallelEventPrinter({ mode, width: 5 })).toThrow(/`width`/);
    expect(() => new ParallelEventPrinter({ mode, throttleMs: -1 })).toThrow(/`throttleMs`/);
    expect(() => new ParallelEventPrinter({ mode, barWidth: 0 })).toThrow(/`barWidth`/);
    expect(() => new ParallelEventPrinter({ mode, maxFailures: 1.5 })).toThrow(/`maxFailures`/);
    expect(() => new ParallelEventPrinter({ mode, now: 3 as never })).toThrow(/`now`/);
    expect(() => new ParallelEventPrinter({ mode, stream: 1 as never })).toThrow(/`stream`/);
    expect(() => new ParallelEventPrinter({ mode, speed: 1 } as never)).toThrow(/unknown option/);
  });

  it('defaults to process.stdout and performance.now', () => {
    const p = new ParallelEventPrinter({ mode: 'collapsed' });
    expect(p.mode).toBe('collapsed');
    expect(p.groups.size).toBe(0);
  });
});

describe('realtime mode', () => {
  it('prints each run under a group header, with branch indexes, task lines and a summary', () => {
    const stream = new FakeStream();
    const p = make('realtime', stream);
    const sim = new GroupSim('Docs', 4, { maxWorkers: 2 });
    p.handle(sim.start());
    p.handle(record('Docs[0]::FetchDoc::tool_call', 'started'));
    p.handle(record('Docs[0]::FetchDoc::tool_call', 'completed', { executionTimeMs: 120 }));
    p.handle(sim.task(0));
    p.handle(
      record('Docs[1]::FetchDoc::tool_call', 'failed', {
        executionTimeMs: 80,
        message: 'HTTP 404',
      }),
    );
    p.handle(sim.task(1, 'failed', { message: 'HTTP 404' }));
    p.handle(record('Docs[2]::FetchDoc::tool_call', 'completed', { executionTimeMs: 10 }));
    p.handle(sim.task(2, 'failed', { message: 'bad result', taskName: 'checked' }));
    p.handle(sim.task(3, 'completed', { taskName: 'plain', taskDurationMs: 30 }));
    p.handle(sim.add(1));
    p.handle(sim.task(4, 'cancelled', { message: 'stopped' }));
    p.handle({ ...sim.task(5), type: 'breaker', breakerState: 'open' });
    p.handle(sim.end('completed', { durationMs: 1_500 }));
    expect(stream.lines).toEqual([
      '┌ Docs: 4 tasks, 2 at a time',
      '  ▶ [0] FetchDoc tool_call started',
      '  ✔ [0] FetchDoc tool_call completed 120 ms',
      '  ✖ [1] FetchDoc tool_call failed 80 ms: HTTP 404',
      '  ✔ [2] FetchDoc tool_call completed 10 ms',
      '  ✖ [2] checked failed 100 ms: bad result',
      '  ✔ [3] plain completed 30 ms',
      '  + Docs: 5 tasks in all',
      '  ⊘ [4] cancelled 100 ms: stopped',
      '  ⚡ Docs: circuit breaker open',
      '└ ✔ Docs: 5 tasks · 3 completed · 2 failed · 1 cancelled · 50% success · 1.50 s',
    ]);
  });

  it('names the group of a run while several groups run', () => {
    const stream = new FakeStream();
    const p = make('realtime', stream);
    const a = new GroupSim('A', 1);
    const b = new GroupSim('B', 1);
    p.handle(a.start());
    p.handle(b.start());
    p.handle(record('A[0]::T::tool_call', 'started'));
    p.handle(b.end('cancelled', { message: 'user stop' }));
    p.handle(record('A[0]::T::tool_call', 'completed', { executionTimeMs: 5 }));
    p.handle(a.task(0));
    p.handle(a.end('failed', { message: 'timeout' }));
    expect(stream.lines).toEqual([
      '┌ A: 1 task, 5 at a time',
      '┌ B: 1 task, 5 at a time',
      '  ▶ A[0] T tool_call started',
      '└ ⊘ B: 1 task · 0 completed · 1 cancelled · 0% success · 4.20 s (cancelled: user stop)',
      '  ✔ [0] T tool_call completed 5 ms',
      '└ ✖ A: 1 task · 1 completed · 100% success · 4.20 s (failed: timeout)',
    ]);
  });

  it('shows full branch paths while sibling groups run at the same depth', () => {
    const stream = new FakeStream();
    const p = make('realtime', stream);
    const a = new GroupSim('Outer[0]::Inner', 2, { depth: 1, parentGroupId: 'Outer' });
    const b = new GroupSim('Outer[1]::Inner', 2, { depth: 1, parentGroupId: 'Outer' });
    p.handle(a.start());
    p.handle(b.start());
    p.handle(record('Outer[0]::Inner[1]::T::tool_call', 'started'));
    p.handle(b.task(0, 'completed', { taskName: 'plain' }));
    p.handle(a.end());
    p.handle(b.task(1));
    expect(stream.lines).toEqual([
      '  ┌ [0] Inner: 2 tasks, 5 at a time',
      '  ┌ [1] Inner: 2 tasks, 5 at a time',
      '    ▶ Outer[0]::Inner[1] T tool_call started',
      '    ✔ Outer[1]::Inner[0] plain completed 100 ms',
      '  └ ✔ [0] Inner: 2 tasks · 0 completed · 4.20 s',
      '    ✔ [1] completed 100 ms',
    ]);
  });

  it('indents nested groups and runs outside groups as a tree', () => {
    const stream = new FakeStream();
    const p = make('realtime', stream);
    const outer = new GroupSim('Pipeline::Outer', 1);
    const inner = new GroupSim('Pipeline::Outer[0]::Inner', 1, {
      depth: 1,
      parentGroupId: 'Pipeline::Outer',
    });
    p.handle(record('Pipeline::agent_call', 'started'));
    p.handle(outer.start());
    p.handle(inner.start());
    p.handle(
      record('Pipeline::Outer[0]::Inner[0]::T::tool_call', 'completed', { executionTimeMs: 1 }),
    );
    p.handle(inner.task(0));
    p.handle(inner.end());
    p.handle(outer.task(0));
    p.handle(outer.end());
    p.handle({
      kind: 'log',
      message: 'hi',
      severity: 'info',
      metadata: undefined,
      address: 'Pipeline::Outer[0]::Inner[0]::T::tool_call',
      groupId: 'Pipeline::Outer[0]::Inner',
      parallelIndex: 0,
      isParallel: true,
      timestamp: 1,
      stateId: 's',
    });
    p.handle({ kind: 'interrupt', reason: 'stop', source: 'timeout', timestamp: 1, stateId: 's' });
    p.handle(record('Pipeline::agent_call', 'completed', { executionTimeMs: 3 }));
    expect(stream.lines).toEqual([
      '▶ Pipeline agent_call started',
      '  ┌ Outer: 1 task, 5 at a time',
      '    ┌ [0] Inner: 1 task, 5 at a time',
      '      ✔ [0] T tool_call completed 1 ms',
      '    └ ✔ [0] Inner: 1 task · 1 completed · 100% success · 4.20 s',
      '    ✔ [0] completed 100 ms',
      '  └ ✔ Outer: 1 task · 1 completed · 100% success · 4.20 s',
      '        • [info] hi',
      '⊘ Interrupted (timeout): stop',
      '✔ Pipeline agent_call completed 3 ms',
    ]);
  });
});

describe('collapsed mode', () => {
  it('prints one line per group when it ends, failures under it, capped', () => {
    const stream = new FakeStream();
    const p = make('collapsed', stream, { maxFailures: 2 });
    const sim = new GroupSim('Docs', 5);
    p.handle(sim.start());
    p.handle(record('Docs[0]::T::tool_call', 'completed', { executionTimeMs: 1 }));
    p.handle(sim.task(0, 'completed', { attempts: 2 }));
    for (let i = 1; i < 5; i++) p.handle(sim.task(i, 'failed', { taskName: `doc-${i}` }));
    expect(stream.lines).toEqual([]);
    p.handle(sim.end());
    expect(stream.lines).toEqual([
      '✔ Docs: 5 tasks · 1 completed · 4 failed · 1 retried · 20% success · 4.20 s',
      '  ✖ [1] doc-1: task 1 broke',
      '  ✖ [2] doc-2: task 2 broke',
      '  … and 2 more failures',
    ]);
  });

  it('indents nested groups; logs inside branches only when they warn', () => {
    const stream = new FakeStream();
    const p = make('collapsed', stream);
    const inner = new GroupSim('Outer[1]::Inner', 1, { depth: 1, parentGroupId: 'Outer' });
    p.handle(inner.start());
    const log = {
      kind: 'log',
      metadata: undefined,
      address: 'Outer[1]::T::tool_call',
      groupId: 'Outer',
      parallelIndex: 1,
      isParallel: true,
      timestamp: 1,
      stateId: 's',
    } as const;
    p.handle({ ...log, message: 'quiet', severity: 'info' });
    p.handle({ ...log, message: 'loud', severity: 'error' });
    p.handle({
      ...log,
      message: 'top',
      severity: 'info',
      address: undefined,
      groupId: undefined,
      parallelIndex: undefined,
      isParallel: false,
    });
    p.handle(inner.task(0, 'failed'));
    p.handle(inner.end());
    expect(stream.lines).toEqual([
      '    • [error] loud',
      '• [info] top',
      '  ✔ [1] Inner: 1 task · 0 completed · 1 failed · 0% success · 4.20 s',
      '    ✖ [0]: task 0 broke',
    ]);
  });
});

describe('progress mode on a pipe', () => {
  it('writes a start line, milestones, failures, the final frame and the summary', () => {
    const stream = new FakeStream(false);
    const p = make('progress', stream, { maxFailures: 1 });
    const sim = new GroupSim('Docs', 8);
    p.handle(sim.start());
    for (let i = 0; i < 8; i++) {
      vi.advanceTimersByTime(500);
      p.handle(sim.task(i, i % 3 === 1 ? 'failed' : 'completed'));
    }
    p.handle(sim.end('completed', { durationMs: 4_000 }));
    expect(stream.lines).toEqual([
      '▶ Docs: 8 tasks, 5 at a time',
      '  ✖ [1]: task 1 broke',
      'Docs █████░░░░░░░░░░░░░░░ 2/8   25%  ✔ 1 ✖ 1  1.00 s  2.0/s  ETA 3.00 s',
      'Docs ██████████░░░░░░░░░░ 4/8   50%  ✔ 3 ✖ 1  2.00 s  2.0/s  ETA 2.00 s',
      'Docs ███████████████░░░░░ 6/8   75%  ✔ 4 ✖ 2  3.00 s  2.0/s  ETA 1.00 s',
      'Docs ████████████████████ 8/8  100%  ✔ 5 ✖ 3  4.00 s  2.0/s',
      '  … and 2 more failures',
      '✔ Docs: 8 tasks · 5 completed · 3 failed · 62.5% success · 4.00 s',
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('writes a bounded number of lines for a 1000-task group, with no escape sequences', () => {
    const stream = new FakeStream(false);
    const p = make('progress', stream);
    const sim = new GroupSim('Big', 1000);
    p.handle(sim.start());
    for (let i = 0; i < 1000; i++) {
      vi.advanceTimersByTime(1);
      p.handle(sim.task(i, i % 10 === 0 ? 'failed' : 'completed'));
    }
    p.handle(sim.end());
    // start + 3 milestones + 10 failures + "… more" + final frame + summary
    expect(stream.lines.length).toBe(17);
    expect(stream.text).not.toContain('\u001b');
    expect(
      stream.lines.filter((l) => l.startsWith('Big ')).map((l) => /\d+\/1000/.exec(l)?.[0]),
    ).toEqual(['250/1000', '500/1000', '750/1000', '1000/1000']);
  });

  it('a nested group prints only its summary and failures', () => {
    const stream = new FakeStream(false);
    const p = make('progress', stream);
    const outer = new GroupSim('Outer', 1);
    const inner = new GroupSim('Outer[0]::Inner', 2, { depth: 1, parentGroupId: 'Outer' });
    p.handle(outer.start());
    p.handle(inner.start());
    p.handle(inner.task(0, 'failed'));
    p.handle(inner.task(1));
    p.handle(inner.end('completed', { durationMs: 10 }));
    p.handle(outer.task(0));
    p.handle(outer.end('completed', { durationMs: 20 }));
    expect(stream.lines).toEqual([
      '▶ Outer: 1 task, 5 at a time',
      '  ✔ [0] Inner: 2 tasks · 1 completed · 1 failed · 50% success · 10 ms',
      '    ✖ [0]: task 0 broke',
      'Outer ████████████████████ 1/1  100%  ✔ 1  20 ms  50.0/s',
      '✔ Outer: 1 task · 1 completed · 100% success · 20 ms',
    ]);
  });

  it('uses colour on a pipe only when forced', () => {
    const stream = new FakeStream(false);
    const p = new ParallelEventPrinter({ mode: 'progress', stream, color: true });
    const sim = new GroupSim('C', 1);
    p.handle(sim.start());
    p.handle(sim.task(0));
    p.handle(sim.end());
    expect(stream.text).toContain('\u001b[32m');
    // eslint-disable-next-line no-control-regex
    expect(stream.text).not.toMatch(/\u001b\[\d*[AJK]/);
  });
});

describe('progress mode on a TTY', () => {
  it('redraws one line per group in place and leaves the final frame and summary', () => {
    const stream = new FakeStream(true, 100, 30);
    const p = make('progress', stream);
    const sim = new GroupSim('Docs', 4, { maxWorkers: 2 });
    p.handle(record('Main::agent_call', 'started'));
    p.handle(sim.start());
    vi.advanceTimersByTime(0);
    expect(screen(stream.text)).toEqual([
      '▶ Main agent_call started',
      'Docs ░░░░░░░░░░░░░░░░░░░░ 0/4    0%  ✔ 0  <1 ms  ETA ?',
    ]);
    vi.advanceTimersByTime(1_000);
    p.handle(sim.task(0));
    p.handle(sim.task(1, 'failed', { taskName: 'doc-1', message: 'HTTP 404' }));
    vi.advanceTimersByTime(50);
    expect(screen(stream.text)).toEqual([
      '▶ Main agent_call started',
      'Docs ██████████░░░░░░░░░░ 2/4   50%  ✔ 1 ✖ 1  1.05 s  1.9/s  ETA 1.05 s',
      '  ✖ [1] doc-1: HTTP 404',
    ]);
    p.handle(record('Main::Other::tool_call', 'completed', { executionTimeMs: 3 }));
    expect(screen(stream.text)).toEqual([
      '▶ Main agent_call started',
      '  ✔ Other tool_call completed 3 ms',
      'Docs ██████████░░░░░░░░░░ 2/4   50%  ✔ 1 ✖ 1  1.05 s  1.9/s  ETA 1.05 s',
      '  ✖ [1] doc-1: HTTP 404',
    ]);
    vi.advanceTimersByTime(950);
    p.handle(sim.task(2));
    p.handle(sim.task(3));
    p.handle(sim.end('completed', { durationMs: 2_000 }));
    expect(screen(stream.text)).toEqual([
      '▶ Main agent_call started',
      '  ✔ Other tool_call completed 3 ms',
      'Docs ████████████████████ 4/4  100%  ✔ 3 ✖ 1  2.00 s  2.0/s',
      '  ✖ [1] doc-1: HTTP 404',
      '✔ Docs: 4 tasks · 3 completed · 1 failed · 75% success · 2.00 s',
    ]);
    expect(vi.getTimerCount()).toBe(0);
    expect(p.groups.get('Docs')).toMatchObject({
      total: 4,
      completed: 3,
      failed: 1,
      completionPercentage: 100,
      isComplete: true,
    });
  });

  it('throttles redraws to one per throttleMs, and refreshes while idle', () => {
    const stream = new FakeStream(true, 100, 30);
    const p = make('progress', stream);
    const sim = new GroupSim('Big', 100_000);
    p.handle(sim.start());
    const before = stream.chunks.length;
    for (let i = 0; i < 1_000; i++) {
      vi.advanceTimersByTime(1);
      p.handle(sim.task(i));
    }
    const frames = stream.chunks.length - before;
    expect(frames).toBeGreaterThanOrEqual(18);
    expect(frames).toBeLessThanOrEqual(22);
    // No events for a second: the heartbeat still refreshes elapsed time and ETA, a few times.
    const idle = stream.chunks.length;
    vi.advanceTimersByTime(1_000);
    expect(stream.chunks.length - idle).toBeGreaterThanOrEqual(3);
    expect(stream.chunks.length - idle).toBeLessThanOrEqual(5);
    p.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('still draws, throttled, when the event loop is starved and the timer cannot fire', () => {
    const stream = new FakeStream(true, 100, 30);
    const p = make('progress', stream);
    const sim = new GroupSim('Busy', 10_000);
    p.handle(sim.start());
    vi.advanceTimersByTime(0);
    const before = stream.chunks.length;
    // The clock moves but timers never run (tasks chaining microtasks only).
    for (let i = 0; i < 1_000; i++) {
      vi.setSystemTime(Date.now() + 1);
      p.handle(sim.task(i));
    }
    const frames = stream.chunks.length - before;
    expect(frames).toBeGreaterThanOrEqual(3);
    expect(frames).toBeLessThanOrEqual(21);
    expect(screen(stream.text)[0]).toMatch(/^Busy .* (9\d\d|1000)\/10000 /);
    p.close();
  });

  it('its timer never keeps the process alive', () => {
    vi.useRealTimers();
    const spy = vi.spyOn(globalThis, 'setTimeout');
    try {
      const p = make('progress', new FakeStream(true, 100, 30));
      p.handle(new GroupSim('G', 2).start());
      const timer = spy.mock.results.at(-1)?.value as NodeJS.Timeout;
      expect(timer.hasRef()).toBe(false);
      p.close();
    } finally {
      spy.mockRestore();
    }
  });

  it('with throttleMs 0 draws on the next tick', () => {
    const stream = new FakeStream(true, 100, 30);
    const p = make('progress', stream, { throttleMs: 0 });
    const sim = new GroupSim('G', 3);
    p.handle(sim.start());
    p.handle(sim.task(0));
    expect(stream.chunks.length).toBe(0);
    vi.advanceTimersByTime(0);
    expect(stream.chunks.length).toBe(1);
    p.flush();
    expect(stream.chunks.length).toBe(2);
    p.handle(sim.end());
    p.flush();
    expect(stream.chunks.length).toBe(3);
  });

  it('fits every line to the terminal width, colour or not', () => {
    for (const color of [false, true]) {
      const stream = new FakeStream(true, 40, 30);
      const p = new ParallelEventPrinter({
        mode: 'progress',
        stream,
        color,
        now: () => Date.now(),
      });
      const a = new GroupSim('AVeryLongGroupNameThatGoesOnAndOnAndOn', 50);
      const b = new GroupSim('B', 10);
      p.handle(a.start());
      p.handle(b.start());
      vi.advanceTimersByTime(700);
      p.handle(a.task(0, 'failed', { message: 'x'.repeat(200) }));
      p.handle(b.task(0));
      vi.advanceTimersByTime(100);
      const shown = screen(plain(stream.text));
      expect(shown.length).toBe(3);
      for (const line of shown) expect([...line].length).toBeLessThanOrEqual(39);
      expect(shown[0]).toBe('AVeryLongGr… ░░░░░  1/50    2%  ✔ 0 ✖ 1');
      expect(shown[1]).toMatch(/^ {2}✖ \[0\]: x+…$/);
      expect(shown[2]).toBe('B            ░░░░░  1/10   10%  ✔ 1');
      p.close();
    }
  });

  it('uses the width option and a tiny terminal without breaking', () => {
    const stream = new FakeStream(true, 5, 30);
    const p = make('progress', stream);
    const sim = new GroupSim('G', 3);
    p.handle(sim.start());
    vi.advanceTimersByTime(0);
    expect(screen(stream.text)).toEqual(['G 0…']);
    p.close();
    const wide = new FakeStream(true, 200, 30);
    const q = make('progress', wide, { width: 30 });
    q.handle(new GroupSim('G', 3).start());
    vi.advanceTimersByTime(0);
    expect([...screen(wide.text)[0]!].length).toBe(30);
    q.close();
  });

  it('indents nested groups under their parent and shows two groups at once', () => {
    const stream = new FakeStream(true, 100, 30);
    const p = make('progress', stream);
    const outer = new GroupSim('Outer', 2);
    const side = new GroupSim('Side', 3);
    const inner0 = new GroupSim('Outer[0]::Inner', 4, { depth: 1, parentGroupId: 'Outer' });
    const inner1 = new GroupSim('Outer[1]::Inner', 4, { depth: 1, parentGroupId: 'Outer' });
    p.handle(outer.start());
    p.handle(side.start());
    p.handle(inner0.start());
    p.handle(inner1.start());
    vi.advanceTimersByTime(1_000);
    p.handle(inner0.task(0));
    p.handle(side.task(0));
    vi.advanceTimersByTime(50);
    expect(screen(stream.text)).toEqual([
      'Outer       ░░░░░░░░░░░░░░░░░░░░ 0/2    0%  ✔ 0  1.05 s  ETA ?',
      '  [0] Inner █████░░░░░░░░░░░░░░░ 1/4   25%  ✔ 1  1.05 s  1.0/s  ETA 3.15 s',
      '  [1] Inner ░░░░░░░░░░░░░░░░░░░░ 0/4    0%  ✔ 0  1.05 s  ETA ?',
      'Side        ██████░░░░░░░░░░░░░░ 1/3 33.3%  ✔ 1  1.05 s  1.0/s  ETA 2.10 s',
    ]);
    p.handle(inner1.task(0));
    p.handle(inner1.task(1));
    p.handle(inner1.task(2));
    p.handle(inner1.task(3));
    p.handle(inner0.end('completed', { durationMs: 1_000 }));
    expect(screen(stream.text)).toEqual([
      '  ✔ [0] Inner: 4 tasks · 1 completed · 100% success · 1.00 s',
      'Outer       ░░░░░░░░░░░░░░░░░░░░ 0/2    0%  ✔ 0  1.05 s  ETA ?',
      '  [1] Inner ████████████████████ 4/4  100%  ✔ 4  1.05 s  3.8/s',
      'Side        ██████░░░░░░░░░░░░░░ 1/3 33.3%  ✔ 1  1.05 s  1.0/s  ETA 2.10 s',
    ]);
    vi.advanceTimersByTime(50);
    expect(screen(stream.text).slice(1)).toEqual([
      'Outer       ░░░░░░░░░░░░░░░░░░░░ 0/2    0%  ✔ 0  1.10 s  ETA ?',
      '  [1] Inner ████████████████████ 4/4  100%  ✔ 4  1.10 s  3.6/s',
      'Side        ██████░░░░░░░░░░░░░░ 1/3 33.3%  ✔ 1  1.10 s  0.9/s  ETA 2.20 s',
    ]);
    p.handle(inner1.end('completed', { durationMs: 1_100 }));
    p.handle(outer.task(0));
    p.handle(outer.task(1));
    p.handle(outer.end('completed', { durationMs: 1_100 }));
    expect(screen(stream.text).slice(1)).toEqual([
      '  ✔ [1] Inner: 4 tasks · 4 completed · 100% success · 1.10 s',
      'Outer ████████████████████ 2/2  100%  ✔ 2  1.10 s  1.8/s',
      '✔ Outer: 2 tasks · 2 completed · 100% success · 1.10 s',
      'Side ██████░░░░░░░░░░░░░░ 1/3 33.3%  ✔ 1  1.10 s  0.9/s  ETA 2.20 s',
    ]);
    expect(vi.getTimerCount()).toBe(1);
    p.handle(side.end('cancelled', { message: 'stop' }));
    expect(vi.getTimerCount()).toBe(0);
  });

  it('caps the live area to the terminal height', () => {
    const stream = new FakeStream(true, 100, 5);
    const p = make('progress', stream);
    for (let g = 0; g < 8; g++) p.handle(new GroupSim(`G${g}`, 2).start());
    vi.advanceTimersByTime(0);
    const shown = screen(stream.text);
    expect(shown).toHaveLength(4);
    expect(shown[3]).toBe('+5 more groups');
    p.close();
  });
});

describe('edge cases', () => {
  it('lists the latest failures under a live line, then how many more', () => {
    const stream = new FakeStream(true, 100, 30);
    const p = make('progress', stream);
    const sim = new GroupSim('G', 10, { maxWorkers: Infinity });
    p.handle(sim.start());
    for (let i = 0; i < 5; i++) p.handle(sim.task(i, 'failed'));
    p.handle({ ...sim.task(5), type: 'breaker', breakerState: 'half_open' });
    vi.advanceTimersByTime(1_000);
    expect(screen(stream.text)).toEqual([
      'G ████████████░░░░░░░░  6/10   60%  ✔ 1 ✖ 5  breaker half-open  1.00 s  6.0/s  ETA 667 ms',
      '  ✖ [2]: task 2 broke',
      '  ✖ [3]: task 3 broke',
      '  ✖ [4]: task 4 broke',
      '  … and 2 more failures',
    ]);
    p.close();
  });

  it('announces a group without a worker limit, and an empty group', () => {
    const stream = new FakeStream(false);
    const realtime = make('realtime', stream);
    const sim = new GroupSim('E', 0, { maxWorkers: Infinity });
    realtime.handle(sim.start());
    realtime.handle(sim.end('completed', { durationMs: 0.5 }));
    const pipe = new FakeStream(false);
    const progress = make('progress', pipe);
    const empty = new GroupSim('E', 0);
    progress.handle(empty.start());
    progress.handle({ ...new GroupSim('E', 0).task(0), total: 0, completed: 0 });
    progress.handle(empty.end('completed', { durationMs: 0.5 }));
    expect(stream.lines).toEqual([
      '┌ E: 0 tasks, all at once',
      '└ ✔ E: 0 tasks · 0 completed · <1 ms',
    ]);
    expect(pipe.lines).toEqual([
      '▶ E: 0 tasks, 5 at a time',
      'E ████████████████████ 0/0  100%  ✔ 0  <1 ms',
      '✔ E: 0 tasks · 0 completed · <1 ms',
    ]);
  });

  it('picks up a group it did not see start, and a new group under a reused id', () => {
    for (const mode of ['realtime', 'progress', 'collapsed'] as const) {
      const stream = new FakeStream(false);
      const p = make(mode, stream);
      const sim = new GroupSim('Late', 3);
      p.handle(sim.task(0));
      expect(p.groups.get('Late')).toMatchObject({ total: 3, completed: 1, isComplete: false });
      p.handle(sim.end());
      const first = p.groups.get('Late');
      p.handle(new GroupSim('Late', 7).start());
      expect(p.groups.get('Late')).not.toBe(first);
      expect(p.groups.get('Late')).toMatchObject({ total: 7, isComplete: false });
      expect(p.summary().groups).toEqual({
        total: 1,
        completed: 0,
        failed: 0,
        cancelled: 0,
        running: 1,
      });
      p.printSummary();
      expect(stream.lines.at(-1)).toBe('Groups: 1 · 0 completed · 1 running');
    }
  });

  it('prints a summary with failed and cancelled groups', () => {
    const stream = new FakeStream(false);
    const p = make('collapsed', stream);
    const a = new GroupSim('A', 1);
    const b = new GroupSim('B', 1);
    p.handle(a.start());
    p.handle(b.start());
    p.handle(a.end('failed'));
    p.handle(b.end('cancelled'));
    p.printSummary();
    expect(stream.lines.at(-1)).toBe('Groups: 2 · 0 completed · 1 failed · 1 cancelled');
  });

  it('ignores events of unknown kinds', () => {
    const stream = new FakeStream(false);
    const p = make('realtime', stream);
    p.handle({ kind: 'other', timestamp: 1 } as never);
    p.handle(record('G[0]::T::tool_call', 'started', { groupId: undefined }));
    expect(stream.lines).toEqual(['  ▶ [0] T tool_call started']);
  });
});
