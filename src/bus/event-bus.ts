import { describe, isThenable, stackOf } from '../util/describe.js';
import { checkFunction, checkKnownKeys } from '../util/validate.js';
import type { BusEvent, Subscriber } from './events.js';

/** Options of `new EventBus()`. */
export interface EventBusOptions {
  /**
   * Called when a subscriber throws or rejects. The default reports the first failure of each
   * subscriber with `process.emitWarning` and ignores the rest of that subscriber's failures.
   */
  onSubscriberError?: (error: unknown, event: BusEvent, subscriber: Subscriber) => void;
}

interface Entry {
  subscriber: Subscriber;
  call: (event: BusEvent) => unknown;
  /** Events waiting while an asynchronous handling is in flight; `head` is the next one. */
  queue: BusEvent[];
  head: number;
  busy: boolean;
  active: boolean;
}

/**
 * Publishes events to subscribers without ever waiting for them. A synchronous subscriber is
 * called during `publish`, in publish order. A subscriber that returns a promise gets its next
 * events from its own queue, in publish order, each after the previous one settled. A subscriber
 * that throws or rejects breaks neither the run nor the other subscribers.
 *
 * An event published while another is being delivered (a subscriber that logs, or interrupts
 * the state) waits in a backlog until the current event has reached every subscriber, so every
 * subscriber sees the same order.
 */
export class EventBus {
  #entries: Entry[] = [];
  /** Events handed to subscribers but not handled yet, backlog included; `drain()` waits for 0. */
  #pending = 0;
  /** Whether an event is being delivered now: a `publish` then goes to the backlog. */
  #delivering = false;
  /** Events published during a delivery, from `#backlogHead` on; reused, so no allocation per event. */
  #backlog: (BusEvent | undefined)[] = [];
  #backlogHead = 0;
  #drainWaiters: (() => void)[] = [];
  #streams = new Set<() => void>();
  #reported = new WeakSet<object>();
  readonly #onError: (error: unknown, event: BusEvent, subscriber: Subscriber) => void;

  constructor(options: EventBusOptions = {}) {
    const owner = 'new EventBus()';
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`${owner}: expected an options object, got ${describe(options)}.`);
    }
    checkKnownKeys(owner, options, ['onSubscriberError']);
    if (options.onSubscriberError !== undefined)
      checkFunction(owner, 'onSubscriberError', options.onSubscriberError);
    this.#onError = options.onSubscriberError ?? this.#reportOnce;
  }

  /** Whether anyone listens; publishers skip building events nobody reads. */
  get hasSubscribers(): boolean {
    return this.#entries.length > 0;
  }

  /** Adds a subscriber; returns the function that removes it. */
  subscribe(subscriber: Subscriber): () => void {
    let call: (event: BusEvent) => unknown;
    if (typeof subscriber === 'function') call = subscriber;
    else if (
      subscriber !== null &&
      typeof subscriber === 'object' &&
      typeof subscriber.handle === 'function'
    ) {
      call = (event) => subscriber.handle(event);
    } else {
      throw new TypeError(
        `EventBus.subscribe: expected a function of the event or an object with a handle(event) method, got ${describe(subscriber)}.`,
      );
    }
    const entry: Entry = { subscriber, call, queue: [], head: 0, busy: false, active: true };
    this.#entries = [...this.#entries, entry];
    return () => {
      if (!entry.active) return;
      entry.active = false;
      this.#entries = this.#entries.filter((e) => e !== entry);
      // Its queued events, and the one it may be stuck on, will never be handled: stop waiting.
      this.#pending -= entry.queue.length - entry.head + (entry.busy ? 1 : 0);
      entry.busy = false;
      entry.queue = [];
      entry.head = 0;
      this.#settleIfIdle();
    };
  }

  /**
   * Hands `event` to every subscriber; never waits and never throws. Called again from inside a
   * subscriber, it queues the event behind the one being delivered.
   */
  publish(event: BusEvent): void {
    if (this.#delivering) {
      this.#backlog.push(event);
      this.#pending++;
      return;
    }
    this.#delivering = true;
    try {
      this.#dispatch(event);
      if (this.#backlogHead < this.#backlog.length) this.#drainBacklog();
    } finally {
      this.#delivering = false;
    }
  }

  /** Resolves once every event published so far has been handled by every subscriber. */
  drain(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /**
   * The events published after this call, as an async iterable. Leaving the `for await` loop
   * unsubscribes; `signal` or `close()` end the iteration after the events already buffered.
   */
  stream(options: { signal?: AbortSignal } = {}): AsyncIterableIterator<BusEvent> {
    // Checked before subscribing, so bad options leave no subscription behind.
    const owner = 'eventBus.stream()';
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`${owner}: expected { signal? }, got ${describe(options)}.`);
    }
    checkKnownKeys(owner, options, ['signal']);
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
      throw new TypeError(
        `${owner}: expected \`signal\` to be an AbortSignal, got ${describe(options.signal)}.`,
      );
    }
    const buffer: BusEvent[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    const end = () => {
      ended = true;
      unsubscribe();
      this.#streams.delete(end);
      options.signal?.removeEventListener('abort', end);
      wake?.();
    };
    const unsubscribe = this.subscribe((event) => {
      buffer.push(event);
      wake?.();
    });
    this.#streams.add(end);
    if (options.signal?.aborted) end();
    else options.signal?.addEventListener('abort', end, { once: true });
    const iterator: AsyncIterableIterator<BusEvent> = {
      next: async () => {
        while (buffer.length === 0 && !ended)
          await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        if (buffer.length > 0) return { value: buffer.shift() as BusEvent, done: false };
        return { value: undefined, done: true };
      },
      return: async () => {
        end();
        buffer.length = 0;
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** Ends every open `stream()`; subscribers stay. */
  close(): void {
    for (const end of [...this.#streams]) end();
  }

  /** Hands `event` to every current subscriber, or to its queue while it is busy. */
  #dispatch(event: BusEvent): void {
    for (const entry of this.#entries) {
      if (entry.busy) {
        entry.queue.push(event);
        this.#pending++;
      } else {
        this.#deliver(entry, event);
      }
    }
  }

  /** Dispatches, in order, the events published during a delivery (and those they publish). */
  #drainBacklog(): void {
    const backlog = this.#backlog;
    while (this.#backlogHead < backlog.length) {
      const event = backlog[this.#backlogHead] as BusEvent;
      backlog[this.#backlogHead++] = undefined;
      this.#pending--;
      this.#dispatch(event);
    }
    backlog.length = 0;
    this.#backlogHead = 0;
    this.#settleIfIdle();
  }

  /** Never throws: whatever the subscriber does, including returning a thenable that misbehaves. */
  #deliver(entry: Entry, event: BusEvent): void {
    try {
      const outcome = entry.call(event);
      // (A subscriber that unsubscribed itself while handling is not waited for.)
      if (!isThenable(outcome) || !entry.active) return;
      entry.busy = true;
      this.#pending++;
      // `Promise.resolve` turns a `then` that throws into a rejection and never calls back
      // synchronously, so `#next` never runs in the middle of a delivery.
      Promise.resolve(outcome).then(
        () => this.#next(entry),
        (error: unknown) => {
          this.#fail(entry, error, event);
          this.#next(entry);
        },
      );
    } catch (error) {
      this.#fail(entry, error, event);
    }
  }

  /** An asynchronous handling settled: hand the subscriber its next queued event. */
  #next(entry: Entry): void {
    // Unsubscribed while busy: its pending count was given back then.
    if (!entry.active) return;
    entry.busy = false;
    this.#pending--;
    // Runs from a promise callback, never inside `publish`: events the subscriber publishes
    // while handling its queue wait behind that queue, as they would behind a publish.
    this.#delivering = true;
    try {
      // A head index, not shift(): a slow subscriber's long queue is handed out in linear time.
      while (entry.active && !entry.busy && entry.head < entry.queue.length) {
        this.#pending--;
        const event = entry.queue[entry.head] as BusEvent;
        entry.queue[entry.head++] = undefined as unknown as BusEvent;
        this.#deliver(entry, event);
      }
      if (entry.head === entry.queue.length) {
        entry.queue = [];
        entry.head = 0;
      }
      this.#drainBacklog();
    } finally {
      this.#delivering = false;
    }
  }

  #settleIfIdle(): void {
    if (this.#pending !== 0) return;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #fail(entry: Entry, error: unknown, event: BusEvent): void {
    try {
      this.#onError(error, event, entry.subscriber);
    } catch {
      // An error handler that throws must not break publishing either.
    }
  }

  #reportOnce = (error: unknown, _event: BusEvent, subscriber: Subscriber): void => {
    if (this.#reported.has(subscriber)) return;
    this.#reported.add(subscriber);
    const detail = stackOf(error);
    process.emitWarning(
      `An event bus subscriber failed; the run goes on and further failures of this subscriber are not reported.\n${detail}`,
      { type: 'RhAgentsSubscriberWarning' },
    );
  };
}
