import {
  type ExecutionRecord,
  type GroupEvent,
  type LimitEvent,
  GROUP_END_TYPES,
} from '../bus/events.js';
import { groupIntro, groupSummaryLine, taskLabel } from './group-format.js';
import type { GroupTracker, TaskFailure } from './group-tracker.js';
import { formatDuration } from './format.js';
import { safeText } from './short-json.js';
import type { ModeRenderer, RendererContext } from './renderer.js';
import { branchSegment, depthOf, groupDepthOf, indent } from './tree-format.js';

/**
 * Realtime: every run of a group as it happens, indented under a group header, with its branch
 * index (`[3]`, or `Docs[3]` while several groups run); a task line for a branch that published no
 * run of its own (a plain function) or that failed without a failed run; a summary line at the end;
 * a line for every change of a run limiter.
 */
export class RealtimeRenderer implements ModeRenderer {
  /** Per running group: the last status of each branch that published runs. */
  readonly #branches = new Map<string, Map<number, string>>();
  /** Running groups per depth of the tree. */
  readonly #perDepth = new Map<number, number>();

  constructor(private readonly ctx: RendererContext) {}

  print(lines: readonly string[], fit = true): void {
    this.ctx.output.lines(lines, fit);
  }

  #emit(line: string): void {
    this.ctx.output.lines([line]);
  }

  record(record: ExecutionRecord, _tracker?: GroupTracker, retry?: number): void {
    const segment = branchSegment(record.address);
    let label: string | undefined;
    if (segment !== undefined) {
      const index = segment.slice(segment.lastIndexOf('['));
      label = this.#ambiguous(depthOf(record.address) - 1)
        ? record.address.slice(0, record.address.indexOf(`${segment}::`) + segment.length)
        : index;
      if (record.groupId !== undefined && record.parallelIndex !== undefined) {
        this.#branches.get(record.groupId)?.set(record.parallelIndex, record.status);
      }
    }
    this.ctx.output.lines([this.ctx.tree.record(record, label, retry)]);
  }

  /**
   * `[3]` names a branch well enough unless another group runs at the same depth of the tree;
   * then the branch's full path does (`Outer[2]::Inner[3]`).
   */
  #ambiguous(depth: number): boolean {
    return (this.#perDepth.get(depth) ?? 0) > 1;
  }

  group(event: GroupEvent, tracker: GroupTracker, failure: TaskFailure | undefined): void {
    const p = this.ctx.palette;
    const depth = groupDepthOf(tracker.groupId);
    const pad = indent(depth);
    const inner = `${pad}  `;
    if (event.type === 'started') {
      this.#branches.set(tracker.groupId, new Map());
      this.#perDepth.set(depth, (this.#perDepth.get(depth) ?? 0) + 1);
      this.#emit(`${pad}${p.cyan('┌')} ${p.bold(tracker.label)}: ${p.dim(groupIntro(tracker))}`);
    } else if (event.type === 'updated') {
      this.#emit(`${inner}${p.dim(`+ ${tracker.label}: ${tracker.total} tasks in all`)}`);
    } else if (event.type === 'breaker') {
      this.#emit(
        `${inner}${p.yellow(`⚡ ${tracker.label}: circuit breaker ${event.breakerState ?? '?'}`)}`,
      );
    } else if (event.type === 'task') {
      this.#task(event, failure, inner);
    } else if (GROUP_END_TYPES.has(event.type)) {
      if (this.#branches.delete(tracker.groupId)) {
        this.#perDepth.set(depth, (this.#perDepth.get(depth) ?? 1) - 1);
      }
      this.#emit(`${pad}${p.cyan('└')} ${groupSummaryLine(tracker, p, this.ctx.options.now())}`);
    }
  }

  #task(event: GroupEvent, failure: TaskFailure | undefined, pad: string): void {
    const p = this.ctx.palette;
    const index = event.index ?? -1;
    const last = this.#branches.get(event.groupId)?.get(index);
    // A branch whose runs were printed needs no task line, unless it failed without a failed run.
    if (last !== undefined && (failure === undefined || last === 'failed')) return;
    const where = this.#ambiguous(groupDepthOf(event.groupId)) ? event.groupId : '';
    const label = p.dim(where + taskLabel(index, event.taskName));
    const time = p.dim(formatDuration(event.taskDurationMs));
    if (failure !== undefined) {
      this.#emit(
        `${pad}${p.red('✖')} ${label} ${p.red('failed')} ${time}: ${p.red(safeText(failure.message))}`,
      );
    } else if (event.outcome === 'cancelled') {
      const why = event.message === undefined ? '' : `: ${p.yellow(safeText(event.message))}`;
      this.#emit(`${pad}${p.yellow('⊘')} ${label} ${p.yellow('cancelled')} ${time}${why}`);
    } else {
      this.#emit(`${pad}${p.green('✔')} ${label} ${p.green('completed')} ${time}`);
    }
  }

  /** Every change, as it happens: `⇅ limiter openai: 8 → 6 (rate limited (429))`. */
  limit(event: LimitEvent): void {
    this.#emit(this.ctx.limits.changeLine(event, this.ctx.palette));
  }

  flush(): void {}

  close(): void {}
}
