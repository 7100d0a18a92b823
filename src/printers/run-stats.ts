import { type BusEvent, type ExecutionRecord, RUN_END_STATUSES } from '../bus/events.js';
import type { Palette } from './color.js';
import { type LimitSummary, LimitTracker } from './limit-tracker.js';
import { RunEnds } from './run-ends.js';
import { STATUS_SYMBOLS, formatDuration, plural, statusStyle } from './format.js';

/** One of the slowest runs in a printer's summary. */
export interface SlowRun {
  address: string;
  name: string;
  status: ExecutionRecord['status'];
  executionTimeMs: number;
}

/**
 * What a printer saw, for its end-of-run summary. A run its group ran again (group `maxRetries`)
 * counts once, by its final outcome, so the counts agree with the group's own.
 */
export interface RunSummary {
  /** Runs that reached an end: completed, failed, cancelled, interrupted or recovered. */
  runs: number;
  completed: number;
  failed: number;
  cancelled: number;
  interrupted: number;
  recovered: number;
  /** Runs that needed more than one attempt (their own retry policy, or their group's). */
  retried: number;
  /** Attempts that failed and were tried again: `retrying` records, and runs their group ran again. */
  retries: number;
  /** Log events, and among them warnings and errors. */
  logs: number;
  warnings: number;
  errors: number;
  /** From the first event seen to the last, by their timestamps, in milliseconds. */
  totalTimeMs: number;
  /** The slowest runs that ended, slowest first. */
  slowest: SlowRun[];
  /** Every run limiter that changed its concurrency (`kind: 'limit'` events), in the order seen. */
  limits: LimitSummary[];
}

type EndStatus = 'completed' | 'failed' | 'cancelled' | 'interrupted' | 'recovered';

/**
 * Counts runs as events arrive: O(1) per event (the slowest list is short). A run its group runs
 * again counts once, by its last outcome (see `RunEnds`).
 */
export class RunStats {
  #counts = { completed: 0, failed: 0, cancelled: 0, interrupted: 0, recovered: 0 };
  #ends = new RunEnds();
  #retriedAddresses = new Set<string>();
  #retries = 0;
  #logs = 0;
  #warnings = 0;
  #errors = 0;
  #first: number | undefined;
  #last: number | undefined;
  #slowest: SlowRun[] = [];
  /** The run limiters seen, from their `kind: 'limit'` events. */
  readonly limits = new LimitTracker();

  constructor(private readonly slowestCount: number) {}

  observe(event: BusEvent): void {
    const timestamp = event.timestamp;
    if (typeof timestamp === 'number' && Number.isFinite(timestamp)) {
      if (this.#first === undefined || timestamp < this.#first) this.#first = timestamp;
      if (this.#last === undefined || timestamp > this.#last) this.#last = timestamp;
    }
    if (event.kind === 'log') {
      this.#logs++;
      if (event.severity === 'warning') this.#warnings++;
      else if (event.severity === 'error') this.#errors++;
      return;
    }
    if (event.kind === 'group') {
      this.#ends.group(event);
      return;
    }
    if (event.kind === 'limit') {
      this.limits.observe(event);
      return;
    }
    if (event.kind !== 'execution') return;
    if (event.status === 'retrying') {
      this.#retries++;
      this.#retriedAddresses.add(event.address);
      return;
    }
    if (!RUN_END_STATUSES.has(event.status)) return;
    const status = event.status as EndStatus;
    const previous = this.#ends.end(event);
    if (previous !== undefined) {
      // Its group ran it again: the earlier attempt was a retry, not a run of its own.
      this.#counts[previous as EndStatus]--;
      this.#retries++;
      this.#retriedAddresses.add(event.address);
    }
    this.#counts[status]++;
    const ms = event.executionTimeMs;
    if (this.slowestCount > 0 && typeof ms === 'number' && Number.isFinite(ms))
      this.#rank(event, ms);
  }

  summary(): RunSummary {
    const c = this.#counts;
    return {
      runs: c.completed + c.failed + c.cancelled + c.interrupted + c.recovered,
      ...c,
      retried: this.#retriedAddresses.size,
      retries: this.#retries,
      logs: this.#logs,
      warnings: this.#warnings,
      errors: this.#errors,
      totalTimeMs:
        this.#first === undefined || this.#last === undefined ? 0 : this.#last - this.#first,
      slowest: this.#slowest.map((run) => ({ ...run })),
      limits: this.limits.summary(),
    };
  }

  /** The summary as lines: totals, `extra`, the limiters' current limits, then the slowest runs. */
  format(palette: Palette, extra: string[] = []): string[] {
    const s = this.summary();
    const parts = [plural(s.runs, 'run'), palette.green(`${s.completed} completed`)];
    if (s.failed > 0) parts.push(palette.red(`${s.failed} failed`));
    if (s.cancelled > 0) parts.push(palette.yellow(`${s.cancelled} cancelled`));
    if (s.interrupted > 0) parts.push(palette.yellow(`${s.interrupted} interrupted`));
    if (s.recovered > 0) parts.push(palette.magenta(`${s.recovered} recovered`));
    if (s.retried > 0)
      parts.push(`${s.retried} retried (${plural(s.retries, 'retry', 'retries')})`);
    if (s.warnings + s.errors > 0)
      parts.push(`${plural(s.warnings, 'warning')}, ${plural(s.errors, 'error')} logged`);
    parts.push(`total ${formatDuration(s.totalTimeMs)}`);
    const lines = [`${palette.bold('Summary:')} ${parts.join(' · ')}`, ...extra];
    const limits = this.limits.summaryLine(palette);
    if (limits !== undefined) lines.push(limits);
    if (s.slowest.length > 0) {
      lines.push(palette.bold('Slowest:'));
      const width = Math.max(...s.slowest.map((run) => formatDuration(run.executionTimeMs).length));
      for (const run of s.slowest) {
        const symbol = statusStyle(run.status, palette)(STATUS_SYMBOLS[run.status]);
        lines.push(
          `  ${formatDuration(run.executionTimeMs).padStart(width)}  ${symbol} ${run.address}`,
        );
      }
    }
    return lines;
  }

  #rank(record: ExecutionRecord, ms: number): void {
    const list = this.#slowest;
    if (
      list.length >= this.slowestCount &&
      ms <= (list[list.length - 1] as SlowRun).executionTimeMs
    )
      return;
    const entry: SlowRun = {
      address: record.address,
      name: record.actor?.name ?? '?',
      status: record.status,
      executionTimeMs: ms,
    };
    let i = list.length;
    while (i > 0 && (list[i - 1] as SlowRun).executionTimeMs < ms) i--;
    list.splice(i, 0, entry);
    if (list.length > this.slowestCount) list.pop();
  }
}
