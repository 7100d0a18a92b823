import { cellWidth, isControl, isStyleMarker, shownControl } from './cell-width.js';
import { sgrOf } from './color.js';

/* eslint-disable no-control-regex -- finding control characters is the point */
const SPECIAL =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufdd0-\ufdef]/;
/* eslint-enable no-control-regex */

const RESET = '\u001b[0m';

/**
 * What a special character becomes on the terminal: a style marker its SGR code (colour on), a
 * control character (or a marker the printer did not write) as `shownControl` shows it.
 */
function withColor(char: string): string {
  const codePoint = char.charCodeAt(0);
  return (isStyleMarker(codePoint) ? sgrOf(codePoint) : undefined) ?? shownControl(codePoint);
}

function withoutColor(char: string): string {
  return shownControl(char.charCodeAt(0));
}

/**
 * One line as the terminal gets it: the one place every printer's text goes through on its way
 * out. Every control character is shown instead of obeyed (see `shownControl`: `␛`, `⏎`, `␍`,
 * `\u202e`, …), so a name or a message can neither move the cursor, clear the screen, set the
 * window title nor reorder the text, and an entry stays one line. The printer's style markers
 * become SGR codes when colour is on. A line wider than `width` cells is cut with `…`, and any
 * style it opened is reset.
 */
export function toTerminal(line: string, color: boolean, width = Infinity): string {
  if (width === Infinity && !SPECIAL.test(line)) return line;
  // One pass: replace what is special, count the cells; cut (below) only when too wide.
  let out = '';
  let from = 0;
  let cells = 0;
  for (let i = 0; i < line.length; i++) {
    const unit = line.charCodeAt(i);
    if (unit >= 0x20 && unit < 0x7f) {
      cells++;
      continue;
    }
    const codePoint = line.codePointAt(i) as number;
    const size = codePoint > 0xffff ? 2 : 1;
    if (isControl(codePoint) || isStyleMarker(codePoint)) {
      const sgr = color && isStyleMarker(codePoint) ? sgrOf(codePoint) : undefined;
      const text = sgr ?? shownControl(codePoint);
      if (sgr === undefined) cells += text.length;
      out += line.slice(from, i) + text;
      from = i + size;
    } else {
      cells += cellWidth(codePoint);
    }
    i += size - 1;
  }
  if (cells > width) return cut(line, color, width);
  return from === 0 ? line : out + line.slice(from);
}

/** `line` cut to `width - 1` cells and `…`, its styles reset. */
function cut(line: string, color: boolean, width: number): string {
  const room = Math.max(0, width - 1);
  let out = '';
  let used = 0;
  let styled = false;
  for (const char of line) {
    const codePoint = char.codePointAt(0) as number;
    const special = isControl(codePoint) || isStyleMarker(codePoint);
    const text = !special ? char : color ? withColor(char) : withoutColor(char);
    if (text.startsWith('\u001b')) {
      out += text;
      styled = true;
      continue;
    }
    const cells = special ? text.length : cellWidth(codePoint);
    if (used + cells > room) break;
    out += text;
    used += cells;
  }
  return `${out}${width >= 1 ? '…' : ''}${styled ? RESET : ''}`;
}
