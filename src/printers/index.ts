export { EventPrinter } from './event-printer.js';
export { ParallelEventPrinter } from './parallel-event-printer.js';
export type { ParallelPrinterSummary } from './parallel-event-printer.js';
export type { GroupTracker, TaskFailure } from './group-tracker.js';
export type { EventPrinterOptions, ParallelEventPrinterOptions } from './options.js';
export type { LimitSummary } from './limit-tracker.js';
export type { PrinterStream } from './output.js';
export type { RunSummary, SlowRun } from './run-stats.js';
