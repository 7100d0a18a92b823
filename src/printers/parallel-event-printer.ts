import {
  type BusEvent,
  type ExecutionRecord,
  type GroupEvent,
  GROUP_END_TYPES,
} from '../bus/events.js';
import type { ParallelDisplayMode } from '../util/enums.js';
import { type Palette, createPalette, resolveColor } from './color.js';
import { CollapsedRenderer } from './collapsed-renderer.js';
import { GroupTracker } from './group-tracker.js';
import { LiveProgressRenderer } from './live-progress-renderer.js';
import { MilestoneProgressRenderer } from './milestone-progress-renderer.js';
import { type ParallelEventPrinterOptions, resolveParallelPrinterOptions } from './options.js';
import { Output } from './output.js';
import { PendingFailures } from './pending-failures.js';
import { RealtimeRenderer } from './realtime-renderer.js';
import type { ModeRenderer, RendererContext } from './renderer.js';
import { type RunSummary, RunStats } from './run-stats.js';
import { TreeFormatter, insideBranch } from './tree-format.js';

/** What `ParallelEventPrinter.summary()` returns: the runs, plus the groups by outcome. */
export interface ParallelPrinterSummary extends RunSummary {
  groups: { total: number; completed: number; failed: number; cancelled: number; running: number };
}

/**
 * Prints parallel groups in one of three modes (`realtime`, `progress`, `collapsed`); runs outside
 * any group print as `EventPrinter` prints them. Changes of a run limiter (`kind: 'limit'`) show as
 * a line each (realtime), the current limits in the live area (progress on a TTY) or a count
 * (collapsed, progress on a pipe), and in the summary. Subscribe it like any subscriber:
 * `state.eventBus.subscribe(printer)`. `printer.groups` tracks every group from the group's own
 * events. Text goes out as `EventPrinter` writes it: control characters shown, one line per entry,
 * fitted to the terminal on a TTY. It never throws and never slows the run: each event costs O(1)
 * work, progress frames are drawn from a throttled, unref'd timer, and a stream that fails (EPIPE)
 * is no longer written to.
 */
export class ParallelEventPrinter {
  /** The display mode. */
  readonly mode: ParallelDisplayMode;
  /** Whether this printer writes colour. */
  readonly color: boolean;
  /** Every group seen, by group id, in the order they started. */
  readonly groups = new Map<string, GroupTracker>();
  readonly #active = new Set<GroupTracker>();
  readonly #output: Output;
  readonly #palette: Palette;
  readonly #tree: TreeFormatter;
  readonly #stats: RunStats;
  readonly #renderer: ModeRenderer;
  readonly #now: () => number;
  /** Realtime mode prints the runs in branches: a failed one waits to show whether it is retried. */
  readonly #pending: PendingFailures | undefined;

  constructor(options: ParallelEventPrinterOptions) {
    const resolved = resolveParallelPrinterOptions(options);
    this.mode = resolved.mode;
    this.#now = resolved.now;
    this.color = resolveColor(resolved.stream, resolved.color);
    this.#output = new Output(resolved.stream, this.color);
    this.#pending = resolved.mode === 'realtime' ? new PendingFailures() : undefined;
    this.#palette = createPalette(this.color);
    this.#tree = new TreeFormatter(this.#palette, resolved.detail);
    this.#stats = new RunStats(resolved.slowest);
    const ctx: RendererContext = {
      output: this.#output,
      palette: this.#palette,
      tree: this.#tree,
      options: resolved,
      active: this.#active,
      limits: this.#stats.limits,
    };
    this.#renderer =
      resolved.mode === 'realtime'
        ? new RealtimeRenderer(ctx)
        : resolved.mode === 'collapsed'
          ? new CollapsedRenderer(ctx)
          : this.#output.isTTY
            ? new LiveProgressRenderer(ctx)
            : new MilestoneProgressRenderer(ctx);
  }

  /** Handles one event; also usable on its own: `bus.subscribe(printer.handle)`. Never throws. */
  readonly handle = (event: BusEvent): void => {
    try {
      this.#stats.observe(event);
      if (this.#pending !== undefined) {
        const { release, hold } = this.#pending.route(event);
        for (const { record, retry } of release) this.#renderer.record(record, undefined, retry);
        if (hold) return;
      }
      switch (event.kind) {
        case 'group':
          this.#group(event);
          break;
        case 'execution':
          this.#record(event);
          break;
        case 'log':
          // Inside a branch (in a run or not), progress and collapsed show only warnings and errors.
          if (
            this.mode === 'realtime' ||
            !(event.isParallel === true || insideBranch(event.address)) ||
            event.severity === 'warning' ||
            event.severity === 'error'
          ) {
            this.#renderer.print([this.#tree.log(event)]);
          }
          break;
        case 'interrupt':
          this.#renderer.print([this.#tree.interrupt(event)]);
          break;
        case 'limit':
          this.#renderer.limit(event);
          break;
      }
    } catch {
      // A malformed event or a failing stream must never break the run being printed.
    }
  };

  /** Draws a pending progress frame now (progress mode on a TTY). Never throws. */
  flush(): void {
    try {
      this.#renderer.flush();
    } catch {
      // never throws
    }
  }

  /**
   * Prints the failures still held (realtime mode), stops the progress timer and leaves the
   * display as it is; later events still print.
   */
  close(): void {
    try {
      this.#drain();
      this.#renderer.close();
    } catch {
      // never throws
    }
  }

  /** What the printer saw: runs by outcome, retries, total time, slowest runs, groups. */
  summary(): ParallelPrinterSummary {
    const groups = { total: 0, completed: 0, failed: 0, cancelled: 0, running: 0 };
    for (const tracker of this.groups.values()) {
      groups.total++;
      if (tracker.isComplete) groups[tracker.status as 'completed' | 'failed' | 'cancelled']++;
      else groups.running++;
    }
    return { ...this.#stats.summary(), groups };
  }

  /** Writes the failures still held, then the summary: runs, groups, slowest runs. Never throws. */
  printSummary(): void {
    try {
      this.#drain();
      const g = this.summary().groups;
      const p = this.#palette;
      const parts = [`${g.total}`, p.green(`${g.completed} completed`)];
      if (g.failed > 0) parts.push(p.red(`${g.failed} failed`));
      if (g.cancelled > 0) parts.push(p.yellow(`${g.cancelled} cancelled`));
      if (g.running > 0) parts.push(`${g.running} running`);
      this.#renderer.print(
        this.#stats.format(p, [`${p.bold('Groups:')} ${parts.join(' · ')}`]),
        false,
      );
    } catch {
      // never throws
    }
  }

  #drain(): void {
    for (const { record } of this.#pending?.drain() ?? []) this.#renderer.record(record, undefined);
  }

  #group(event: GroupEvent): void {
    let tracker = this.groups.get(event.groupId);
    if (tracker === undefined || (event.type === 'started' && tracker.isComplete)) {
      tracker = new GroupTracker(event.groupId, this.#now());
      this.groups.delete(event.groupId);
      this.groups.set(event.groupId, tracker);
    }
    const failure = tracker.update(event);
    if (GROUP_END_TYPES.has(event.type)) this.#active.delete(tracker);
    else if (!tracker.isComplete) this.#active.add(tracker);
    this.#renderer.group(event, tracker, failure);
  }

  #record(record: ExecutionRecord): void {
    if (!record.isParallel) {
      this.#renderer.print([this.#tree.record(record)]);
      return;
    }
    const tracker = record.groupId === undefined ? undefined : this.groups.get(record.groupId);
    this.#renderer.record(record, tracker);
  }
}
