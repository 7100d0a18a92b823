import type { LimitEvent } from '../bus/events.js';
import type { Palette } from './color.js';
import { plural } from './format.js';
import { shortJson } from './short-json.js';

/** One run limiter (e.g. an `AdaptiveLimiter`) as a printer saw it, from its `kind: 'limit'` events. */
export interface LimitSummary {
  /** The limiter's name. */
  name: string;
  /** Its concurrency after the last change seen. */
  concurrency: number;
  /** Changes seen. */
  changes: number;
  /** The lowest concurrency it had, before or after any change seen. */
  lowest: number;
  /** The highest concurrency it had, before or after any change seen. */
  highest: number;
  /** Why it last changed, e.g. `rate limited (429), retry after 200 ms` or `sustained success`. */
  reason: string;
}

/** Longest limiter name and reason a line shows in full; a printer's lines are cut to fit anyway. */
const MAX_NAME = 60;
const MAX_REASON = 120;

/** A concurrency as shown: a whole number, or `?` for what an event should not have carried. */
function count(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : '?';
}

function finite(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/**
 * The limiters a printer saw, by name in the order they first changed: their current concurrency,
 * how often and how low they went. O(1) per event. Also keeps a window: the changes since the
 * printer last showed them, for the modes that count changes instead of printing each one.
 */
export class LimitTracker {
  readonly #limits = new Map<string, LimitSummary>();
  /** Changes since the window was last shown, and the limiters they touched. */
  #windowChanges = 0;
  readonly #windowNames = new Set<string>();

  /** Whether any limiter changed its concurrency so far. */
  get seen(): boolean {
    return this.#limits.size > 0;
  }

  observe(event: LimitEvent): void {
    const name = shortJson(event.name, MAX_NAME);
    const concurrency = finite(event.concurrency, NaN);
    const previous = finite(event.previous, concurrency);
    let entry = this.#limits.get(name);
    if (entry === undefined) {
      entry = { name, concurrency, changes: 0, lowest: Infinity, highest: -Infinity, reason: '' };
      this.#limits.set(name, entry);
    }
    entry.concurrency = concurrency;
    entry.changes++;
    for (const value of [previous, concurrency]) {
      if (Number.isNaN(value)) continue;
      entry.lowest = Math.min(entry.lowest, value);
      entry.highest = Math.max(entry.highest, value);
    }
    entry.reason = event.reason === undefined ? '' : shortJson(event.reason, MAX_REASON);
    this.#windowChanges++;
    this.#windowNames.add(name);
  }

  /** Every limiter seen, in the order they first changed. */
  summary(): LimitSummary[] {
    return [...this.#limits.values()].map((entry) => ({
      ...entry,
      lowest: Number.isFinite(entry.lowest) ? entry.lowest : entry.concurrency,
      highest: Number.isFinite(entry.highest) ? entry.highest : entry.concurrency,
    }));
  }

  /** One change: `⇅ limiter openai: 8 → 6 (rate limited (429), retry after 200 ms)`. */
  changeLine(event: LimitEvent, p: Palette): string {
    const down = finite(event.concurrency, 0) < finite(event.previous, 0);
    const style = down ? p.yellow : p.green;
    const reason =
      event.reason === undefined || event.reason === ''
        ? ''
        : ` ${p.dim(`(${shortJson(event.reason, MAX_REASON)})`)}`;
    return `${style('⇅')} limiter ${p.bold(shortJson(event.name, MAX_NAME))}: ${count(event.previous)} → ${style(count(event.concurrency))}${reason}`;
  }

  /** `openai 6 (3 changes, lowest 4) · anthropic 10 (1 change, lowest 8)`. */
  #entries(p: Palette): string {
    return this.summary()
      .map(
        (entry) =>
          `${p.bold(entry.name)} ${count(entry.concurrency)} ${p.dim(`(${plural(entry.changes, 'change')}, lowest ${count(entry.lowest)})`)}`,
      )
      .join(' · ');
  }

  /** The current limit of every limiter, for a live area: `⇅ Limits: openai 6 (3 changes, lowest 4)`. */
  currentLine(p: Palette): string | undefined {
    return this.seen ? `${p.cyan('⇅')} Limits: ${this.#entries(p)}` : undefined;
  }

  /** The summary's line: `Limits: openai 6 (3 changes, lowest 4) · …`. */
  summaryLine(p: Palette): string | undefined {
    return this.seen ? `${p.bold('Limits:')} ${this.#entries(p)}` : undefined;
  }

  /**
   * The changes since the window was last shown, counted: `⇅ 3 limit changes · openai 6`, with
   * the current limit of each limiter they touched; then the window starts again. `undefined`
   * when nothing changed since.
   */
  takeWindowLine(p: Palette): string | undefined {
    if (this.#windowChanges === 0) return undefined;
    const current = [...this.#windowNames].map(
      (name) => `${p.bold(name)} ${count(this.#limits.get(name)?.concurrency)}`,
    );
    const line = `${p.cyan('⇅')} ${plural(this.#windowChanges, 'limit change')} · ${current.join(' · ')}`;
    this.clearWindow();
    return line;
  }

  /** Starts the window again: the changes so far were shown one by one. */
  clearWindow(): void {
    this.#windowChanges = 0;
    this.#windowNames.clear();
  }
}
