import { describe, expect, it } from 'vitest';
import { createPalette } from '../../src/printers/color.js';
import { toTerminal } from '../../src/printers/terminal-text.js';

describe('toTerminal: the one place text becomes terminal output', () => {
  const p = createPalette(true);

  it('shows every control character, in one documented form', () => {
    expect(toTerminal('\u0000\u0007\b\t\n\u000b\f\r\u001b\u007f', false)).toBe('␀␇␈␉⏎␋␌␍␛␡');
    expect(
      toTerminal('\u0085\u009b\u061c\u200e\u200f\u2028\u2029\u202a\u202e\u2066\u2069', false),
    ).toBe('\\u0085\\u009b\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a\\u202e\\u2066\\u2069');
    expect(toTerminal('plain ✔ 文档 e\u0301', false)).toBe('plain ✔ 文档 e\u0301');
  });

  it('turns style markers into SGR codes only when colour is on', () => {
    expect(toTerminal(p.red('x'), true)).toBe('\u001b[31mx\u001b[39m');
    expect(toTerminal(p.bold(p.dim('x') + 'y'), true)).toBe(
      '\u001b[1m\u001b[2mx\u001b[22m\u001b[1my\u001b[22m',
    );
    // A noncharacter in text, with colour off (no styles were written), is shown.
    expect(toTerminal('a\ufdd4b', false)).toBe('a\\ufdd4b');
    // One no style uses is shown even with colour on.
    expect(toTerminal('a\ufdefb', true)).toBe('a\\ufdefb');
  });

  it('cuts to a width in cells, wide characters and escapes included, and resets the style', () => {
    expect(toTerminal('abcdef', false, 4)).toBe('abc…');
    expect(toTerminal('abcd', false, 4)).toBe('abcd');
    expect(toTerminal('文档处理', false, 5)).toBe('文档…');
    expect(toTerminal('a\u202eb', false, 8)).toBe('a\\u202eb');
    expect(toTerminal('a\u202eb', false, 7)).toBe('a…');
    expect(toTerminal(p.red('abcdef'), true, 4)).toBe('\u001b[31mabc…\u001b[0m');
    expect(toTerminal('abc', false, 0)).toBe('');
  });
});
