import { ParallelDisplayMode } from '../util/enums.js';
import {
  checkBoolean,
  checkEnum,
  checkFunction,
  checkInteger,
  checkKnownKeys,
  checkNumber,
  describe,
} from '../util/validate.js';
import type { PrinterStream } from './output.js';

/** Options of `new EventPrinter()`. */
export interface EventPrinterOptions {
  /** Where to write: any object with `write(string)`. @default process.stdout */
  stream?: PrinterStream;
  /**
   * Colour on or off. @default follows the stream: on for a TTY, off when `NO_COLOR` is set,
   * forced on by `FORCE_COLOR` (off by `FORCE_COLOR=0`)
   */
  color?: boolean;
  /** Append each run's input (on `started`) and result (on `completed`) as short JSON. @default false */
  detail?: boolean;
  /** How many of the slowest runs the summary lists. @default 5 */
  slowest?: number;
}

/** Options of `new ParallelEventPrinter()`. */
export interface ParallelEventPrinterOptions extends EventPrinterOptions {
  /** `realtime`, `progress` or `collapsed` (see `ParallelDisplayMode`). */
  mode: ParallelDisplayMode;
  /** The clock used for elapsed time, throughput, ETA and throttling, in milliseconds. @default performance.now */
  now?: () => number;
  /** Width of progress lines in cells. @default the stream's `columns`, else 80 */
  width?: number;
  /** Progress mode on a TTY redraws at most once per this many milliseconds. @default 50 */
  throttleMs?: number;
  /** Cells of the progress bar. @default 20 */
  barWidth?: number;
  /** Failures listed per group; the rest are counted. @default 10 */
  maxFailures?: number;
}

export const defaultPrinterOptions = Object.freeze({
  detail: false,
  slowest: 5,
  throttleMs: 50,
  barWidth: 20,
  maxFailures: 10,
});

export interface ResolvedEventPrinterOptions {
  stream: PrinterStream;
  color: boolean | undefined;
  detail: boolean;
  slowest: number;
}

export interface ResolvedParallelPrinterOptions extends ResolvedEventPrinterOptions {
  mode: ParallelDisplayMode;
  now: () => number;
  width: number | undefined;
  throttleMs: number;
  barWidth: number;
  maxFailures: number;
}

const EVENT_KEYS = ['stream', 'color', 'detail', 'slowest'];
const PARALLEL_KEYS = [
  ...EVENT_KEYS,
  'mode',
  'now',
  'width',
  'throttleMs',
  'barWidth',
  'maxFailures',
];

function checkObject(owner: string, options: unknown, example: string): object {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      `${owner}: expected an options object such as ${example}, got ${describe(options)}.`,
    );
  }
  return options;
}

function resolveBase(owner: string, options: EventPrinterOptions): ResolvedEventPrinterOptions {
  const stream = options.stream ?? process.stdout;
  if (stream === null || typeof stream !== 'object' || typeof stream.write !== 'function') {
    throw new TypeError(
      `${owner}: expected \`stream\` to be a writable stream (an object with a write(string) method, e.g. process.stdout), got ${describe(stream)}.`,
    );
  }
  return {
    stream,
    color: options.color === undefined ? undefined : checkBoolean(owner, 'color', options.color),
    detail:
      options.detail === undefined
        ? defaultPrinterOptions.detail
        : checkBoolean(owner, 'detail', options.detail),
    slowest:
      options.slowest === undefined
        ? defaultPrinterOptions.slowest
        : checkInteger(owner, 'slowest', options.slowest, { min: 0 }),
  };
}

export function resolveEventPrinterOptions(
  options: EventPrinterOptions = {},
): ResolvedEventPrinterOptions {
  const owner = 'new EventPrinter()';
  checkObject(owner, options, '{ stream: process.stdout }');
  checkKnownKeys(owner, options, EVENT_KEYS);
  return resolveBase(owner, options);
}

export function resolveParallelPrinterOptions(
  options: ParallelEventPrinterOptions,
): ResolvedParallelPrinterOptions {
  const owner = 'new ParallelEventPrinter()';
  checkObject(owner, options, "{ mode: 'progress' }");
  checkKnownKeys(owner, options, PARALLEL_KEYS);
  const mode = checkEnum(owner, 'mode', options.mode, ParallelDisplayMode);
  if (options.now !== undefined) checkFunction(owner, 'now', options.now);
  return {
    ...resolveBase(owner, options),
    mode,
    now: options.now ?? (() => performance.now()),
    width:
      options.width === undefined
        ? undefined
        : checkInteger(owner, 'width', options.width, { min: 20 }),
    throttleMs:
      options.throttleMs === undefined
        ? defaultPrinterOptions.throttleMs
        : checkNumber(owner, 'throttleMs', options.throttleMs, { unit: 'milliseconds' }),
    barWidth:
      options.barWidth === undefined
        ? defaultPrinterOptions.barWidth
        : checkInteger(owner, 'barWidth', options.barWidth, { min: 1 }),
    maxFailures:
      options.maxFailures === undefined
        ? defaultPrinterOptions.maxFailures
        : checkInteger(owner, 'maxFailures', options.maxFailures, { min: 0, allowInfinity: true }),
  };
}
