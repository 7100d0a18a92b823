import type { BusEvent } from '../bus/events.js';
import { type Palette, createPalette, resolveColor } from './color.js';
import { type EventPrinterOptions, resolveEventPrinterOptions } from './options.js';
import { Output } from './output.js';
import { type RunSummary, RunStats } from './run-stats.js';
import { TreeFormatter } from './tree-format.js';

/**
 * Prints runs as a tree by address depth: a status symbol, the actor and its event type, the
 * status, the time taken, and the message of failures and retries; logs and interrupts too.
 * Subscribe it like any subscriber: `state.eventBus.subscribe(printer)` (or `printer.handle`).
 * It never throws: a stream whose `write` throws is left alone and the run goes on.
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

  constructor(options: EventPrinterOptions = {}) {
    const resolved = resolveEventPrinterOptions(options);
    this.#output = new Output(resolved.stream);
    this.color = resolveColor(resolved.stream, resolved.color);
    this.#palette = createPalette(this.color);
    this.#tree = new TreeFormatter(this.#palette, resolved.detail);
    this.#stats = new RunStats(resolved.slowest);
  }

  /** Handles one event; also usable on its own: `bus.subscribe(printer.handle)`. Never throws. */
  readonly handle = (event: BusEvent): void => {
    try {
      this.#stats.observe(event);
      let line: string | undefined;
      if (event.kind === 'execution') line = this.#tree.record(event);
      else if (event.kind === 'log') line = this.#tree.log(event);
      else if (event.kind === 'interrupt') line = this.#tree.interrupt(event);
      if (line !== undefined) this.#output.lines([line]);
    } catch {
      // A malformed event or a failing stream must never break the run being printed.
    }
  };

  /** What the printer saw so far: runs by outcome, retries, total time, slowest runs. */
  summary(): RunSummary {
    return this.#stats.summary();
  }

  /** Writes the summary: totals, then the slowest runs. Never throws. */
  printSummary(): void {
    try {
      this.#output.lines(this.#stats.format(this.#palette));
    } catch {
      // never throws
    }
  }
}
