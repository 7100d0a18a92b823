/**
 * Rate limits: an `AdaptiveLimiter` shared by every ChatLLM call lowers its concurrency when the
 * provider answers 429, pauses every call until the Retry-After the 429 carried, and grows back
 * on sustained success. And, with or without a limiter, a retry waits at least the Retry-After.
 * The provider is a simulated OpenAI-compatible server started here on loopback, enforcing 60
 * requests per second.
 *
 *   npx tsx examples/rate-limits.ts
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { startSimulatedOpenAI } from '../simulator/openai-server.js';
import { ChatLLM } from '../src/ai/index.js';
import { AdaptiveLimiter, ExecutionState, type LimitEvent } from '../src/index.js';

// 1. Many calls at once against a rate limit.
const server = await startSimulatedOpenAI({ requestsPerSecond: 60, latencyMs: 50 });
const model = createOpenAICompatible({ name: 'simulated', baseURL: server.url })('sim');

const limiter = new AdaptiveLimiter({ maxConcurrency: 32, name: 'simulated-api' });
const llm = new ChatLLM({
  name: 'Ask',
  model,
  limiter,
  retry: { maxAttempts: 8, initialDelayMs: 50 },
});

const state = new ExecutionState();
const changes: LimitEvent[] = [];
state.eventBus.subscribe((event) => {
  if (event.kind === 'limit') changes.push(event);
});

const CALLS = 120;
const started = performance.now();
const results = await state.parallel({ name: 'Questions', maxWorkers: 32 }, (p) => {
  for (let i = 0; i < CALLS; i++) p.add(state.run(llm, { prompt: `Question ${i}` }));
});
const seconds = (performance.now() - started) / 1000;

const ok = results.filter((r) => r.ok).length;
const refused = server.stats().byStatus[429] ?? 0;
console.log(
  `${ok} of ${CALLS} calls succeeded in ${seconds.toFixed(1)} s (${(ok / seconds).toFixed(0)} calls/s against a limit of 60/s)`,
);
console.log(`the server refused ${refused} of ${server.requests.length} requests with 429`);
console.log('limit events (first 6):');
for (const c of changes.slice(0, 6))
  console.log(`  ${c.previous} -> ${c.concurrency}: ${c.reason}`);
const dropped = changes.some(
  (c) => c.concurrency < c.previous && c.reason.startsWith('rate limited (429)'),
);
console.log(`the limiter lowered its concurrency after a 429: ${dropped}`);
console.log(`snapshot: ${JSON.stringify({ ...limiter.snapshot(), pausedUntil: undefined })}`);
await server.close();

// 2. Retry-After honoured without any limiter: the retry waits what the server asked.
const busy = await startSimulatedOpenAI({
  script: (_request, { index }) =>
    index === 0 ? { status: 429, retryAfterMs: 300 } : { text: 'served' },
});
const plain = new ChatLLM({
  name: 'Plain',
  model: createOpenAICompatible({ name: 'busy', baseURL: busy.url })('sim'),
  retry: { initialDelayMs: 10 }, // the backoff alone would retry after ~10 ms
});
const answer = await new ExecutionState().run(plain, { prompt: 'Hello' });
const [first, second] = busy.requests;
const waited = (second?.receivedAt ?? 0) - (first?.receivedAt ?? 0);
console.log(
  `after a 429 with retry-after-ms 300: ${answer.ok ? answer.result.text : answer.errorMessage}`,
);
console.log(`the retry came 300 ms or more after the 429: ${waited >= 300}`);
await busy.close();
