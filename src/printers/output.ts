import { toTerminal } from './terminal-text.js';

/** Anything a printer can write to: `process.stdout`, a file stream, or a test double. */
export interface PrinterStream {
  write(chunk: string): unknown;
  /** When true, colour is on by default, lines are fitted to `columns`, and progress mode redraws in place. */
  isTTY?: boolean | undefined;
  /** The terminal width in cells, for fitting lines on a TTY. @default 80 */
  columns?: number | undefined;
  /** The terminal height in lines; the live area never grows taller. @default 24 */
  rows?: number | undefined;
}

const CSI = '\u001b[';

/** What every printer writing to one stream knows about it. */
interface StreamGuard {
  /** The stream emitted `'error'` (a closed pipe: EPIPE). */
  failed: boolean;
}

const guards = new WeakMap<object, StreamGuard>();

/**
 * The guard of `stream`: on an event emitter (a Node stream), one `'error'` listener per stream,
 * however many printers write to it, so a failing stream (`node app.js | head` closes the pipe)
 * neither crashes the process as an unhandled `'error'` nor gets written to again. The listener
 * stays for the life of the stream; an application's own listeners are called as before.
 */
function guardOf(stream: object): StreamGuard {
  const known = guards.get(stream);
  if (known !== undefined) return known;
  const created: StreamGuard = { failed: false };
  guards.set(stream, created);
  try {
    const on = (stream as { on?: unknown }).on;
    if (typeof on === 'function') {
      on.call(stream, 'error', () => {
        created.failed = true;
      });
    }
  } catch {
    // A stream that refuses listeners is still guarded by the try/catch around each write.
  }
  return created;
}

/** Whether a Node stream has ended, been destroyed, or is otherwise no longer writable. */
function closed(stream: object): boolean {
  const s = stream as { writable?: unknown; writableEnded?: unknown; destroyed?: unknown };
  return s.writable === false || s.writableEnded === true || s.destroyed === true;
}

/**
 * Where all of a printer's output goes, and the one place its text is turned into terminal output
 * (`toTerminal`: control characters shown, styles as SGR codes, lines fitted on a TTY). It never
 * throws: a stream whose `write` throws, that emitted `'error'`, or that ended is left alone for
 * the rest of the run, so a broken terminal or pipe cannot break the work being printed.
 */
export class Output {
  #broken = false;
  readonly #guard: StreamGuard;

  constructor(
    readonly stream: PrinterStream,
    /** Whether style markers become colour codes. */
    readonly color = false,
  ) {
    this.#guard = guardOf(stream);
  }

  get isTTY(): boolean {
    return this.stream.isTTY === true;
  }

  /** Whether the stream failed (its `write` threw, it emitted `'error'`, or it ended); nothing is written after that. */
  get broken(): boolean {
    if (!this.#broken && (this.#guard.failed || closed(this.stream))) this.#broken = true;
    return this.#broken;
  }

  /** The stream's width in cells, or `fallback` when it has none. */
  columns(fallback = 80): number {
    const columns = this.stream.columns;
    return typeof columns === 'number' && Number.isFinite(columns) && columns > 0
      ? Math.floor(columns)
      : fallback;
  }

  rows(fallback = 24): number {
    const rows = this.stream.rows;
    return typeof rows === 'number' && Number.isFinite(rows) && rows > 0
      ? Math.floor(rows)
      : fallback;
  }

  /** The widest a line may be: the terminal's `columns` on a TTY; unlimited on a pipe or a file. */
  get lineWidth(): number {
    return this.isTTY ? this.columns() : Infinity;
  }

  /** One line as the terminal gets it (see `toTerminal`), cut to `width` cells. */
  text(line: string, width = this.lineWidth): string {
    return toTerminal(line, this.color, width);
  }

  /**
   * Writes each line followed by a newline, in one `write`; on a TTY each is fitted to the width
   * unless `fit` is false (a summary may wrap instead).
   */
  lines(lines: readonly string[], fit = true): void {
    if (lines.length === 0 || this.broken) return;
    const width = fit ? this.lineWidth : Infinity;
    let out = '';
    for (const line of lines) out += `${this.text(line, width)}\n`;
    this.raw(out);
  }

  /** Writes terminal output as it is: for the printer's own control sequences and `text()` output only. */
  raw(output: string): void {
    if (output === '' || this.broken) return;
    try {
      this.stream.write(output);
    } catch {
      this.#broken = true;
    }
  }
}

/**
 * A block of lines at the bottom of a terminal, redrawn in place. Each update moves the cursor up
 * over the block (cursor-up) and rewrites it line by line (erase-line each), then erases what is
 * left below, all in one `write`, so the terminal never shows a blank or half-drawn frame.
 * Permanent lines are written above the block (after erasing it, since they may wrap). Block lines
 * are cut one cell short of the terminal's width, so none wraps and the cursor-up count holds.
 */
export class LiveArea {
  #shown = 0;
  #frame: string[] = [];

  constructor(private readonly output: Output) {}

  /** Lines of the block currently on screen. */
  get height(): number {
    return this.#shown;
  }

  /** Replaces the block with `frame`. */
  render(frame: readonly string[]): void {
    this.update([], frame);
  }

  /** Writes `lines` above the block, which stays below them; `fit` as in `Output.lines`. */
  print(lines: readonly string[], fit = true): void {
    this.update(lines, this.#frame, fit);
  }

  /** Writes `lines` above the block and replaces the block with `frame`, in one write. */
  update(lines: readonly string[], frame: readonly string[], fit = true): void {
    if (lines.length === 0 && frame.length === 0 && this.#shown === 0) return;
    const output = this.output;
    const next = [...frame];
    const up = this.#shown > 0 ? `${CSI}${this.#shown}A\r` : '';
    const lineWidth = fit ? output.lineWidth : Infinity;
    const frameWidth = Math.max(1, output.columns() - 1);
    let out: string;
    if (lines.length > 0) {
      // Permanent lines may wrap: erase everything below first.
      out = up === '' ? '' : `${up}${CSI}J`;
      for (const line of lines) out += `${output.text(line, lineWidth)}\n`;
      for (const line of next) out += `${output.text(line, frameWidth)}\n`;
    } else {
      // A frame alone: overwrite row by row (erase-line each), then erase what is left below.
      out = up;
      for (const line of next) out += `${CSI}2K${output.text(line, frameWidth)}\n`;
      out += `${CSI}J`;
    }
    output.raw(out);
    this.#frame = next;
    this.#shown = next.length;
  }

  /** Forgets the block, leaving what is on screen as it is. */
  release(): void {
    this.#shown = 0;
    this.#frame = [];
  }
}
