/** Small timing and memory helpers for the benchmarks. */

const gc = (globalThis as { gc?: () => void }).gc;

/** Whether the process runs with `--expose-gc`, so heap figures are measured after a full GC. */
export const hasGc = gc !== undefined;

/** Runs a full garbage collection when the process allows it. */
export function collect(): void {
  gc?.();
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Milliseconds taken by `fn`, from a monotonic clock. */
export async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export interface Sample {
  /** Median wall time of the measured runs, in milliseconds. */
  medianMs: number;
  minMs: number;
  /** Heap still in use after a run while its results are held, per unit, in bytes. */
  heldBytesPerUnit: number;
  /** Heap still in use after a run once its results are dropped, per unit, in bytes (a leak if not ~0). */
  leakedBytesPerUnit: number;
}

/** Heap in use (after a full GC) once `fn` resolved, while its result is still held. */
async function heapWhileHolding(fn: () => Promise<unknown>): Promise<number> {
  const kept = await fn();
  collect();
  const used = process.memoryUsage().heapUsed;
  keepAlive(kept);
  return used;
}

/**
 * Heap in use after `fn` ran, compared with before it, per unit: with its results held (what a
 * caller keeping them pays), and after dropping them (what the library keeps: should be ~0).
 * The result lives only in `heapWhileHolding`'s frame, which is gone when it returns.
 */
export async function heapPerUnit(
  fn: () => Promise<unknown>,
  units: number,
): Promise<{ heldBytesPerUnit: number; leakedBytesPerUnit: number }> {
  collect();
  const before = process.memoryUsage().heapUsed;
  const held = await heapWhileHolding(fn);
  collect();
  const after = process.memoryUsage().heapUsed;
  return {
    heldBytesPerUnit: (held - before) / units,
    leakedBytesPerUnit: Math.max(0, after - before) / units,
  };
}

/**
 * Times each of `fns` `runs` times after `warmups` unmeasured runs, interleaved (one run of each in
 * turn), so a slow spell of the machine hits them alike. Returns a sample per function.
 */
export async function compare(
  fns: readonly (() => Promise<unknown>)[],
  { runs, warmups, units }: { runs: number; warmups: number; units: number },
): Promise<Sample[]> {
  for (let i = 0; i < warmups; i++) for (const fn of fns) await fn();
  const times: number[][] = fns.map(() => []);
  for (let r = 0; r < runs; r++) {
    for (let f = 0; f < fns.length; f++) {
      collect();
      (times[f] as number[]).push(await timeMs(fns[f] as () => Promise<unknown>));
    }
  }
  const samples: Sample[] = [];
  for (let f = 0; f < fns.length; f++) {
    const heap = await heapPerUnit(fns[f] as () => Promise<unknown>, units);
    const t = times[f] as number[];
    samples.push({ medianMs: median(t), minMs: Math.min(...t), ...heap });
  }
  return samples;
}

/** `compare` for a single function. */
export async function sample(
  fn: () => Promise<unknown>,
  options: { runs: number; warmups: number; units: number },
): Promise<Sample> {
  return (await compare([fn], options))[0] as Sample;
}

/** Keeps `value` reachable up to this call, so the heap is measured while it is held. */
const held: unknown[] = [];
function keepAlive(value: unknown): void {
  held.push(value);
  held.pop();
}

export const sleepMs = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** A plain-text table with right-aligned numeric columns. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ');
  return [
    line(headers),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map((r) => line(r)),
  ].join('\n');
}

export const fixed = (value: number, digits = 1): string => value.toFixed(digits);
