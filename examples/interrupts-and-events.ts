/**
 * Watching and stopping a pipeline: event-bus subscribers (functions, `{ handle }` objects, slow
 * async ones, failing ones), `stream()`, `state.log()`, interrupts (`requestInterrupt`, an
 * interrupt checker, `checkInterrupt()`, a state timeout), `EventPrinter.summary()`, and a
 * circuit breaker saved and restored as plain data.
 *
 *   npx tsx examples/interrupts-and-events.ts
 */
import { z } from 'zod';
import {
  CircuitBreaker,
  EventBus,
  EventPrinter,
  ExecutionState,
  InterruptedError,
  Tool,
  type BusEvent,
  type ExecutionResult,
} from '../src/index.js';

/** Waits `ms`; rejects with the signal's reason as soon as it aborts. */
const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

const show = (r: ExecutionResult | undefined): string =>
  r === undefined
    ? 'no result'
    : r.ok
      ? `ok: ${JSON.stringify(r.result)}`
      : `failed: ${r.errorMessage}`;

/** Squares a number; logs through the state, so the message carries the run's address. */
const square = new Tool({
  name: 'Square',
  inputSchema: z.object({ n: z.number() }),
  handler: async ({ n }, _context, state) => {
    if (n < 0) state.log(`negative input ${n}`, 'warning', { n });
    return n * n;
  },
});

// 1. The event bus. Publishing never waits for a subscriber.
console.log('1. Event bus');
const bus = new EventBus({
  // Without this, the first failure of each subscriber is reported by process.emitWarning.
  onSubscriberError: (error, event) => {
    const what = event.kind === 'execution' ? `${event.address} ${event.status}` : event.kind;
    console.log(`  a subscriber failed on ${what}: ${(error as Error).message}`);
  },
});
const state = new ExecutionState({ eventBus: bus });

// A function subscriber: counts events by kind.
const kinds: Record<string, number> = {};
const unsubscribe = bus.subscribe((event) => {
  kinds[event.kind] = (kinds[event.kind] ?? 0) + 1;
});

// An object with a `handle(event)` method: collects log messages.
const logs = {
  lines: [] as string[],
  handle(event: BusEvent) {
    if (event.kind === 'log')
      this.lines.push(`[${event.severity}] ${event.address}: ${event.message}`);
  },
};
bus.subscribe(logs);

// A slow asynchronous subscriber (a dashboard, say): it gets its events from its own queue, in
// publish order, one after another. The runs do not wait for it; `drain()` does.
const shipped: string[] = [];
bus.subscribe(async (event) => {
  await sleep(50);
  if (event.kind === 'execution') shipped.push(`${event.address} ${event.status}`);
});

// A subscriber that throws: the run and the other subscribers go on.
bus.subscribe((event) => {
  if (event.kind === 'execution' && event.status === 'completed') throw new Error('disk full');
});

// `stream()`: the events published from now on, as an async iterable; `close()` ends it.
const streamed: string[] = [];
const reading = (async () => {
  for await (const event of bus.stream())
    if (event.kind === 'execution') streamed.push(event.status);
})();

const r1 = await state.run(square, { n: 3 });
const r2 = await state.run(square, { n: -4 });
console.log(`  results: ${show(r1)}, ${show(r2)}`);
console.log(`  handled by the slow subscriber when the runs returned: ${shipped.length} of 4`);
await bus.drain();
console.log(`  after drain(): ${shipped.length} of 4: ${shipped.join(', ')}`);
console.log(`  logs: ${logs.lines.join('; ')}`);
bus.close();
await reading;
console.log(`  stream() saw ${streamed.join(', ')}, and ended at close()`);
unsubscribe();
await state.run(square, { n: 5 });
console.log(`  events by kind (counted until unsubscribe): ${JSON.stringify(kinds)}`);

// 2. Interrupts. An interrupted state aborts `state.signal`; new runs end at once as
//    `interrupted`. An EventPrinter shows the runs as a tree.
console.log('2. requestInterrupt');
const printer = new EventPrinter();
const job = new ExecutionState();
job.eventBus.subscribe(printer);
job.eventBus.subscribe((event) => {
  if (event.kind === 'interrupt')
    console.log(`  interrupt event: ${event.source}, ${event.reason}`);
});

const crawl = new Tool({
  name: 'Crawl',
  inputSchema: z.object({ pages: z.number().int() }),
  handler: async ({ pages }, _context, state) => {
    for (let page = 1; page <= pages; page++) await sleep(20, state.signal); // stops at abort
    return pages;
  },
});

setTimeout(() => job.requestInterrupt('the user pressed stop'), 70);
const stopped = await job.run(crawl, { pages: 100 });
console.log(`  running crawl: ${show(stopped)}`);
console.log(`  error is an InterruptedError: ${stopped.error instanceof InterruptedError}`);
const later = await job.run(crawl, { pages: 1 });
console.log(`  a later run: ${job.history.get('Crawl#2::tool_call')?.status}, ${show(later)}`);
console.log(`  state.interrupted: ${job.interrupted}`);
const { runs, completed, interrupted } = printer.summary();
console.log(
  `  printer.summary(): ${runs} runs, ${completed} completed, ${interrupted} interrupted`,
);

// An interrupt checker is polled before every run and at every `checkInterrupt()`. Something
// truthy (a reason string, or true) interrupts the state.
console.log('3. interruptChecker and checkInterrupt()');
let processed = 0;
const batch = new ExecutionState({
  interruptChecker: () => processed >= 3 && 'a STOP file was found',
});
const processAll = new Tool({
  name: 'ProcessAll',
  inputSchema: z.object({ items: z.array(z.string()) }),
  handler: async ({ items }, _context, state) => {
    for (const _item of items) {
      await state.checkInterrupt(); // throws InterruptedError once the checker says stop
      await sleep(5);
      processed++;
    }
    return processed;
  },
});
const partial = await batch.run(processAll, { items: ['a', 'b', 'c', 'd', 'e', 'f'] });
console.log(`  processed ${processed} of 6 items, then ${show(partial)}`);
console.log(`  status: ${batch.history.get('ProcessAll::tool_call')?.status}`);

// A state timeout, from the first run's start.
console.log('4. timeoutMs');
const deadline = new ExecutionState({ timeoutMs: 100 });
const t0 = performance.now();
const late = await deadline.run(crawl, { pages: 100 });
const elapsed = performance.now() - t0;
console.log(`  ${show(late)}`);
console.log(`  stopped after about 100 ms, not 2 s: ${elapsed >= 90 && elapsed < 1000}`);

// 5. A circuit breaker as plain data: save with toJSON(), restore with `initialState`.
console.log('5. CircuitBreaker toJSON(), initialState, reset()');
const breaker = new CircuitBreaker({ threshold: 2, resetTimeoutMs: 60_000 });
const failing = new ExecutionState();
await failing.parallel({ name: 'Outage', maxWorkers: 1, circuitBreaker: breaker }, (p) => {
  for (let i = 0; i < 3; i++)
    p.add(async () => {
      throw new Error('503');
    });
});
const saved = JSON.stringify(breaker.toJSON()); // e.g. into a file, before a restart
const { state: savedState, failures } = breaker.toJSON();
console.log(`  saved: state ${savedState}, ${failures} failures`);

const restored = new CircuitBreaker({
  threshold: 2,
  resetTimeoutMs: 60_000,
  initialState: JSON.parse(saved),
});
const refused = await failing.parallel({ name: 'AfterRestart', circuitBreaker: restored }, (p) => {
  p.add(async () => 'served');
});
console.log(`  restored: ${restored.state}; a task: ${show(refused[0])}`);
restored.reset();
const served = await failing.parallel({ name: 'AfterReset', circuitBreaker: restored }, (p) => {
  p.add(async () => 'served');
});
console.log(`  after reset(): ${restored.state}; a task: ${show(served[0])}`);
