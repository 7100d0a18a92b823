import {
  type ExecutionRecord,
  type InterruptEvent,
  type LogEvent,
  RUN_END_STATUSES,
} from '../bus/events.js';
import type { Palette } from './color.js';
import { STATUS_SYMBOLS, formatDuration, statusStyle } from './format.js';
import { safeText, shortJson } from './short-json.js';

const INDENT = '  ';
const BRANCH = /\[\d+\]$/;
const IN_BRANCH = /\[\d+\](::|$)/;
const DETAIL_MAX = 80;

/** Depth of a run in the tree: one per `::` segment above its own (branches like `Docs[3]` count). */
export function depthOf(address: string): number {
  let count = 0;
  let at = address.indexOf('::');
  while (at !== -1) {
    count++;
    at = address.indexOf('::', at + 2);
  }
  return Math.max(0, count - 1);
}

/** Depth of a group's header: the number of `::` in its id (its runs sit one level deeper). */
export function groupDepthOf(groupId: string): number {
  return depthOf(`${groupId}::x`);
}

/** The branch segment (`Docs[3]`) a run sits directly in, if any. */
export function branchSegment(address: string): string | undefined {
  const segments = address.split('::');
  const parent = segments[segments.length - 3];
  return parent !== undefined && BRANCH.test(parent) ? parent : undefined;
}

/** Whether an address lies inside a parallel branch. */
export function insideBranch(address: string | undefined): boolean {
  return address !== undefined && IN_BRANCH.test(address);
}

export function indent(depth: number): string {
  return INDENT.repeat(Math.max(0, depth));
}

/** Formats execution records, logs and interrupts as lines of a tree. */
export class TreeFormatter {
  constructor(
    readonly palette: Palette,
    private readonly detail: boolean,
  ) {}

  /**
   * One line for a record, indented by its depth; `branch` labels a run that sits directly in a
   * parallel branch (`[3]` or `Docs[3]`). With `retry`, a failed record whose group runs its task
   * again shows as retrying, with the attempt that comes next; a run started again by its group
   * (`retryAttempt` above 1 on `started`) says which attempt it is.
   */
  record(record: ExecutionRecord, branch = branchSegment(record.address), retry?: number): string {
    const p = this.palette;
    const status = retry === undefined ? record.status : 'retrying';
    const style = statusStyle(status, p);
    const symbol = STATUS_SYMBOLS[status] ?? '•';
    let line = `${indent(depthOf(record.address))}${style(symbol)} `;
    if (branch !== undefined) line += `${p.dim(branch)} `;
    line += `${p.bold(safeText(record.actor?.name ?? '?'))} ${p.dim(safeText(record.actor?.eventType ?? ''))} ${style(safeText(status))}`;
    if (record.tag !== undefined) line += ` ${p.dim(`(${safeText(record.tag)})`)}`;
    if (status === 'started' && record.retryAttempt > 1) {
      line += ` ${p.dim(`(attempt ${record.retryAttempt})`)}`;
    }
    if (RUN_END_STATUSES.has(status) && record.executionTimeMs !== undefined) {
      line += ` ${p.dim(formatDuration(record.executionTimeMs))}`;
    }
    if (retry !== undefined) {
      line += `: ${style(`${safeText(record.message ?? 'failed')}; the group retries (attempt ${retry})`)}`;
    } else if (record.message !== undefined && status !== 'completed') {
      line += `: ${style(safeText(record.message))}`;
    }
    if (this.detail && record.detail !== undefined) {
      line += ` ${p.dim(`→ ${shortJson(record.detail, DETAIL_MAX)}`)}`;
    }
    return line;
  }

  /**
   * A log line, one level under the run that logged it; a log from a branch outside any run (a
   * plain-function task) sits at the level of the branch's runs, labelled with its branch.
   */
  log(event: LogEvent): string {
    const p = this.palette;
    let depth = 0;
    let branch = '';
    if (event.address !== undefined) {
      depth = depthOf(event.address) + 1;
    } else if (event.groupId !== undefined && event.parallelIndex !== undefined) {
      depth = groupDepthOf(event.groupId) + 1;
      const at = event.groupId.lastIndexOf('::');
      const own = at === -1 ? event.groupId : event.groupId.slice(at + 2);
      branch = `${p.dim(`${own}[${event.parallelIndex}]`)} `;
    }
    const style =
      event.severity === 'error'
        ? p.red
        : event.severity === 'warning'
          ? p.yellow
          : event.severity === 'debug'
            ? p.dim
            : p.blue;
    let line = `${indent(depth)}${style('•')} ${branch}${style(`[${safeText(event.severity)}]`)} ${safeText(event.message)}`;
    if (hasContent(event.metadata)) line += ` ${p.dim(shortJson(event.metadata, DETAIL_MAX))}`;
    return line;
  }

  interrupt(event: InterruptEvent): string {
    const p = this.palette;
    return `${p.yellow('⊘')} ${p.bold(p.yellow('Interrupted'))} ${p.dim(`(${safeText(event.source)})`)}: ${safeText(event.reason)}`;
  }
}

/** Whether metadata has something to show: not undefined, null or an empty object. */
function hasContent(metadata: unknown): boolean {
  if (metadata === undefined || metadata === null) return false;
  try {
    return typeof metadata !== 'object' || Object.keys(metadata).length > 0;
  } catch {
    return true; // a revoked proxy: shown as unreadable
  }
}
