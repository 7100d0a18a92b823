import { type GroupEvent, type LimitEvent, GROUP_END_TYPES } from '../bus/events.js';
import {
  MAX_LABEL,
  failureLine,
  failureLines,
  groupIntro,
  groupSummaryLine,
  progressLine,
} from './group-format.js';
import type { GroupTracker, TaskFailure } from './group-tracker.js';
import type { ModeRenderer, RendererContext } from './renderer.js';
import { truncate, visibleLength } from './format.js';
import { groupDepthOf, indent } from './tree-format.js';

/** Quarters of a group at which a progress line is written (100% is the final frame). */
const MILESTONES = 4;

/**
 * Progress mode on a stream that is not a TTY (a pipe, a file, a CI log): no cursor movement and a
 * bounded number of lines per group, however many tasks it has: a start line, a progress line at
 * 25%, 50% and 75%, its first failures as they happen (`maxFailures`), then the final frame and the
 * summary. Changes of a run limiter while groups run are counted, and the count with the limits
 * now (`⇅ 3 limit changes · openai 6`) follows the next progress line, or the summary of the last
 * group; a change while no group runs gets its own line.
 */
export class MilestoneProgressRenderer implements ModeRenderer {
  /** The last milestone written, per running group. */
  readonly #milestones = new Map<string, number>();

  constructor(private readonly ctx: RendererContext) {}

  print(lines: readonly string[], fit = true): void {
    this.ctx.output.lines(lines, fit);
  }

  #emit(line: string): void {
    this.ctx.output.lines([line]);
  }

  record(): void {}

  group(event: GroupEvent, tracker: GroupTracker, failure: TaskFailure | undefined): void {
    const { palette: p, options } = this.ctx;
    const pad = indent(groupDepthOf(tracker.groupId));
    const nested = tracker.depth > 0;
    if (event.type === 'started') {
      this.#milestones.set(tracker.groupId, 0);
      if (nested) return;
      this.#emit(`${pad}${p.cyan('▶')} ${p.bold(tracker.label)}: ${groupIntro(tracker)}`);
      return;
    }
    if (GROUP_END_TYPES.has(event.type)) {
      this.#milestones.delete(tracker.groupId);
      const summary = pad + groupSummaryLine(tracker, p, options.now());
      if (nested) {
        // A nested group is part of its parent's progress: its summary and failures only.
        const lines = [summary, ...failureLines(tracker, p, options.maxFailures, `${pad}  `)];
        this.#limitsTo(lines, pad);
        this.ctx.output.lines(lines);
        return;
      }
      const lines = [this.#line(tracker, pad)];
      const more = tracker.failed - Math.min(tracker.failures.length, options.maxFailures);
      if (more > 0)
        lines.push(`${pad}  ${p.dim(`… and ${more} more failure${more === 1 ? '' : 's'}`)}`);
      lines.push(summary);
      this.#limitsTo(lines, pad);
      this.ctx.output.lines(lines);
      return;
    }
    if (nested) return;
    if (event.type !== 'task') return;
    if (
      failure !== undefined &&
      tracker.failures.length <= options.maxFailures &&
      tracker.failures.at(-1) === failure
    ) {
      this.#emit(`${pad}  ${failureLine(failure, p)}`);
    }
    if (tracker.total === 0) return;
    const reached = Math.floor((tracker.settled / tracker.total) * MILESTONES);
    const last = this.#milestones.get(tracker.groupId) ?? 0;
    if (reached > last && reached < MILESTONES) {
      this.#milestones.set(tracker.groupId, reached);
      const lines = [this.#line(tracker, pad)];
      const limits = this.ctx.limits.takeWindowLine(p);
      if (limits !== undefined) lines.push(`${pad}  ${limits}`);
      this.ctx.output.lines(lines);
    }
  }

  /** After a group's end: the limit changes not shown yet, once no group runs. */
  #limitsTo(lines: string[], pad: string): void {
    if (this.ctx.active.size > 0) return;
    const limits = this.ctx.limits.takeWindowLine(this.ctx.palette);
    if (limits !== undefined) lines.push(`${pad}  ${limits}`);
  }

  limit(event: LimitEvent): void {
    if (this.ctx.active.size > 0) return; // counted, shown with the next progress line
    this.#emit(this.ctx.limits.changeLine(event, this.ctx.palette));
    this.ctx.limits.clearWindow();
  }

  #line(tracker: GroupTracker, pad: string): string {
    const { palette, options } = this.ctx;
    return progressLine(tracker, {
      palette,
      now: options.now(),
      // A pipe has no width to fit; 120 cells leave room for every part of the line.
      width: options.width ?? this.ctx.output.columns(120),
      barWidth: options.barWidth,
      nameWidth: pad.length + visibleLength(truncate(tracker.label, MAX_LABEL)),
      pad,
    });
  }

  flush(): void {}

  close(): void {}
}
