/**
 * The figures of the demo's summary, read from the execution records of its two passes and from
 * the model requests it sent.
 */
import type { ExecutionRecord, LimitEvent } from '../../src/index.js';
import type { ModelRequest } from './model.js';

const ENDED = new Set(['completed', 'failed', 'cancelled', 'interrupted']);

/** The runs that ended in `records` (each run ends with one record). */
export const ended = (records: readonly ExecutionRecord[]) =>
  records.filter((r) => ENDED.has(r.status));

/** How many runs in `records` started and have not ended yet. */
export function inFlight(records: readonly ExecutionRecord[]): number {
  const open = new Set<string>();
  for (const r of records) {
    if (r.status === 'started') open.add(r.address);
    else if (ENDED.has(r.status)) open.delete(r.address);
  }
  return open.size;
}

/** Token usage of the model calls that completed in `records`. */
export function tokensOf(records: readonly ExecutionRecord[]): number {
  let total = 0;
  for (const r of records) {
    if (r.status !== 'completed' || r.actor.eventType !== 'llm_call') continue;
    const usage = (r.result as { usage?: { totalTokens?: number } } | undefined)?.usage;
    total += usage?.totalTokens ?? 0;
  }
  return total;
}

/** Whether `address` is the run at `replayed` or nested under it. */
function under(replayed: string, address: string | undefined): boolean {
  if (address === undefined) return false;
  if (address === replayed) return true;
  return address.startsWith(`${replayed.slice(0, replayed.lastIndexOf('::'))}::`);
}

/** What a resume did not have to redo: the first pass's work under the runs it replayed. */
export interface Saved {
  /** Runs the resume replayed (one `recovered` event each). */
  replayed: number;
  /** Runs of the first pass they stand for, with the runs nested in them. */
  runs: number;
  /** Model calls among those. */
  modelCalls: number;
  /** HTTP requests those model calls had sent (retries included). */
  requests: number;
  tokens: number;
}

export function savedByResume(
  firstPass: readonly ExecutionRecord[],
  firstRequests: readonly ModelRequest[],
  resumed: readonly ExecutionRecord[],
): Saved {
  const replayed = resumed.filter((r) => r.status === 'recovered').map((r) => r.address);
  const covered = (address: string | undefined) => replayed.some((a) => under(a, address));
  const done = firstPass.filter((r) => r.status === 'completed' && covered(r.address));
  return {
    replayed: replayed.length,
    runs: done.length,
    modelCalls: done.filter((r) => r.actor.eventType === 'llm_call').length,
    requests: firstRequests.filter((r) => covered(r.address)).length,
    tokens: tokensOf(done),
  };
}

/** `4 → 3 → 8`: the limiter's concurrency over the run, repeats left out. */
export function limitPath(initial: number, events: readonly LimitEvent[]): string {
  const path = [initial];
  for (const e of events) if (path[path.length - 1] !== e.concurrency) path.push(e.concurrency);
  if (path.length > 6) path.splice(3, path.length - 5, NaN);
  return path.map((n) => (Number.isNaN(n) ? '…' : String(n))).join(' → ');
}

/** `1.23 s` */
export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** `12,345` */
export const count = (n: number) => n.toLocaleString('en-US');

/** `3 runs`, `1 run` */
export const plural = (n: number, word: string) =>
  `${count(n)} ${n === 1 ? word : word.endsWith('y') ? `${word.slice(0, -1)}ies` : `${word}s`}`;

/** `text` in lines of at most `width` characters: the first after `first`, the others after `rest`. */
export function wrap(text: string, width: number, first = '', rest = first): string {
  const lines: string[] = [];
  let line = '';
  const indent = () => (lines.length === 0 ? first : rest);
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && indent().length + line.length + 1 + word.length > width) {
      lines.push(indent() + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(indent() + line);
  return lines.join('\n');
}
