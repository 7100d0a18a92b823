import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventPrinter, ParallelEventPrinter } from '../../src/index.js';
import { resolveColor } from '../../src/printers/color.js';
import { FakeStream, record } from './helpers.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

const tty = { isTTY: true };
const pipe = { isTTY: false };

describe('resolveColor', () => {
  it('follows the stream: on for a TTY, off for a pipe', () => {
    expect(resolveColor(tty, undefined, {})).toBe(true);
    expect(resolveColor(pipe, undefined, {})).toBe(false);
    expect(resolveColor({}, undefined, {})).toBe(false);
    expect(resolveColor(tty, undefined, { TERM: 'dumb' })).toBe(false);
  });

  it('NO_COLOR (not empty) turns it off', () => {
    expect(resolveColor(tty, undefined, { NO_COLOR: '1' })).toBe(false);
    expect(resolveColor(tty, undefined, { NO_COLOR: '' })).toBe(true);
  });

  it('FORCE_COLOR forces it on, FORCE_COLOR=0 or false off, over NO_COLOR and the TTY', () => {
    expect(resolveColor(pipe, undefined, { FORCE_COLOR: '1' })).toBe(true);
    expect(resolveColor(pipe, undefined, { FORCE_COLOR: '' })).toBe(true);
    expect(resolveColor(pipe, undefined, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(true);
    expect(resolveColor(tty, undefined, { FORCE_COLOR: '0' })).toBe(false);
    expect(resolveColor(tty, undefined, { FORCE_COLOR: 'false' })).toBe(false);
  });

  it('the color option overrides everything', () => {
    expect(resolveColor(pipe, true, { NO_COLOR: '1', FORCE_COLOR: '0' })).toBe(true);
    expect(resolveColor(tty, false, { FORCE_COLOR: '3' })).toBe(false);
  });

  it('reads process.env by default', () => {
    vi.stubEnv('FORCE_COLOR', undefined);
    vi.stubEnv('NO_COLOR', '1');
    expect(resolveColor(tty, undefined)).toBe(false);
  });
});

describe('printers and colour', () => {
  const makers = {
    EventPrinter: (stream: FakeStream, color?: boolean) => new EventPrinter({ stream, color }),
    ParallelEventPrinter: (stream: FakeStream, color?: boolean) =>
      new ParallelEventPrinter({ mode: 'realtime', stream, color }),
  };
  for (const [name, make] of Object.entries(makers)) {
    it(`${name} writes escape codes only with colour on`, () => {
      vi.stubEnv('FORCE_COLOR', undefined);
      vi.stubEnv('NO_COLOR', undefined);
      vi.stubEnv('TERM', undefined);
      {
        const on = new FakeStream(true);
        const off = new FakeStream(false);
        const forcedOff = new FakeStream(true);
        const a = make(on);
        const b = make(off);
        const c = make(forcedOff, false);
        expect([a.color, b.color, c.color]).toEqual([true, false, false]);
        for (const [printer] of [[a], [b], [c]] as const) {
          printer.handle(record('Tool::tool_call', 'completed', { executionTimeMs: 5 }));
        }
        expect(on.text).toContain('\u001b[');
        expect(off.text).not.toContain('\u001b');
        expect(forcedOff.text).not.toContain('\u001b');
        vi.stubEnv('NO_COLOR', '1');
        expect(make(new FakeStream(true)).color).toBe(false);
        vi.stubEnv('FORCE_COLOR', '1');
        expect(make(new FakeStream(false)).color).toBe(true);
      }
    });
  }
});
