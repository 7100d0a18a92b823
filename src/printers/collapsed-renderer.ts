import type { GroupEvent } from '../bus/events.js';
import { failureLines, groupSummaryLine } from './group-format.js';
import type { GroupTracker } from './group-tracker.js';
import type { ModeRenderer, RendererContext } from './renderer.js';
import { groupDepthOf, indent } from './tree-format.js';

const ENDS = new Set<GroupEvent['type']>(['completed', 'failed', 'cancelled']);

/**
 * Collapsed: nothing while a group runs; one line when it ends (counts, success rate, time), its
 * failures listed under it. Nested groups are indented by their depth.
 */
export class CollapsedRenderer implements ModeRenderer {
  constructor(private readonly ctx: RendererContext) {}

  print(lines: readonly string[], fit = true): void {
    this.ctx.output.lines(lines, fit);
  }

  record(): void {}

  group(event: GroupEvent, tracker: GroupTracker): void {
    if (!ENDS.has(event.type)) return;
    const { palette, options } = this.ctx;
    const pad = indent(groupDepthOf(tracker.groupId));
    this.ctx.output.lines([
      pad + groupSummaryLine(tracker, palette, options.now()),
      ...failureLines(tracker, palette, options.maxFailures, `${pad}  `),
    ]);
  }

  flush(): void {}

  close(): void {}
}
