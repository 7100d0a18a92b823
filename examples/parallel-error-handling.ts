/**
 * When tasks fail: `fail_slow` (the default) vs `fail_fast`, a group timeout, group retries, and a
 * circuit breaker shared by two groups.
 *
 *   npx tsx examples/parallel-error-handling.ts
 */
import { z } from 'zod';
import {
  CircuitBreaker,
  ErrorStrategy,
  ExecutionState,
  ParallelTimeoutError,
  Tool,
  type ParallelResult,
} from '../src/index.js';

/** Waits `ms`; rejects with the signal's reason as soon as it aborts. */
const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
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

const show = (r: ParallelResult): string =>
  `  [${r.index}] ${r.name ?? ''} ${r.ok ? `ok: ${JSON.stringify(r.result)}` : `failed: ${r.errorMessage}`}`;

/** Charges a card; card numbers ending in 0 are declined. */
const charge = new Tool({
  name: 'Charge',
  description: 'Charges one card',
  inputSchema: z.object({ card: z.string().regex(/^\d{4}$/), cents: z.number().int().positive() }),
  // Declines are final: no tool-level retry (tools retry 3 times by default).
  retry: { enabled: false },
  handler: async ({ card, cents }, _context, state) => {
    await sleep(50 + (Number(card) % 7) * 20, state.signal);
    if (card.endsWith('0')) throw new Error(`card ${card} was declined`);
    return { card, cents };
  },
});

const state = new ExecutionState();
const cards = ['1234', '5550', '4321', '8765', '1111'];

// 1. fail_slow (default): every task runs; failures come back as `ok: false` results.
console.log('fail_slow:');
const all = await state.parallel({ name: 'ChargeAll', maxWorkers: 2 }, (p) => {
  for (const card of cards) p.add(() => state.run(charge, { card, cents: 500 }), card);
});
all.forEach((r) => console.log(show(r)));
console.log(
  `  ${all.filter((r) => r.ok).length} charged, ${all.filter((r) => !r.ok).length} declined`,
);

// 2. fail_fast: the first failure rejects gather() with that error; running siblings' signals
//    abort and queued tasks never start.
console.log('fail_fast:');
const declined = new Error('card 5550 was declined');
let started = 0;
try {
  await state.parallel(
    { name: 'ChargeOrNothing', maxWorkers: 2, errorStrategy: ErrorStrategy.FAIL_FAST },
    (p) => {
      for (const card of cards) {
        p.add(async ({ signal }) => {
          started++;
          await sleep(card === '5550' ? 30 : 200, signal);
          if (card === '5550') throw declined;
          return card;
        }, card);
      }
    },
  );
} catch (error) {
  console.log(
    `  gather() rejected with the task's own error: ${error === declined} (${(error as Error).message})`,
  );
  console.log(`  ${started} of ${cards.length} tasks started; the rest never ran`);
}

// 3. timeoutMs: gather() rejects with a ParallelTimeoutError that keeps what finished.
console.log('timeoutMs:');
try {
  await state.parallel({ name: 'Quotes', maxWorkers: 3, timeoutMs: 150 }, (p) => {
    for (const ms of [20, 60, 400])
      p.add(({ signal }) => sleep(ms, signal).then(() => `${ms} ms quote`), `${ms}ms`);
  });
} catch (error) {
  if (!(error instanceof ParallelTimeoutError)) throw error;
  console.log(`  ${error.name}: ${error.message}`);
  error.results.forEach((r) => console.log(show(r)));
}

// 4. maxRetries: the group invokes a failed task again (retryDelayMs, doubling, with jitter).
console.log('maxRetries:');
let calls = 0; // invocations of the flaky task
const retried = await state.parallel({ name: 'Flaky', maxRetries: 2, retryDelayMs: 50 }, (p) => {
  p.add(async ({ attempt }) => {
    calls++;
    if (attempt < 3) throw new Error(`ECONNRESET on attempt ${attempt}`);
    return `succeeded on attempt ${attempt}`;
  }, 'flaky');
  p.add(async () => {
    throw new Error('HTTP 500');
  }, 'broken');
});
retried.forEach((r) => console.log(show(r)));
console.log(`  the flaky task was invoked ${calls} times, the broken one 3 times`);

// 5. A CircuitBreaker shared by two groups: after 3 failures it opens and refuses tasks without
//    invoking them; after resetTimeoutMs it lets a trial through, and a success closes it again.
console.log('circuitBreaker:');
const breaker = new CircuitBreaker({ threshold: 3, resetTimeoutMs: 300 });
breaker.onStateChange((s) => console.log(`  (breaker is now ${s})`));
let invoked = 0;
const outage = await state.parallel(
  { name: 'DuringOutage', maxWorkers: 1, circuitBreaker: breaker },
  (p) => {
    for (let i = 0; i < 6; i++)
      p.add(async () => {
        invoked++;
        throw new Error('service unavailable');
      });
  },
);
const refused = outage.filter((r) => r.errorMessage?.includes('Circuit breaker open')).length;
console.log(`  during the outage: ${invoked} invoked, ${refused} refused without being invoked`);
await sleep(350);
const recovered = await state.parallel(
  { name: 'AfterOutage', maxWorkers: 1, circuitBreaker: breaker },
  (p) => {
    for (let i = 0; i < 3; i++) p.add(async () => `request ${i} served`);
  },
);
console.log(
  `  after the reset timeout: ${recovered.filter((r) => r.ok).length} of 3 served, breaker ${breaker.state}`,
);
