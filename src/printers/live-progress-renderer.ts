import { type GroupEvent, type LimitEvent, GROUP_END_TYPES } from '../bus/events.js';
import {
  MAX_LABEL,
  failureLines,
  failureSegments,
  fitColumns,
  progressTailCells,
  groupSummaryLine,
  progressLine,
} from './group-format.js';
import type { Palette } from './color.js';
import type { GroupTracker } from './group-tracker.js';
import { LiveArea } from './output.js';
import type { ModeRenderer, RendererContext } from './renderer.js';
import { renderSegments, truncate, visibleLength } from './format.js';
import { groupDepthOf, indent } from './tree-format.js';

/** Recent failures shown under a running group's live line. */
const LIVE_FAILURES = 3;
/** While groups run and no event comes, the frame still refreshes (elapsed time, ETA) this often. */
const HEARTBEAT_MS = 250;

/**
 * Progress mode on a TTY: one live line per running group (nested groups under their parent),
 * its latest failures under it, redrawn in place at most once per `throttleMs` from a timer, so the
 * work per event stays O(1). A group that ends leaves its final frame, its failures and its summary
 * above the lines still live. The timer is unref'd and cleared once every group has ended. While
 * groups run, a last live line shows the current limit of every run limiter that changed
 * (`⇅ Limits: openai 6 (3 changes, lowest 4)`); when the last group ends, the changes made while
 * it ran are counted under its summary. A change while no group runs gets its own line.
 */
export class LiveProgressRenderer implements ModeRenderer {
  readonly #live: LiveArea;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerDue = 0;
  #lastFrame = -Infinity;

  constructor(private readonly ctx: RendererContext) {
    this.#live = new LiveArea(ctx.output);
  }

  print(lines: readonly string[], fit = true): void {
    this.#live.print(lines, fit);
  }

  record(): void {}

  group(event: GroupEvent, tracker: GroupTracker): void {
    if (!GROUP_END_TYPES.has(event.type)) {
      this.#request();
      return;
    }
    const { palette: p, options } = this.ctx;
    const now = options.now();
    const pad = indent(groupDepthOf(tracker.groupId));
    const width = this.#width();
    const failures = failureLines(tracker, p, options.maxFailures, `${pad}  `);
    const summary = pad + groupSummaryLine(tracker, p, now);
    // A nested group is part of its parent's progress: its summary and failures only.
    const lines =
      tracker.depth > 0
        ? [summary, ...failures]
        : [
            progressLine(tracker, {
              palette: p,
              now,
              width,
              barWidth: options.barWidth,
              nameWidth: pad.length + visibleLength(truncate(tracker.label, MAX_LABEL)),
              pad,
            }),
            ...failures,
            summary,
          ];
    if (this.ctx.active.size === 0) {
      this.#stop();
      const limits = this.ctx.limits.takeWindowLine(p);
      if (limits !== undefined) lines.push(`${pad}  ${limits}`);
      this.#live.update(lines, []);
      this.#live.release();
    } else {
      this.#live.update(lines, this.#frame(now));
      this.#lastFrame = now;
    }
  }

  limit(event: LimitEvent): void {
    if (this.ctx.active.size > 0) {
      this.#request();
      return;
    }
    this.#live.print([this.ctx.limits.changeLine(event, this.ctx.palette)]);
    this.ctx.limits.clearWindow();
  }

  flush(): void {
    if (this.ctx.active.size === 0) return;
    this.#draw();
  }

  close(): void {
    this.#stop();
    this.#live.release();
  }

  /** Asks for a frame: at once if none was drawn for `throttleMs`, else when that time is up. */
  #request(): void {
    const now = this.ctx.options.now();
    const throttleMs = this.ctx.options.throttleMs;
    if (this.#timer !== undefined && now - this.#timerDue >= Math.max(throttleMs, 1)) {
      // The timer is late by a whole period: the event loop is starved (tasks that only chain
      // microtasks). Draw from here, still at most once per period.
      clearTimeout(this.#timer);
      this.#tick();
      return;
    }
    const due = Math.max(now, this.#lastFrame + throttleMs);
    if (this.#timer !== undefined) {
      if (this.#timerDue <= due) return;
      clearTimeout(this.#timer);
    }
    this.#schedule(due - now, due);
  }

  #schedule(delay: number, due: number): void {
    this.#timerDue = due;
    this.#timer = setTimeout(this.#tick, delay);
    this.#timer.unref?.();
  }

  readonly #tick = (): void => {
    this.#timer = undefined;
    try {
      if (this.ctx.active.size === 0 || this.ctx.output.broken) return;
      this.#draw();
      const every = Math.max(HEARTBEAT_MS, this.ctx.options.throttleMs);
      this.#schedule(every, this.#lastFrame + every);
    } catch {
      // A printer never throws, not even from its timer.
    }
  };

  #draw(): void {
    const now = this.ctx.options.now();
    this.#live.render(this.#frame(now));
    this.#lastFrame = now;
  }

  #stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #width(): number {
    const { options, output } = this.ctx;
    // One cell short of the terminal, so a full line never wraps and breaks the cursor arithmetic.
    return options.width ?? Math.max(1, output.columns() - 1);
  }

  /** The live lines: running groups in tree order, each with its latest failures. */
  #frame(now: number): string[] {
    const { palette: p, options, active } = this.ctx;
    const width = this.#width();
    const ids = new Set<string>();
    for (const tracker of active) ids.add(tracker.groupId);
    const children = new Map<string | undefined, GroupTracker[]>();
    for (const tracker of active) {
      const parent =
        tracker.parentGroupId !== undefined && ids.has(tracker.parentGroupId)
          ? tracker.parentGroupId
          : undefined;
      const list = children.get(parent);
      if (list) list.push(tracker);
      else children.set(parent, [tracker]);
    }
    const ordered: [GroupTracker, string][] = [];
    const visit = (parent: string | undefined): void => {
      for (const tracker of children.get(parent) ?? []) {
        ordered.push([tracker, indent(groupDepthOf(tracker.groupId))]);
        visit(tracker.groupId);
      }
    };
    visit(undefined);
    let wanted = 0;
    let tail = 0;
    let deepest = 0;
    for (const [tracker, pad] of ordered) {
      wanted = Math.max(wanted, pad.length + visibleLength(truncate(tracker.label, MAX_LABEL)));
      tail = Math.max(tail, progressTailCells(tracker, p));
      deepest = Math.max(deepest, pad.length);
    }
    // Common columns, so the bars of every group line up.
    const { nameWidth, barWidth } = fitColumns(width, wanted, options.barWidth, tail, deepest);
    // The frame never has more lines than the terminal has rows, less the cursor's: first one line
    // per group (those that do not fit are counted), then their latest failures in the room left,
    // and the current limits last when there is a row for them besides a group's.
    let budget = Math.max(1, this.ctx.output.rows() - 1);
    const limits = budget > 1 ? this.ctx.limits.currentLine(p) : undefined;
    if (limits !== undefined) budget--;
    const line = ([tracker, pad]: [GroupTracker, string]): string =>
      progressLine(tracker, { palette: p, now, width, barWidth, nameWidth, pad });
    if (ordered.length > budget) {
      const shown = budget - 1;
      const lines = ordered.slice(0, shown).map(line);
      lines.push(moreGroups(ordered.length - shown, width, p));
      if (limits !== undefined) lines.push(limits);
      return lines;
    }
    let room = budget - ordered.length;
    const lines: string[] = [];
    for (const entry of ordered) {
      lines.push(line(entry));
      const failures = this.#failureLines(entry[0], entry[1], width, room);
      room -= failures.length;
      lines.push(...failures);
    }
    if (limits !== undefined) lines.push(limits);
    return lines;
  }

  /** The latest failures of a running group, then how many more: at most `room` lines. */
  #failureLines(tracker: GroupTracker, pad: string, width: number, room: number): string[] {
    const p = this.ctx.palette;
    const failures = tracker.failures;
    let shown = Math.min(LIVE_FAILURES, this.ctx.options.maxFailures, failures.length, room);
    if (shown === 0) return [];
    let more = tracker.failed - shown;
    // No room for the count of the others: one failure less, counted with them.
    if (more > 0 && shown === room) {
      shown--;
      more++;
    }
    const lines: string[] = [];
    for (let i = failures.length - shown; i < failures.length; i++) {
      lines.push(
        renderSegments([{ text: `${pad}  ` }, ...failureSegments(failures[i]!, p)], width),
      );
    }
    if (more > 0) {
      const s = more === 1 ? '' : 's';
      const text = shown > 0 ? `… and ${more} more failure${s}` : `✖ ${more} failure${s}`;
      lines.push(renderSegments([{ text: `${pad}  ` }, { text, style: p.dim }], width));
    }
    return lines;
  }
}

/** `+3 more groups`, or `+3 more` when that does not fit. */
function moreGroups(count: number, width: number, p: Palette): string {
  const long = `+${count} more group${count === 1 ? '' : 's'}`;
  const text = visibleLength(long) <= width ? long : `+${count} more`;
  return p.dim(truncate(text, width));
}
