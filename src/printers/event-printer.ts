import type { BusEvent } from '../bus/events.js';
import { type Palette, createPalette, resolveColor } from './color.js';
import { type EventPrinterOptions, resolveEventPrinterOptions } from './options.js';
import { Output } from './output.js';
import { PendingFailures } from './pending-failures.js';
import { type RunSummary, RunStats } from './run-stats.js';
import { TreeFormatter } from './tree-format.js';

/**
 * Prints runs as a tree by address depth: a status symbol, the actor and its event type, the
 * status, the time taken, and the message of failures and retries; logs, interrupts and the
 * changes of run limiters (`⇅ limiter openai: 8 → 6 (rate limited (429))`) too.
 * Subscribe it like any subscriber: `state.eventBus.subscribe(printer)` (or `printer.handle`).
 * Names and messages are shown with their control characters made visible, one line per entry;
 * on a TTY each line is cut to the terminal's width. A failed run inside a parallel branch is
 * printed once its branch moves on, so a run its group retries shows as `↻ retrying`.
 * It never throws: a stream that throws or fails (EPIPE) is left alone and the run goes on.
 *
 * ```text
 * ▶ Pipeline agent_call started
 *   ▶ FetchDoc tool_call started
 *   ✔ FetchDoc tool_call completed 120 ms
 * ✔ Pipeline agent_call completed 130 ms
 * ```
 */
export class EventPrinter {
  /** Whether this printer writes colour. */
  readonly color: boolean;
  readonly #output: Output;
  readonly #palette: Palette;
  readonly #tree: TreeFormatter;
  readonly #stats: RunStats;
  readonly #pending = new PendingFailures();

  constructor(options: EventPrinterOptions = {}) {
    const resolved = resolveEventPrinterOptions(options);
    this.color = resolveColor(resolved.stream, resolved.color);
    this.#output = new Output(resolved.stream, this.color);
    this.#palette = createPalette(this.color);
    this.#tree = new TreeFormatter(this.#palette, resolved.detail);
    this.#stats = new RunStats(resolved.slowest);
  }

  /** Handles one event; also usable on its own: `bus.subscribe(printer.handle)`. Never throws. */
  readonly handle = (event: BusEvent): void => {
    try {
      this.#stats.observe(event);
      const { release, hold } = this.#pending.route(event);
      const lines = release.map(({ record, retry }) => this.#tree.record(record, undefined, retry));
      if (event.kind === 'execution') {
        // A failed run in a branch is held: printed once its branch shows whether it is retried.
        if (!hold) lines.push(this.#tree.record(event));
      } else if (event.kind === 'log') lines.push(this.#tree.log(event));
      else if (event.kind === 'interrupt') lines.push(this.#tree.interrupt(event));
      else if (event.kind === 'limit') {
        lines.push(this.#stats.limits.changeLine(event, this.#palette));
      }
      this.#output.lines(lines);
    } catch {
      // A malformed event or a failing stream must never break the run being printed.
    }
  };

  /** What the printer saw so far: runs by outcome, retries, total time, slowest runs. */
  summary(): RunSummary {
    return this.#stats.summary();
  }

  /** Writes the failures still held, then the summary: totals, then the slowest runs. Never throws. */
  printSummary(): void {
    try {
      this.#output.lines(this.#pending.drain().map(({ record }) => this.#tree.record(record)));
      this.#output.lines(this.#stats.format(this.#palette), false);
    } catch {
      // never throws
    }
  }
}
