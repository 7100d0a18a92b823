import type { ExecutionStatus } from '../util/enums.js';
import { cellWidth } from './cell-width.js';
import type { Palette } from './color.js';

/** A piece of a line: its text and, when colour is on, how to paint it. */
export interface Segment {
  text: string;
  style?: ((text: string) => string) | undefined;
}

/** A status symbol per execution status. */
export const STATUS_SYMBOLS: Readonly<Record<ExecutionStatus, string>> = Object.freeze({
  started: '▶',
  completed: '✔',
  failed: '✖',
  retrying: '↻',
  interrupted: '⊘',
  cancelled: '⊘',
  recovered: '↺',
  awaiting: '◌',
  human_intervention: '⚑',
});

/** The colour of a status in `palette`. */
export function statusStyle(status: string, palette: Palette): (text: string) => string {
  switch (status) {
    case 'completed':
      return palette.green;
    case 'failed':
      return palette.red;
    case 'retrying':
    case 'interrupted':
    case 'cancelled':
    case 'human_intervention':
      return palette.yellow;
    case 'recovered':
      return palette.magenta;
    case 'started':
      return palette.cyan;
    default:
      return palette.dim;
  }
}

/** `<1 ms`, `120 ms`, `4.20 s`, `2m 05s`, `1h 02m`. */
/** `3 retries`, `1 retry`: a count with its noun. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1) return '<1 ms';
  if (ms < 999.5) return `${Math.round(ms)} ms`;
  if (ms < 59_995) return `${(ms / 1000).toFixed(2)} s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) {
    return `${Math.floor(totalSeconds / 60)}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  }
  const totalMinutes = Math.floor(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)}h ${String(totalMinutes % 60).padStart(2, '0')}m`;
}

/** A rate per second, e.g. `7.1/s`, `120/s`. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '0/s';
  return perSecond >= 100 ? `${Math.round(perSecond)}/s` : `${perSecond.toFixed(1)}/s`;
}

/** A percentage with one decimal when it is not whole: `55%`, `92.5%`. */
export function formatPercent(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return Number.isInteger(rounded) ? `${rounded}%` : `${rounded.toFixed(1)}%`;
}

/** A bar of `width` cells, `fraction` (0..1) of them filled. */
export function formatBar(fraction: number, width: number): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.floor(clamped * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

/** The number of terminal cells a string takes once written (see `cellWidth`). */
export function visibleLength(text: string): number {
  let n = 0;
  for (const char of text) n += cellWidth(char.codePointAt(0) as number);
  return n;
}

/** The longest start of `text` that takes at most `width` cells. */
function fitted(text: string, width: number): string {
  let used = 0;
  let end = 0;
  for (const char of text) {
    const cells = cellWidth(char.codePointAt(0) as number);
    if (used + cells > width) break;
    used += cells;
    end += char.length;
  }
  return text.slice(0, end);
}

/** Cuts `text` to `width` cells, ending with `…` when it was longer. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (visibleLength(text) <= width) return text;
  return `${fitted(text, width - 1)}…`;
}

/** Joins segments into a line of at most `width` cells, painting each kept piece. */
export function renderSegments(segments: readonly Segment[], width = Infinity): string {
  let total = 0;
  for (const segment of segments) total += visibleLength(segment.text);
  const paint = (segment: Segment, text: string): string =>
    segment.style && text ? segment.style(text) : text;
  if (total <= width) return segments.map((segment) => paint(segment, segment.text)).join('');
  let room = Math.max(0, width - 1);
  let out = '';
  for (const segment of segments) {
    if (room <= 0) break;
    const kept = fitted(segment.text, room);
    room -= visibleLength(kept);
    out += paint(segment, kept);
    if (kept.length < segment.text.length) break;
  }
  return width >= 1 ? `${out}…` : '';
}
