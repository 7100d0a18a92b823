import type { ExecutionRecord, InterruptEvent, LogEvent } from '../bus/events.js';
import type { Palette } from './color.js';
import { STATUS_SYMBOLS, formatDuration, oneLine, shortJson, statusStyle } from './format.js';

const INDENT = '  ';
const BRANCH = /\[\d+\]$/;
const IN_BRANCH = /\[\d+\](::|$)/;
const TIMED = new Set(['completed', 'failed', 'cancelled', 'interrupted', 'recovered']);
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
   * parallel branch (`[3]` or `Docs[3]`).
   */
  record(record: ExecutionRecord, branch = branchSegment(record.address)): string {
    const p = this.palette;
    const status = record.status;
    const style = statusStyle(status, p);
    const symbol = STATUS_SYMBOLS[status] ?? '•';
    let line = `${indent(depthOf(record.address))}${style(symbol)} `;
    if (branch !== undefined) line += `${p.dim(branch)} `;
    line += `${p.bold(record.actor?.name ?? '?')} ${p.dim(record.actor?.eventType ?? '')} ${style(status)}`;
    if (record.tag !== undefined) line += ` ${p.dim(`(${record.tag})`)}`;
    if (TIMED.has(status) && record.executionTimeMs !== undefined) {
      line += ` ${p.dim(formatDuration(record.executionTimeMs))}`;
    }
    if (record.message !== undefined && status !== 'completed') {
      line += `: ${style(oneLine(record.message))}`;
    }
    if (this.detail && record.detail !== undefined) {
      line += ` ${p.dim(`→ ${shortJson(record.detail, DETAIL_MAX)}`)}`;
    }
    return line;
  }

  /** A log line, one level under the run that logged it. */
  log(event: LogEvent): string {
    const p = this.palette;
    const depth = event.address === undefined ? 0 : depthOf(event.address) + 1;
    const style =
      event.severity === 'error'
        ? p.red
        : event.severity === 'warning'
          ? p.yellow
          : event.severity === 'debug'
            ? p.dim
            : p.blue;
    let line = `${indent(depth)}${style('•')} ${style(`[${event.severity}]`)} ${oneLine(String(event.message))}`;
    if (event.metadata !== undefined && Object.keys(event.metadata).length > 0) {
      line += ` ${p.dim(shortJson(event.metadata, DETAIL_MAX))}`;
    }
    return line;
  }

  interrupt(event: InterruptEvent): string {
    const p = this.palette;
    return `${p.yellow('⊘')} ${p.bold(p.yellow('Interrupted'))} ${p.dim(`(${event.source})`)}: ${oneLine(String(event.reason))}`;
  }
}
