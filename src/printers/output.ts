/** Anything a printer can write to: `process.stdout`, a file stream, or a test double. */
export interface PrinterStream {
  write(chunk: string): unknown;
  /** When true, colour is on by default and progress mode redraws in place. */
  isTTY?: boolean | undefined;
  /** The terminal width in cells, for fitting live lines. @default 80 */
  columns?: number | undefined;
  /** The terminal height in lines; the live area never grows taller. @default 24 */
  rows?: number | undefined;
}

const CSI = '\u001b[';

/**
 * Writes to a stream and never throws: a stream whose `write` throws is left alone for the rest
 * of the run, so a broken terminal cannot break the work being printed.
 */
export class Output {
  #broken = false;

  constructor(readonly stream: PrinterStream) {}

  get isTTY(): boolean {
    return this.stream.isTTY === true;
  }

  /** Whether a `write` has thrown; nothing is written after that. */
  get broken(): boolean {
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

  write(text: string): void {
    if (this.#broken || text === '') return;
    try {
      this.stream.write(text);
    } catch {
      this.#broken = true;
    }
  }

  /** Writes each line followed by a newline, in one `write`. */
  lines(lines: readonly string[]): void {
    if (lines.length > 0) this.write(`${lines.join('\n')}\n`);
  }
}

/**
 * A block of lines at the bottom of a terminal, redrawn in place. Each update moves the cursor up
 * over the block (cursor-up) and rewrites it line by line (erase-line each), then erases what is
 * left below, all in one `write`, so the terminal never shows a blank or half-drawn frame.
 * Permanent lines are written above the block (after erasing it, since they may wrap). Block lines
 * must fit the width (the printer cuts them), or the cursor-up count would be wrong.
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

  /** Writes `lines` above the block, which stays below them. */
  print(lines: readonly string[]): void {
    this.update(lines, this.#frame);
  }

  /** Writes `lines` above the block and replaces the block with `frame`, in one write. */
  update(lines: readonly string[], frame: readonly string[]): void {
    if (lines.length === 0 && frame.length === 0 && this.#shown === 0) return;
    const next = [...frame];
    const up = this.#shown > 0 ? `${CSI}${this.#shown}A\r` : '';
    let out: string;
    if (lines.length > 0) {
      // Permanent lines may wrap: erase everything below first.
      out = up === '' ? '' : `${up}${CSI}J`;
      for (const line of lines) out += `${line}\n`;
      for (const line of next) out += `${line}\n`;
    } else {
      // A frame alone: overwrite row by row (erase-line each), then erase what is left below.
      out = up;
      for (const line of next) out += `${CSI}2K${line}\n`;
      out += `${CSI}J`;
    }
    this.output.write(out);
    this.#frame = next;
    this.#shown = next.length;
  }

  /** Forgets the block, leaving what is on screen as it is. */
  release(): void {
    this.#shown = 0;
    this.#frame = [];
  }
}
