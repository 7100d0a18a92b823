import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { type BusEvent, EventBus, ExecutionState, Tool } from '../../src/index.js';
import { logEvent } from '../helpers/bus-events.js';

const messages = (events: readonly BusEvent[]) =>
  events.map((e) => (e.kind === 'log' ? e.message : e.kind));

function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('EventBus: subscribe', () => {
  it('accepts a function or an object with handle(event), called as a method', () => {
    const bus = new EventBus();
    const fn = vi.fn();
    const printer = {
      seen: [] as string[],
      handle(event: BusEvent) {
        this.seen.push(messages([event])[0]!);
      },
    };
    expect(bus.hasSubscribers).toBe(false);
    bus.subscribe(fn);
    bus.subscribe(printer);
    expect(bus.hasSubscribers).toBe(true);
    bus.publish(logEvent('a'));
    expect(fn).toHaveBeenCalledWith(logEvent('a'));
    expect(printer.seen).toEqual(['a']);
  });

  it.each([
    [null, '`null` (null)'],
    [undefined, '`undefined` (undefined)'],
    [42, '`42` (number)'],
    ['fn', '`"fn"` (string)'],
    [{}, '`{}` (object)'],
    [{ handle: 'no' }, '`{"handle":"no"}` (object)'],
  ])('refuses %j with a TypeError that shows it', (subscriber, shown) => {
    expect(() => new EventBus().subscribe(subscriber as never)).toThrow(
      new TypeError(
        `EventBus.subscribe: expected a function of the event or an object with a handle(event) method, got ${shown}.`,
      ),
    );
  });

  it('returns an unsubscribe function (safe to call twice)', () => {
    const bus = new EventBus();
    const a = vi.fn();
    const b = vi.fn();
    const offA = bus.subscribe(a);
    bus.subscribe(b);
    bus.publish(logEvent('1'));
    offA();
    offA();
    bus.publish(logEvent('2'));
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(2);
    expect(bus.hasSubscribers).toBe(true);
  });

  it('the same function subscribed twice gets each event twice, and unsubscribes one at a time', () => {
    const bus = new EventBus();
    const fn = vi.fn();
    const off1 = bus.subscribe(fn);
    bus.subscribe(fn);
    bus.publish(logEvent('x'));
    expect(fn).toHaveBeenCalledTimes(2);
    off1();
    bus.publish(logEvent('y'));
    expect(fn).toHaveBeenCalledTimes(3);
  });
});

describe('EventBus: delivery', () => {
  it('calls synchronous subscribers during publish, in publish order', () => {
    const bus = new EventBus();
    const calls: string[] = [];
    bus.subscribe((e) => void calls.push(`a:${messages([e])[0]}`));
    bus.subscribe((e) => void calls.push(`b:${messages([e])[0]}`));
    bus.publish(logEvent('1'));
    calls.push('between');
    bus.publish(logEvent('2'));
    expect(calls).toEqual(['a:1', 'b:1', 'between', 'a:2', 'b:2']);
  });

  it('never waits for a slow async subscriber, which still gets every event in order', async () => {
    const state = new ExecutionState();
    const { open, opened } = gate();
    const handled: BusEvent[] = [];
    const fast: BusEvent[] = [];
    state.eventBus.subscribe(async (event) => {
      await opened;
      handled.push(event);
    });
    state.eventBus.subscribe((event) => void fast.push(event));
    const tool = new Tool({ name: 'T', inputSchema: z.object({}), handler: () => 'done' });
    const result = await state.run(tool, {});
    state.log('after the run');
    expect(result).toMatchObject({ ok: true, result: 'done' });
    expect(handled).toEqual([]); // still busy with the first event
    expect(fast).toHaveLength(3);
    let drained = false;
    const drain = state.eventBus.drain().then(() => (drained = true));
    await tick();
    expect(drained).toBe(false);
    open();
    await drain;
    expect(handled).toEqual(fast);
    expect(handled.map((e) => (e.kind === 'execution' ? e.status : e.kind))).toEqual([
      'started',
      'completed',
      'log',
    ]);
  });

  it('keeps each async subscriber’s order when handlings take different times', async () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.subscribe(async (e) => {
      const m = messages([e])[0]!;
      await new Promise((r) => setTimeout(r, m === '1' ? 15 : 1));
      seen.push(m);
    });
    for (const m of ['1', '2', '3', '4']) bus.publish(logEvent(m));
    await bus.drain();
    expect(seen).toEqual(['1', '2', '3', '4']);
  });

  it('a subscriber that is sometimes sync and sometimes async keeps its order', async () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.subscribe((e) => {
      const m = messages([e])[0]!;
      if (m === '1') return new Promise<void>((r) => setTimeout(() => r(void seen.push(m)), 5));
      seen.push(m);
      return undefined;
    });
    for (const m of ['1', '2', '3']) bus.publish(logEvent(m));
    expect(seen).toEqual([]);
    await bus.drain();
    expect(seen).toEqual(['1', '2', '3']);
  });

  it('drain() resolves at once when nothing is pending, and for several waiters', async () => {
    const bus = new EventBus();
    await expect(bus.drain()).resolves.toBeUndefined();
    bus.subscribe(() => undefined);
    bus.publish(logEvent('sync only'));
    await expect(bus.drain()).resolves.toBeUndefined();
    const { open, opened } = gate();
    bus.subscribe(() => opened);
    bus.publish(logEvent('a'));
    bus.publish(logEvent('b'));
    const both = Promise.all([bus.drain(), bus.drain()]);
    open();
    await both;
  });

  it('unsubscribing a busy subscriber drops its queue and lets drain() resolve', async () => {
    const bus = new EventBus();
    const { open, opened } = gate();
    const seen: string[] = [];
    const off = bus.subscribe(async (e) => {
      await opened;
      seen.push(messages([e])[0]!);
    });
    bus.publish(logEvent('1'));
    bus.publish(logEvent('2'));
    bus.publish(logEvent('3'));
    off();
    open();
    await bus.drain();
    expect(seen).toEqual(['1']);
    expect(bus.hasSubscribers).toBe(false);
  });
});

describe('EventBus: publishing from inside a subscriber', () => {
  it('delivers an event published during delivery after the current one reached everyone', () => {
    const bus = new EventBus();
    const seenA: string[] = [];
    const seenB: string[] = [];
    const seenC: string[] = [];
    let seenByPublisher: string[] = [];
    bus.subscribe((e) => {
      const m = messages([e])[0]!;
      seenA.push(m);
      if (m === 'first') {
        bus.publish(logEvent('nested 1'));
        bus.publish(logEvent('nested 2'));
        seenByPublisher = [...seenA]; // not delivered yet, not even to the publisher
      }
      if (m === 'nested 1') bus.publish(logEvent('nested in nested'));
    });
    bus.subscribe((e) => void seenB.push(messages([e])[0]!));
    bus.subscribe((e) => void seenC.push(messages([e])[0]!));
    bus.publish(logEvent('first'));
    const order = ['first', 'nested 1', 'nested 2', 'nested in nested'];
    expect(seenByPublisher).toEqual(['first']);
    expect(seenA).toEqual(order);
    expect(seenB).toEqual(order);
    expect(seenC).toEqual(order);
    bus.publish(logEvent('later'));
    expect(seenB).toEqual([...order, 'later']);
  });

  it('keeps publish order when a subscriber logs or interrupts the state', async () => {
    const state = new ExecutionState();
    const orders: string[][] = [[], [], []];
    const name = (e: BusEvent) =>
      e.kind === 'log' ? e.message : e.kind === 'execution' ? e.status : e.kind;
    state.eventBus.subscribe((e) => {
      orders[0]!.push(name(e));
      if (e.kind === 'execution' && e.status === 'started') state.log('nested');
      if (e.kind === 'log' && e.message === 'nested') state.requestInterrupt('enough');
    });
    state.eventBus.subscribe((e) => void orders[1]!.push(name(e)));
    state.eventBus.subscribe(async (e) => {
      await tick();
      orders[2]!.push(name(e));
    });
    const tool = new Tool({ name: 'T', inputSchema: z.object({}), handler: () => 'done' });
    await state.run(tool, {});
    await state.eventBus.drain();
    expect(orders[1]).toEqual(['started', 'nested', 'interrupt', 'completed']);
    expect(orders[0]).toEqual(orders[1]);
    expect(orders[2]).toEqual(orders[1]);
  });

  it('an async subscriber publishing from its queue still gets its events in publish order', async () => {
    const bus = new EventBus();
    const { open, opened } = gate();
    const slow: string[] = [];
    const sync: string[] = [];
    bus.subscribe((e) => {
      const m = messages([e])[0]!;
      if (m === '1') return opened.then(() => void slow.push(m));
      slow.push(m);
      if (m === '2') bus.publish(logEvent('nested'));
      return undefined;
    });
    bus.subscribe((e) => void sync.push(messages([e])[0]!));
    for (const m of ['1', '2', '3']) bus.publish(logEvent(m));
    expect(sync).toEqual(['1', '2', '3']);
    open();
    await bus.drain();
    expect(sync).toEqual(['1', '2', '3', 'nested']);
    expect(slow).toEqual(sync);
  });

  it('a subscriber that throws after publishing does not leave the bus stuck', async () => {
    const onSubscriberError = vi.fn();
    const bus = new EventBus({ onSubscriberError });
    const seen: string[] = [];
    bus.subscribe((e) => {
      if (messages([e])[0] === 'first') {
        bus.publish(logEvent('nested'));
        throw new Error('after publishing');
      }
    });
    bus.subscribe((e) => void seen.push(messages([e])[0]!));
    expect(() => bus.publish(logEvent('first'))).not.toThrow();
    bus.publish(logEvent('second'));
    expect(seen).toEqual(['first', 'nested', 'second']);
    expect(onSubscriberError).toHaveBeenCalledTimes(1);
    await expect(bus.drain()).resolves.toBeUndefined();
  });

  it('a result whose `then` throws is reported, not thrown out of publish', async () => {
    const onSubscriberError = vi.fn();
    const bus = new EventBus({ onSubscriberError });
    const seen: string[] = [];
    const weird = () => ({
      get then(): never {
        throw new Error('then getter broke');
      },
    });
    bus.subscribe(weird);
    bus.subscribe((e) => void seen.push(messages([e])[0]!));
    expect(() => bus.publish(logEvent('1'))).not.toThrow();
    bus.publish(logEvent('2'));
    expect(seen).toEqual(['1', '2']);
    expect(onSubscriberError).toHaveBeenCalledTimes(2);
    expect((onSubscriberError.mock.calls[0]![0] as Error).message).toBe('then getter broke');
    await expect(bus.drain()).resolves.toBeUndefined();
  });

  it('a thenable that calls back at once is still handled as asynchronous, in order', async () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.subscribe((e) => {
      const m = messages([e])[0]!;
      return {
        then(resolve: () => void) {
          seen.push(m);
          resolve();
        },
      };
    });
    bus.subscribe((e) => {
      if (messages([e])[0] === '1') bus.publish(logEvent('nested'));
    });
    bus.publish(logEvent('1'));
    bus.publish(logEvent('2'));
    await bus.drain();
    expect(seen).toEqual(['1', 'nested', '2']);
  });

  it('drain() called by a subscriber waits for the events it published', async () => {
    const bus = new EventBus();
    const handled: string[] = [];
    let drained: Promise<string[]> | undefined;
    bus.subscribe((e) => {
      if (messages([e])[0] !== 'first') return;
      bus.publish(logEvent('nested'));
      drained = bus.drain().then(() => [...handled]);
    });
    bus.subscribe(async (e) => {
      await new Promise((r) => setTimeout(r, 5));
      handled.push(messages([e])[0]!);
    });
    bus.publish(logEvent('first'));
    expect(await drained).toEqual(['first', 'nested']);
  });
});

describe('EventBus: failing subscribers', () => {
  it('a throwing or rejecting subscriber breaks neither the run nor the other subscribers', async () => {
    const onSubscriberError = vi.fn();
    const state = new ExecutionState({ eventBus: new EventBus({ onSubscriberError }) });
    const sync = () => {
      throw new Error('sync boom');
    };
    const asyncFailing = async () => {
      throw new Error('async boom');
    };
    const good: BusEvent[] = [];
    state.eventBus.subscribe(sync);
    state.eventBus.subscribe(asyncFailing);
    state.eventBus.subscribe((e) => void good.push(e));
    const tool = new Tool({ name: 'T', inputSchema: z.object({}), handler: () => 7 });
    const result = await state.run(tool, {});
    await state.eventBus.drain();
    expect(result).toMatchObject({ ok: true, result: 7 });
    expect(good).toHaveLength(2);
    // one report per failure: 2 events x 2 failing subscribers
    expect(onSubscriberError).toHaveBeenCalledTimes(4);
    const [error, event, subscriber] = onSubscriberError.mock.calls[0]!;
    expect((error as Error).message).toBe('sync boom');
    expect(event).toBe(good[0]);
    expect(subscriber).toBe(sync);
    const asyncCall = onSubscriberError.mock.calls.find(([, , s]) => s === asyncFailing)!;
    expect((asyncCall[0] as Error).message).toBe('async boom');
  });

  it('an onSubscriberError that throws does not break publishing either', async () => {
    const bus = new EventBus({
      onSubscriberError: () => {
        throw new Error('handler of handlers');
      },
    });
    const good = vi.fn();
    bus.subscribe(() => {
      throw new Error('x');
    });
    bus.subscribe(() => Promise.reject(new Error('y')));
    bus.subscribe(good);
    expect(() => bus.publish(logEvent('1'))).not.toThrow();
    await bus.drain();
    expect(good).toHaveBeenCalledTimes(1);
  });

  it('by default reports each failing subscriber once with process.emitWarning', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const bus = new EventBus();
    const failing = () => {
      throw new Error('printer broke');
    };
    const rejecting = {
      handle: () => Promise.reject('not an error'),
    };
    bus.subscribe(failing);
    bus.subscribe(rejecting);
    for (let i = 0; i < 5; i++) bus.publish(logEvent(String(i)));
    await bus.drain();
    expect(warn).toHaveBeenCalledTimes(2);
    const [first, second] = warn.mock.calls;
    expect(first![0]).toMatch(/An event bus subscriber failed; the run goes on/);
    expect(first![0]).toContain('printer broke');
    expect(first![1]).toEqual({ type: 'RhAgentsSubscriberWarning' });
    expect(second![0]).toContain('not an error');
    expect(second![1]).toEqual({ type: 'RhAgentsSubscriberWarning' });
  });

  it('reports an Error without a stack by its message', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const bus = new EventBus();
    bus.subscribe(() => {
      const error = new Error('stackless');
      error.stack = undefined;
      throw error;
    });
    bus.publish(logEvent('1'));
    expect(warn.mock.calls[0]![0]).toMatch(/\nstackless$/);
  });
});

describe('EventBus: stream()', () => {
  it('yields the events published after the call; leaving the loop unsubscribes', async () => {
    const bus = new EventBus();
    bus.publish(logEvent('before'));
    const stream = bus.stream();
    expect(bus.hasSubscribers).toBe(true);
    bus.publish(logEvent('1'));
    setTimeout(() => {
      bus.publish(logEvent('2'));
      bus.publish(logEvent('3'));
    }, 2);
    const seen: string[] = [];
    for await (const event of stream) {
      seen.push(messages([event])[0]!);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(['1', '2', '3']);
    expect(bus.hasSubscribers).toBe(false);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('streams the events of a run', async () => {
    const state = new ExecutionState();
    const stream = state.eventBus.stream();
    const tool = new Tool({ name: 'T', inputSchema: z.object({}), handler: () => 1 });
    const run = state.run(tool, {}).then((r) => r);
    const statuses: string[] = [];
    for await (const event of stream) {
      if (event.kind === 'execution') statuses.push(event.status);
      if (statuses.length === 2) break;
    }
    await run;
    expect(statuses).toEqual(['started', 'completed']);
  });

  it('a signal ends the iteration after the events already buffered', async () => {
    const bus = new EventBus();
    const controller = new AbortController();
    const stream = bus.stream({ signal: controller.signal });
    bus.publish(logEvent('1'));
    bus.publish(logEvent('2'));
    controller.abort();
    bus.publish(logEvent('after abort'));
    const seen: string[] = [];
    for await (const event of stream) seen.push(messages([event])[0]!);
    expect(seen).toEqual(['1', '2']);
    expect(bus.hasSubscribers).toBe(false);
  });

  it('a signal ends an iteration that is waiting', async () => {
    const bus = new EventBus();
    const controller = new AbortController();
    const stream = bus.stream({ signal: controller.signal });
    const next = stream.next();
    setTimeout(() => controller.abort(), 2);
    expect(await next).toEqual({ value: undefined, done: true });
  });

  it('an already aborted signal gives an empty stream', async () => {
    const bus = new EventBus();
    const stream = bus.stream({ signal: AbortSignal.abort() });
    bus.publish(logEvent('1'));
    const seen: BusEvent[] = [];
    for await (const event of stream) seen.push(event);
    expect(seen).toEqual([]);
    expect(bus.hasSubscribers).toBe(false);
  });

  it('close() ends every open stream but keeps other subscribers', async () => {
    const bus = new EventBus();
    const other = vi.fn();
    bus.subscribe(other);
    const a = bus.stream();
    const b = bus.stream();
    const pending = b.next();
    bus.publish(logEvent('1'));
    bus.close();
    bus.publish(logEvent('2'));
    const seenA: string[] = [];
    for await (const event of a) seenA.push(messages([event])[0]!);
    expect(seenA).toEqual(['1']);
    expect((await pending).value).toEqual(logEvent('1'));
    expect(await b.next()).toEqual({ value: undefined, done: true });
    expect(other).toHaveBeenCalledTimes(2);
    expect(bus.hasSubscribers).toBe(true);
    bus.close(); // nothing left to close
  });

  it('return() discards buffered events and is its own async iterator', async () => {
    const bus = new EventBus();
    const stream = bus.stream();
    expect(stream[Symbol.asyncIterator]()).toBe(stream);
    bus.publish(logEvent('1'));
    expect(await stream.return!()).toEqual({ value: undefined, done: true });
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    expect(bus.hasSubscribers).toBe(false);
  });
});

describe('EventBus: a long queue of a slow subscriber', () => {
  it('hands out 20 000 queued events in publish order, then drains', async () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.subscribe(async (event) => {
      if (event.kind === 'log') seen.push(event.message);
      await Promise.resolve();
    });
    for (let i = 0; i < 20_000; i++) bus.publish(logEvent(String(i)));
    expect(seen).toEqual(['0']);
    await bus.drain();
    expect(seen).toHaveLength(20_000);
    expect(seen.every((m, i) => m === String(i))).toBe(true);
  });
});

describe('EventBus: stuck subscribers, stream options and bus options', () => {
  it('drain() resolves once a stuck subscriber is unsubscribed', async () => {
    const bus = new EventBus();
    const unsubscribe = bus.subscribe(() => new Promise(() => {}));
    bus.publish(logEvent('1'));
    bus.publish(logEvent('2'));
    let drained = false;
    const draining = bus.drain().then(() => (drained = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(drained).toBe(false);
    unsubscribe();
    await draining;
    expect(drained).toBe(true);
    await expect(bus.drain()).resolves.toBeUndefined();
  });

  it('a subscriber that unsubscribes while busy and settles later leaves drain() working', async () => {
    const bus = new EventBus();
    let finish: () => void = () => {};
    const unsubscribe = bus.subscribe(() => new Promise<void>((resolve) => (finish = resolve)));
    bus.publish(logEvent('1'));
    unsubscribe();
    finish();
    await new Promise((resolve) => setTimeout(resolve, 1));
    bus.subscribe(async () => {});
    bus.publish(logEvent('2'));
    await expect(bus.drain()).resolves.toBeUndefined();
  });

  it('stream() with bad options throws and leaves no subscription behind', () => {
    const bus = new EventBus();
    expect(() => bus.stream({ signal: 'soon' } as never)).toThrow(
      'eventBus.stream(): expected `signal` to be an AbortSignal, got `"soon"` (string).',
    );
    expect(() => bus.stream({ sigal: undefined } as never)).toThrow(/unknown option `sigal`/);
    expect(() => bus.stream(null as never)).toThrow(/expected \{ signal\? \}, got `null`/);
    expect(bus.hasSubscribers).toBe(false);
  });

  it('validates its own options', () => {
    expect(() => new EventBus({ onSubscriberEror: () => {} } as never)).toThrow(
      /new EventBus\(\): unknown option `onSubscriberEror`; known options are `onSubscriberError`/,
    );
    expect(() => new EventBus({ onSubscriberError: 'log' as never })).toThrow(
      'new EventBus(): expected `onSubscriberError` to be a function, got `"log"` (string).',
    );
    expect(() => new EventBus({ onSubscriberError: null as never })).toThrow(
      'new EventBus(): `onSubscriberError` is null; leave it out (or pass undefined) for its default, or give it a value.',
    );
    expect(() => new EventBus(42 as never)).toThrow(/expected an options object, got `42`/);
  });
});
