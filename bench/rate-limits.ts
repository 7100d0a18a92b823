/**
 * Rate limits: 1 500 ChatLLM calls in one group of 200 workers against a loopback
 * OpenAI-compatible server (the simulator, in a process of its own) that enforces 100 requests per second (429 with `retry-after-ms`
 * beyond it) and answers in 100 ms, with an `AdaptiveLimiter`, against a baseline of p-limit(200)
 * calling the same server through the AI SDK with a retry loop that honours Retry-After.
 * Targets (issue 10): throughput at least 90% of the server's limit, under 5% of requests
 * refused with 429.
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText } from 'ai';
import pLimit from 'p-limit';
import { ChatLLM } from '../src/ai/index.js';
import { AdaptiveLimiter, ExecutionState, isRateLimitError, retryAfterMs } from '../src/index.js';
import { fixed, sleepMs, table } from './measure.js';
import { startSimulatorProcess } from './simulator-process.js';

export interface RateLimitFigures {
  name: string;
  /** Calls that succeeded, of all made. */
  succeeded: number;
  calls: number;
  seconds: number;
  /** Successful calls per second. */
  throughput: number;
  /** Throughput as a share of the server's limit (0 to 1). */
  ofLimit: number;
  /** HTTP requests the server received, and how many it refused with 429. */
  requests: number;
  refused: number;
  /** Refused as a share of requests (0 to 1). */
  refusedShare: number;
}

export interface RateLimitBenchOptions {
  calls?: number;
  workers?: number;
  requestsPerSecond?: number;
  latencyMs?: number;
}

async function measure(
  name: string,
  options: Required<RateLimitBenchOptions>,
  run: (model: ReturnType<ReturnType<typeof createOpenAICompatible>>) => Promise<number>,
): Promise<RateLimitFigures> {
  const { requestsPerSecond, latencyMs, calls } = options;
  // The server runs in a process of its own, as a real provider would.
  const server = await startSimulatorProcess({ requestsPerSecond, latencyMs });
  try {
    const provider = createOpenAICompatible({
      name: 'sim',
      baseURL: server.url,
      includeUsage: true,
    });
    const model = provider('sim-model');
    // One call first, so module loading and the first connection are not measured; then a
    // pause, so the server's rate-limit bucket is full again.
    await generateText({ model, prompt: 'warm up', maxRetries: 0 });
    await sleepMs(1000);
    const before = await server.stats();
    const started = performance.now();
    const succeeded = await run(model);
    const seconds = (performance.now() - started) / 1000;
    const after = await server.stats();
    const requests = after.requests - before.requests;
    const refused = (after.byStatus[429] ?? 0) - (before.byStatus[429] ?? 0);
    const throughput = succeeded / seconds;
    return {
      name,
      succeeded,
      calls,
      seconds,
      throughput,
      ofLimit: throughput / requestsPerSecond,
      requests,
      refused,
      refusedShare: refused / requests,
    };
  } finally {
    await server.close();
  }
}

/** rh-agents: ChatLLM runs in one group, sharing an AdaptiveLimiter. */
function adaptive(options: Required<RateLimitBenchOptions>) {
  return measure('rh-agents: ChatLLM + AdaptiveLimiter', options, async (model) => {
    const limiter = new AdaptiveLimiter({ maxConcurrency: options.workers });
    const llm = new ChatLLM({
      name: 'Call',
      model,
      limiter,
      retry: { maxAttempts: 20, initialDelayMs: 50, maxDelayMs: 2000 },
    });
    const state = new ExecutionState();
    const results = await state.parallel({ maxWorkers: options.workers }, (p) => {
      for (let i = 0; i < options.calls; i++) p.add(state.run(llm, { prompt: `Question ${i}` }));
    });
    return results.filter((r) => r.ok).length;
  });
}

/** The baseline: p-limit(200) and a retry loop that honours Retry-After, on the AI SDK directly. */
function baseline(options: Required<RateLimitBenchOptions>) {
  return measure('baseline: p-limit(200) + retry honouring Retry-After', options, async (model) => {
    const limit = pLimit(options.workers);
    const call = async (i: number): Promise<boolean> => {
      for (let attempt = 1; attempt <= 20; attempt++) {
        try {
          await generateText({ model, prompt: `Question ${i}`, maxRetries: 0 });
          return true;
        } catch (error) {
          if (!isRateLimitError(error)) throw error;
          await sleepMs(retryAfterMs(error) ?? 1000);
        }
      }
      return false;
    };
    const ok = await Promise.all(
      Array.from({ length: options.calls }, (_, i) => limit(() => call(i))),
    );
    return ok.filter(Boolean).length;
  });
}

/** Runs both and returns the table, the figures and whether the targets were met. */
export async function rateLimitBench(overrides: RateLimitBenchOptions = {}): Promise<{
  text: string;
  adaptive: RateLimitFigures;
  baseline: RateLimitFigures;
  met: boolean;
}> {
  const options: Required<RateLimitBenchOptions> = {
    calls: 1500,
    workers: 200,
    requestsPerSecond: 100,
    latencyMs: 100,
    ...overrides,
  };
  const a = await adaptive(options);
  const b = await baseline(options);
  const pct = (x: number): string => `${fixed(x * 100)}%`;
  const text = table(
    ['contender', 'ok calls', 's', 'calls/s', 'of the limit', 'requests', '429s', '429 share'],
    [a, b].map((f) => [
      f.name,
      `${f.succeeded}/${f.calls}`,
      fixed(f.seconds),
      fixed(f.throughput),
      pct(f.ofLimit),
      String(f.requests),
      String(f.refused),
      pct(f.refusedShare),
    ]),
  );
  const met = a.succeeded === a.calls && a.ofLimit >= 0.9 && a.refusedShare < 0.05;
  return { text, adaptive: a, baseline: b, met };
}

// `tsx bench/rate-limits.ts` runs it alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { text, met } = await rateLimitBench();
  console.log(text);
  console.log(`\nTargets (>= 90% of the limit, < 5% refused): ${met ? 'met' : 'NOT met'}.`);
}
