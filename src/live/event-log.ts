import type { BusEvent, EventBus } from '../index.js';
import { safeStringify, toSafeJson } from './serialize.js';

/** The fields of an event that hold the user's values (anything at all). */
const VALUE_FIELDS = ['result', 'error', 'metadata'] as const;

/** A frame longer than this is serialized again with every field bounded. */
const MAX_FAST_CHARS = 256 * 1024;

/**
 * An event as JSON, never throwing. The user's values (`result`, `error`, `metadata`) go
 * through the bounded walker; the rest is the bus's own plain fields, stringified directly, with
 * the walker as fallback should a field be unsafe or huge after all (a custom event).
 */
export function serializeEvent(event: unknown): string {
  if (event === null || typeof event !== 'object') return safeStringify(event);
  const copy: Record<string, unknown> = { ...(event as Record<string, unknown>) };
  for (const field of VALUE_FIELDS) {
    if (copy[field] !== undefined) copy[field] = toSafeJson(copy[field]);
  }
  try {
    const text = JSON.stringify(copy);
    if (text.length <= MAX_FAST_CHARS) return text;
  } catch {
    // A BigInt or a cycle in a field of a custom event: the walker below handles it.
  }
  return safeStringify(event);
}

/**
 * Every bus event since the view started, each numbered (its SSE `id`) and already serialized as
 * a Server-Sent Events frame, so a page that connects late gets the whole run and a reconnecting
 * one only what it missed. Keeps at most `maxEvents`: beyond that the oldest are dropped.
 */
export class EventLog {
  /** SSE frames; `#frames[#head]` has id `#firstId`. */
  #frames: (string | undefined)[] = [];
  #head = 0;
  #firstId = 1;
  #nextId = 1;
  readonly #maxEvents: number;
  #unsubscribe: (() => void) | undefined;
  /** Called after each appended event. */
  onAppend: (() => void) | undefined;

  constructor(bus: Pick<EventBus, 'subscribe'>, maxEvents: number) {
    this.#maxEvents = maxEvents;
    this.#unsubscribe = bus.subscribe((event: BusEvent) => this.append(event));
  }

  /** The id of the oldest event still kept (`lastId + 1` when none is). */
  get firstId(): number {
    return this.#firstId;
  }

  /** The id of the newest event, `0` before the first. */
  get lastId(): number {
    return this.#nextId - 1;
  }

  /** Serializes `event` (safely, whatever it holds) and numbers it. */
  append(event: unknown): void {
    const id = this.#nextId++;
    this.#frames.push(`id: ${id}\ndata: ${serializeEvent(event)}\n\n`);
    if (this.#frames.length - this.#head > this.#maxEvents) {
      this.#frames[this.#head++] = undefined;
      this.#firstId++;
      // Compact now and then, so dropping stays linear overall.
      if (this.#head >= 1024 && this.#head * 2 >= this.#frames.length) {
        this.#frames = this.#frames.slice(this.#head);
        this.#head = 0;
      }
    }
    this.onAppend?.();
  }

  /**
   * The frames from id `fromId` on (clamped to `firstId`), joined, up to about `maxChars`
   * characters, and the id to read next.
   */
  read(fromId: number, maxChars: number): { text: string; nextId: number } {
    let id = Math.max(fromId, this.#firstId);
    let text = '';
    while (id < this.#nextId && text.length < maxChars) {
      text += this.#frames[this.#head + id - this.#firstId] as string;
      id++;
    }
    return { text, nextId: id };
  }

  /** Stops listening to the bus; idempotent. */
  close(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.onAppend = undefined;
  }
}
