/** Text for the terminal: what comes from a store of states is shown, never obeyed. */

/* eslint-disable no-control-regex -- finding control characters is the point */
const SPECIAL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */

/**
 * `text` with every control or bidirectional-override character written as a `\uXXXX` escape, so
 * a pipeline name, a tag or a path can neither move the cursor, clear the screen, set the window
 * title, break a line nor reorder the text.
 */
export function visible(text: string): string {
  return text.replace(SPECIAL, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The width of `text` in terminal cells, counted as one per code point. */
export function cells(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** `text` cut to `width` cells, ending with `…` when it was longer. */
export function fit(text: string, width: number): string {
  if (cells(text) <= width) return text;
  const kept = [...text].slice(0, Math.max(0, width - 1)).join('');
  return `${kept}…`;
}

/** `text` padded with spaces to `width` cells. */
export function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - cells(text)));
}

const two = (n: number): string => String(n).padStart(2, '0');

/** An epoch-milliseconds time as local `YYYY-MM-DD HH:MM:SS`, or `?` when it is not a time. */
export function formatTime(ms: unknown): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '?';
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '?';
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
