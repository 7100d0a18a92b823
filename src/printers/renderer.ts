import type { ExecutionRecord, GroupEvent, LimitEvent } from '../bus/events.js';
import type { Palette } from './color.js';
import type { GroupTracker, TaskFailure } from './group-tracker.js';
import type { LimitTracker } from './limit-tracker.js';
import type { ResolvedParallelPrinterOptions } from './options.js';
import type { Output } from './output.js';
import type { TreeFormatter } from './tree-format.js';

/** What a display mode gets from the printer. */
export interface RendererContext {
  readonly output: Output;
  readonly palette: Palette;
  readonly tree: TreeFormatter;
  readonly options: ResolvedParallelPrinterOptions;
  /** Groups that started and have not ended, in the order they started. */
  readonly active: ReadonlySet<GroupTracker>;
  /** The run limiters seen so far (the event being handled already counted). */
  readonly limits: LimitTracker;
}

/**
 * One display mode of `ParallelEventPrinter` (realtime, progress, collapsed). The printer updates
 * the trackers first, then hands the event to its mode. Every method is synchronous and cheap.
 */
export interface ModeRenderer {
  /**
   * Lines about something outside any group (a run, a log, an interrupt), fitted to the width on a
   * TTY unless `fit` is false (the summary).
   */
  print(lines: readonly string[], fit?: boolean): void;
  /**
   * A run inside a group's branch; `tracker` is its innermost group, when known; `retry`, for a
   * failed run its group runs again, the attempt that comes next.
   */
  record(record: ExecutionRecord, tracker: GroupTracker | undefined, retry?: number): void;
  /** A group event, after `tracker` applied it; `failure` is the task failure it recorded. */
  group(event: GroupEvent, tracker: GroupTracker, failure: TaskFailure | undefined): void;
  /** A run limiter changed its concurrency, after `ctx.limits` counted it. */
  limit(event: LimitEvent): void;
  /** Writes a pending frame now. */
  flush(): void;
  /** Stops any timer; the display stays as it is. */
  close(): void;
}
