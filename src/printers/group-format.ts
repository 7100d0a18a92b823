import type { Palette } from './color.js';
import {
  type Segment,
  formatBar,
  formatDuration,
  formatPercent,
  formatRate,
  renderSegments,
  truncate,
  visibleLength,
} from './format.js';
import type { GroupTracker, TaskFailure } from './group-tracker.js';
import { safeText } from './short-json.js';

/** Longest group name a progress line shows before cutting it with `…`. */
export const MAX_LABEL = 24;

const GROUP_SYMBOLS = { completed: '✔', failed: '✖', cancelled: '⊘' } as const;

/** The group's time: its duration once ended, else the time since the printer saw it start. */
export function elapsedOf(tracker: GroupTracker, now: number): number {
  return tracker.durationMs ?? Math.max(0, now - tracker.startedAt);
}

/** `40 tasks, 6 at a time`. */
export function groupIntro(tracker: GroupTracker): string {
  const tasks = `${tracker.total} task${tracker.total === 1 ? '' : 's'}`;
  return Number.isFinite(tracker.maxWorkers) && tracker.maxWorkers > 0
    ? `${tasks}, ${tracker.maxWorkers} at a time`
    : `${tasks}, all at once`;
}

/** `[7] fetch-7` or `[7]`. */
export function taskLabel(index: number, name: string | undefined): string {
  return name === undefined ? `[${index}]` : `[${index}] ${name}`;
}

/** `✖ [7] fetch-7: Timeout after 200 ms`, as segments to fit. */
export function failureSegments(failure: TaskFailure, palette: Palette): Segment[] {
  return [
    { text: '✖', style: palette.red },
    { text: ' ' },
    { text: taskLabel(failure.index, failure.name), style: palette.dim },
    { text: ': ' },
    { text: safeText(failure.message), style: palette.red },
  ];
}

/** `✖ [7] fetch-7: Timeout after 200 ms`. */
export function failureLine(failure: TaskFailure, palette: Palette): string {
  return renderSegments(failureSegments(failure, palette));
}

/** The lines listing a group's failures, at most `max`, then how many more there were. */
export function failureLines(
  tracker: GroupTracker,
  palette: Palette,
  max: number,
  pad: string,
): string[] {
  const lines: string[] = [];
  const shown = Math.min(max, tracker.failures.length);
  for (let i = 0; i < shown; i++)
    lines.push(pad + failureLine(tracker.failures[i] as TaskFailure, palette));
  const more = tracker.failed - shown;
  if (more > 0) lines.push(pad + palette.dim(`… and ${more} more failure${more === 1 ? '' : 's'}`));
  return lines;
}

/**
 * One line for a group that ended: `✔ Documents: 40 tasks · 37 completed · 3 failed · 92.5% success · 4.20 s`.
 */
export function groupSummaryLine(tracker: GroupTracker, palette: Palette, now: number): string {
  const p = palette;
  const status = tracker.isComplete ? (tracker.status as keyof typeof GROUP_SYMBOLS) : 'completed';
  const style =
    status === 'failed'
      ? p.red
      : status === 'cancelled'
        ? p.yellow
        : tracker.failed > 0
          ? p.yellow
          : p.green;
  const parts = [
    `${tracker.total} task${tracker.total === 1 ? '' : 's'}`,
    p.green(`${tracker.completed} completed`),
  ];
  if (tracker.failed > 0) parts.push(p.red(`${tracker.failed} failed`));
  if (tracker.cancelled > 0) parts.push(p.yellow(`${tracker.cancelled} cancelled`));
  if (tracker.retried > 0) parts.push(`${tracker.retried} retried`);
  if (tracker.settled > 0) parts.push(`${formatPercent(tracker.successRate * 100)} success`);
  parts.push(formatDuration(elapsedOf(tracker, now)));
  let line = `${style(GROUP_SYMBOLS[status])} ${p.bold(tracker.label)}: ${parts.join(' · ')}`;
  if (status !== 'completed') {
    line += ` ${style(`(${status}${tracker.message ? `: ${safeText(tracker.message)}` : ''})`)}`;
  }
  return line;
}

export interface ProgressLineOptions {
  palette: Palette;
  now: number;
  /** The widest the line may be, in cells. */
  width: number;
  barWidth: number;
  /** Cells the (indented) name column takes, so bars of several groups line up. */
  nameWidth: number;
  /** Leading spaces (nesting). */
  pad: string;
}

const MIN_BAR = 5;
const MIN_NAME = 6;

function cells(segments: readonly Segment[]): number {
  let n = 0;
  for (const segment of segments) n += visibleLength(segment.text);
  return n;
}

/** The counts part of a progress line: `  22/40   55%  ✔ 20 ✖ 2`. */
export function progressTail(tracker: GroupTracker, p: Palette): Segment[] {
  const settled = tracker.settled;
  const total = Math.max(tracker.total, settled);
  const fraction = total === 0 ? (tracker.isComplete ? 1 : 0) : settled / total;
  const tail: Segment[] = [
    { text: ` ${String(settled).padStart(String(total).length)}/${total} ` },
    { text: formatPercent(fraction * 100).padStart(5) },
    { text: '  ' },
    { text: `✔ ${tracker.completed}`, style: p.green },
  ];
  if (tracker.failed > 0) tail.push({ text: ' ' }, { text: `✖ ${tracker.failed}`, style: p.red });
  if (tracker.cancelled > 0)
    tail.push({ text: ' ' }, { text: `⊘ ${tracker.cancelled}`, style: p.yellow });
  if (tracker.breakerState === 'open' || tracker.breakerState === 'half_open') {
    tail.push(
      { text: '  ' },
      { text: `breaker ${tracker.breakerState.replace('_', '-')}`, style: p.yellow },
    );
  }
  return tail;
}

/** Cells of a tracker's progress tail. */
export function progressTailCells(tracker: GroupTracker, p: Palette): number {
  return cells(progressTail(tracker, p));
}

/**
 * Column widths that fit `width`: the bar shrinks first (down to 5 cells), then the name column
 * (down to 6 cells after `minName`).
 */
export function fitColumns(
  width: number,
  nameWidth: number,
  barWidth: number,
  tailCells: number,
  minName: number,
): { nameWidth: number; barWidth: number } {
  let bar = barWidth;
  let name = nameWidth;
  const over = (): number => name + 1 + bar + tailCells - width;
  if (over() > 0) bar = Math.max(MIN_BAR, bar - over());
  if (over() > 0) name = Math.max(minName + MIN_NAME, name - over());
  return { nameWidth: name, barWidth: bar };
}

/**
 * `Documents  ███████████░░░░░░░░░  22/40   55%  ✔ 20 ✖ 2  3.10 s  7.1/s  ETA 2.54 s`, fitted to
 * `width`: the bar shrinks, then the name; the least useful parts go (ETA, throughput, elapsed
 * time) when the bar would be shorter than `barWidth`; what still does not fit is cut with `…`.
 */
export function progressLine(tracker: GroupTracker, o: ProgressLineOptions): string {
  const p = o.palette;
  const elapsed = elapsedOf(tracker, o.now);
  const settled = tracker.settled;
  const total = Math.max(tracker.total, settled);
  const fraction = total === 0 ? (tracker.isComplete ? 1 : 0) : settled / total;
  const tail = progressTail(tracker, p);
  const optional: Segment[] = [{ text: `  ${formatDuration(elapsed)}`, style: p.dim }];
  const seconds = elapsed / 1000;
  if (seconds > 0 && settled > 0)
    optional.push({ text: `  ${formatRate(settled / seconds)}`, style: p.dim });
  if (!tracker.isComplete && total > settled) {
    const eta =
      settled > 0 && seconds > 0 ? formatDuration(((total - settled) / settled) * elapsed) : '?';
    optional.push({ text: `  ETA ${eta}`, style: p.dim });
  }
  const pad = o.pad.length;
  if (o.width < pad + MIN_NAME + 1 + MIN_BAR + cells(tail)) return compactLine(tracker, o);
  const wanted = Math.max(o.nameWidth, pad + visibleLength(truncate(tracker.label, MAX_LABEL)));
  const { nameWidth, barWidth } = fitColumns(o.width, wanted, o.barWidth, cells(tail), pad);
  while (
    optional.length > 0 &&
    nameWidth + 1 + barWidth + cells(tail) + cells(optional) > o.width
  ) {
    optional.pop();
  }
  const label = truncate(tracker.label, Math.min(MAX_LABEL, nameWidth - pad));
  return renderSegments(
    [
      { text: o.pad },
      { text: label, style: p.bold },
      { text: ' '.repeat(Math.max(0, nameWidth - pad - visibleLength(label)) + 1) },
      { text: formatBar(fraction, barWidth), style: tracker.failed > 0 ? p.yellow : p.green },
      ...tail,
      ...optional,
    ],
    o.width,
  );
}

/**
 * A progress line for a terminal too narrow for a bar: `Docs… 22/40 ✖ 2`, the failures dropped
 * first, then the name cut.
 */
function compactLine(tracker: GroupTracker, o: ProgressLineOptions): string {
  const p = o.palette;
  const counts: Segment[] = [
    { text: ` ${tracker.settled}/${Math.max(tracker.total, tracker.settled)}` },
  ];
  if (tracker.failed > 0) counts.push({ text: ` ✖ ${tracker.failed}`, style: p.red });
  const room = (): number => o.width - o.pad.length - cells(counts);
  if (counts.length > 1 && room() < MIN_NAME) counts.pop();
  const label = truncate(tracker.label, Math.max(1, Math.min(MAX_LABEL, room())));
  return renderSegments([{ text: o.pad }, { text: label, style: p.bold }, ...counts], o.width);
}
