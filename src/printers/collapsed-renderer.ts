import { type GroupEvent, type LimitEvent, GROUP_END_TYPES } from '../bus/events.js';
import { failureLines, groupSummaryLine } from './group-format.js';
import type { GroupTracker } from './group-tracker.js';
import type { ModeRenderer, RendererContext } from './renderer.js';
import { groupDepthOf, indent } from './tree-format.js';

/**
 * Collapsed: nothing while a group runs; one line when it ends (counts, success rate, time), its
 * failures listed under it. Nested groups are indented by their depth. Changes of a run limiter
 * while groups run are counted, and the count (with the limits now) follows the last group's
 * line (`⇅ 3 limit changes · openai 6`); a change while no group runs gets its own line.
 */
export class CollapsedRenderer implements ModeRenderer {
  constructor(private readonly ctx: RendererContext) {}

  print(lines: readonly string[], fit = true): void {
    this.ctx.output.lines(lines, fit);
  }

  record(): void {}

  group(event: GroupEvent, tracker: GroupTracker): void {
    if (!GROUP_END_TYPES.has(event.type)) return;
    const { palette, options } = this.ctx;
    const pad = indent(groupDepthOf(tracker.groupId));
    const lines = [
      pad + groupSummaryLine(tracker, palette, options.now()),
      ...failureLines(tracker, palette, options.maxFailures, `${pad}  `),
    ];
    const limits = this.ctx.active.size === 0 ? this.ctx.limits.takeWindowLine(palette) : undefined;
    if (limits !== undefined) lines.push(`${pad}  ${limits}`);
    this.ctx.output.lines(lines);
  }

  limit(event: LimitEvent): void {
    if (this.ctx.active.size > 0) return; // counted, shown when the groups have ended
    this.ctx.output.lines([this.ctx.limits.changeLine(event, this.ctx.palette)]);
    this.ctx.limits.clearWindow();
  }

  flush(): void {}

  close(): void {}
}
