/** The styles a printer paints with; each returns its text unchanged when colour is off. */
export interface Palette {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  blue(text: string): string;
  magenta(text: string): string;
  cyan(text: string): string;
}

/** What colour detection reads from a stream. */
export interface ColorTarget {
  isTTY?: boolean | undefined;
}

/**
 * Whether a printer writing to `stream` uses colour. In order: the `color` option decides when
 * given; `FORCE_COLOR` forces colour on (`FORCE_COLOR=0` or `false` forces it off); `NO_COLOR`
 * (set and not empty) turns it off; otherwise colour is on when the stream is a TTY (and `TERM`
 * is not `dumb`).
 */
export function resolveColor(
  stream: ColorTarget,
  option: boolean | undefined,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (option !== undefined) return option;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/**
 * Styles travel inside a line as markers, not as escape sequences: Unicode noncharacters
 * (U+FDD0…U+FDDA, "for internal use", never meant to be interchanged), one per SGR code. Only
 * `Output`, the one place a line becomes terminal output, turns them into SGR codes, after making
 * every control character of the line visible. So a printer's own colours survive, and an escape
 * sequence in a name or a message never reaches the terminal.
 */
const SGR_CODES = [0, 1, 2, 22, 31, 32, 33, 34, 35, 36, 39] as const;
const MARKER_BASE = 0xfdd0;

function marker(code: (typeof SGR_CODES)[number]): string {
  return String.fromCharCode(MARKER_BASE + SGR_CODES.indexOf(code));
}

/** The marker that resets every style (SGR 0), for a line cut in the middle of a style. */
export const RESET_MARKER = marker(0);

const SGR = SGR_CODES.map((code) => `\u001b[${code}m`);

/** The SGR sequence a style marker stands for, or `undefined` for another code point. */
export function sgrOf(codePoint: number): string | undefined {
  return SGR[codePoint - MARKER_BASE];
}

/** A style: `open` before, `close` after, and the style reopened after a nested close. */
function style(
  open: (typeof SGR_CODES)[number],
  close: (typeof SGR_CODES)[number],
): (text: string) => string {
  const o = marker(open);
  const c = marker(close);
  const reopen = c + o;
  return (text) => (text.includes(c) ? o + text.replaceAll(c, reopen) + c : o + text + c);
}

const COLORS: Palette = Object.freeze({
  bold: style(1, 22),
  dim: style(2, 22),
  red: style(31, 39),
  green: style(32, 39),
  yellow: style(33, 39),
  blue: style(34, 39),
  magenta: style(35, 39),
  cyan: style(36, 39),
});

const plain = (text: string): string => text;

const PLAIN: Palette = Object.freeze({
  bold: plain,
  dim: plain,
  red: plain,
  green: plain,
  yellow: plain,
  blue: plain,
  magenta: plain,
  cyan: plain,
});

/** A palette for one printer: colours on or off, independent of other printers. */
export function createPalette(enabled: boolean): Palette {
  return enabled ? COLORS : PLAIN;
}
