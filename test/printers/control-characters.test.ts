/* eslint-disable no-control-regex -- terminal control characters are what these tests are about */
/**
 * Text from names, messages and metadata never reaches the terminal raw: control characters are
 * shown (`␛`, `⏎`, `\u202e`), so an entry stays one line and cannot move the cursor, clear the
 * screen, set the title or reorder text; metadata that JSON cannot take is printed in a safe form.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  EventPrinter,
  ExecutionState,
  ParallelDisplayMode,
  ParallelEventPrinter,
  Tool,
} from '../../src/index.js';
import type { BusEvent, LogEvent } from '../../src/index.js';
import { FakeStream, GroupSim, record } from './helpers.js';

/** ESC sequences (clear screen, set title), BEL, CR, LF, TAB, a C1 CSI, a bidi override, LS, DEL. */
const HOSTILE = 'a\u001b[2Jb\u001b]0;title\u0007c\rd\ne\tf\u009bg\u202eh\u2028i\u007fj';
const SHOWN = 'a␛[2Jb␛]0;title␇c␍d⏎e␉f\\u009bg\\u202eh\\u2028i␡j';

/** The sequences a printer writes itself: colours, cursor-up, erase-line, erase-down. */
const OWN_SEQUENCES = /\u001b\[(?:\d+(?:;\d+)*m|\d*A\r|2K|J)/g;
const CONTROL =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u;

function log(message: unknown, metadata?: unknown, extra: Partial<LogEvent> = {}): BusEvent {
  return {
    kind: 'log',
    message: message as string,
    severity: 'info',
    metadata: metadata as Record<string, unknown>,
    address: undefined,
    groupId: undefined,
    parallelIndex: undefined,
    isParallel: false,
    timestamp: 1,
    stateId: 's',
    ...extra,
  };
}

function hostileEvents(): BusEvent[] {
  const sim = new GroupSim(`Docs${HOSTILE}`, 3);
  return [
    record('X::tool_call', 'failed', {
      actor: { name: HOSTILE, eventType: 'tool_call' },
      tag: HOSTILE,
      message: HOSTILE,
      executionTimeMs: 1,
    }),
    log(HOSTILE, { note: HOSTILE }),
    { kind: 'interrupt', reason: HOSTILE, source: 'request', timestamp: 1, stateId: 's' },
    sim.start(),
    record(`Docs${HOSTILE}[0]::T::tool_call`, 'failed', {
      actor: { name: HOSTILE, eventType: 'tool_call' },
      message: HOSTILE,
      groupId: `Docs${HOSTILE}`,
      parallelIndex: 0,
      isParallel: true,
    }),
    sim.task(0, 'failed', { taskName: HOSTILE, message: HOSTILE }),
    sim.task(1, 'cancelled', { taskName: HOSTILE, message: HOSTILE }),
    { ...sim.task(2), breakerState: 'open', type: 'breaker' },
    sim.end('failed', { message: HOSTILE }),
  ];
}

describe('control characters in names and messages', () => {
  it('EventPrinter shows them, one entry per line', () => {
    const stream = new FakeStream();
    const printer = new EventPrinter({ stream, color: false });
    for (const event of hostileEvents().slice(0, 3)) printer.handle(event);
    expect(stream.lines).toEqual([
      `✖ ${SHOWN} tool_call failed (${SHOWN}) 1 ms: ${SHOWN}`,
      `• [info] ${SHOWN} {"note":"a\\u001b[2Jb\\u001b]0;title\\u0007c\\rd\\ne\\tf\\u009bg\\u202eh\\u2028i␡j"}`,
      `⊘ Interrupted (request): ${SHOWN}`,
    ]);
  });

  it('realtime mode on a pipe keeps one entry per line', () => {
    const stream = new FakeStream();
    const printer = new ParallelEventPrinter({ mode: 'realtime', stream, color: false });
    for (const event of hostileEvents()) printer.handle(event);
    expect(stream.lines).toHaveLength(8);
    expect(stream.text).not.toMatch(CONTROL);
    expect(stream.lines[3]).toBe(`┌ Docs${SHOWN}: 3 tasks, 5 at a time`);
    expect(stream.lines[4]).toBe(`  ✖ [0] ${SHOWN} tool_call failed: ${SHOWN}`);
    expect(stream.lines[5]).toBe(`  ⊘ [1] ${SHOWN} cancelled 100 ms: ${SHOWN}`);
    expect(stream.lines.at(-1)).toMatch(new RegExp(`\\(failed: ${escapeRegExp(SHOWN)}\\)$`));
  });

  const modes = Object.values(ParallelDisplayMode).flatMap((mode) =>
    [true, false].flatMap((tty) => [true, false].map((color) => ({ mode, tty, color }))),
  );

  it.each(modes)(
    'ParallelEventPrinter ($mode, TTY $tty, colour $color) writes no raw control character',
    ({ mode, tty, color }) => {
      const stream = new FakeStream(tty, 400, 40);
      const printer = new ParallelEventPrinter({ mode, stream, color, throttleMs: 0 });
      const events = hostileEvents();
      for (const event of events.slice(0, 8)) printer.handle(event);
      printer.flush();
      printer.handle(events[8]!);
      printer.printSummary();
      printer.close();
      const text = stream.text.replace(OWN_SEQUENCES, '');
      expect(text).not.toMatch(CONTROL);
      expect(text).toContain(SHOWN);
      if (!color) expect(stream.text).not.toMatch(/\u001b\[[\d;]*m/);
    },
  );

  it('EventPrinter with colour on a TTY: only its own colour codes are sequences', () => {
    const stream = new FakeStream(true, 1_000, 40);
    const printer = new EventPrinter({ stream, color: true });
    for (const event of hostileEvents()) printer.handle(event);
    printer.printSummary();
    expect(stream.text).toContain('\u001b[31m');
    expect(stream.text.replace(OWN_SEQUENCES, '')).not.toMatch(CONTROL);
  });

  it('a real run: an error message and a log with newlines and escapes stay one line each', async () => {
    const stream = new FakeStream();
    const state = new ExecutionState();
    state.eventBus.subscribe(new EventPrinter({ stream, color: false }));
    const tool = new Tool({
      name: 'Fetch',
      inputSchema: z.object({}),
      retry: { enabled: false },
      handler: () => {
        state.log('line one\nline two\u001b[2K');
        throw new Error('bad\r\nthings\u0007');
      },
    });
    await state.run(tool, {});
    expect(stream.lines).toEqual([
      '▶ Fetch tool_call started',
      '  • [info] line one⏎line two␛[2K',
      expect.stringMatching(/^✖ Fetch tool_call failed .*: bad␍⏎things␇$/),
    ]);
  });
});

describe('metadata JSON cannot take', () => {
  function printed(metadata: unknown, message: unknown = 'm'): string[] {
    const stream = new FakeStream();
    const printer = new EventPrinter({ stream, color: false });
    expect(() => printer.handle(log(message, metadata))).not.toThrow();
    return stream.lines;
  }

  it('circular references', () => {
    const c: Record<string, unknown> = { name: 'c' };
    c.self = c;
    c.list = [1, c];
    expect(printed(c)).toEqual(['• [info] m {"name":"c","self":[Circular],"list":[1,[Circular]]}']);
  });

  it('a null prototype, BigInt, functions, symbols, errors, dates and undefined', () => {
    const meta = Object.assign(Object.create(null) as object, {
      id: 7,
      big: 10n,
      fn: function load() {},
      sym: Symbol('s'),
      err: new Error('boom'),
    });
    expect(printed(meta)).toEqual([
      '• [info] m {"id":7,"big":10n,"fn":[Function: load],"sym":Symbol(s),"err":[Error: boom]}',
    ]);
    const more = { at: new Date(0), u: undefined, n: null, nan: Number.NaN };
    expect(printed(more)).toEqual([
      '• [info] m {"at":"1970-01-01T00:00:00.000Z","u":undefined,"n":null,"nan":NaN}',
    ]);
    expect(printed(5n)).toEqual(['• [info] m 5n']);
  });

  it('a throwing getter, a throwing toJSON and a revoked proxy', () => {
    const getter = {
      ok: 1,
      get bad(): never {
        throw new Error('nope');
      },
    };
    expect(printed(getter)).toEqual(['• [info] m {"ok":1,"bad":[threw: nope]}']);
    const toJSON = {
      toJSON(): never {
        throw new Error('no json');
      },
    };
    expect(printed(toJSON)).toEqual(['• [info] m [threw: no json]']);
    const { proxy, revoke } = Proxy.revocable({ a: 1 }, {});
    revoke();
    expect(printed(proxy)).toEqual(['• [info] m [unreadable]']);
    expect(printed({ inner: proxy })).toEqual(['• [info] m {"inner":[unreadable]}']);
  });

  it('a message that is not a string', () => {
    expect(printed(undefined, Symbol('why'))).toEqual(['• [info] Symbol(why)']);
    expect(printed(undefined, Object.create(null))).toEqual(['• [info] {}']);
  });

  it('reads no more of a huge object than the line shows', () => {
    let reads = 0;
    const huge: Record<string, number> = {};
    for (let i = 0; i < 10_000; i++) {
      Object.defineProperty(huge, `key${i}`, {
        enumerable: true,
        get: () => {
          reads++;
          return i;
        },
      });
    }
    const [line] = printed(huge);
    expect(line).toMatch(/^• \[info\] m \{"key0":0,"key1":1,.*…$/);
    expect(reads).toBeLessThan(30);
  });

  it('a real state.log() with circular metadata prints, and the run goes on', async () => {
    const stream = new FakeStream();
    const state = new ExecutionState();
    state.eventBus.subscribe(new EventPrinter({ stream, color: false }));
    const meta: Record<string, unknown> = { big: 2n ** 70n };
    meta.me = meta;
    state.log('odd metadata', 'warning', meta);
    await state.eventBus.drain?.();
    expect(stream.lines).toEqual([
      '• [warning] odd metadata {"big":1180591620717411303424n,"me":[Circular]}',
    ]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
