import type { ExecutionStatus } from '../util/enums.js';
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

/** The number of terminal cells a plain string takes (one per code point). */
export function visibleLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Cuts `text` to `width` cells, ending with `…` when it was longer. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  if (chars.length <= width) return text;
  return `${chars.slice(0, width - 1).join('')}…`;
}

/** One line, its first line only, without control characters. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.split(/\r?\n/, 1)[0]!.replace(/[\u0000-\u001f\u007f]/g, ' ');
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
    const chars = [...segment.text];
    const kept = chars.slice(0, room).join('');
    room -= Math.min(room, chars.length);
    out += paint(segment, kept);
  }
  return width >= 1 ? `${out}…` : '';
}

/** Compact JSON for a log's metadata or a run's detail, cut to `max` cells. */
export function shortJson(value: unknown, max: number): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return truncate(oneLine(text), max);
}
