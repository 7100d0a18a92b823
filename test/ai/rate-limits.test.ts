/** An AdaptiveLimiter on ChatLLM calls against a server that enforces a rate limit, over real HTTP. */
import { describe, expect, it } from 'vitest';
import { ChatLLM } from '../../src/ai/index.js';
import { AdaptiveLimiter, ExecutionState, type LimitEvent } from '../../src/index.js';
import { collect, simulated } from './helpers.js';

describe('AdaptiveLimiter on ChatLLM calls', () => {
  it('never has more calls in flight than its concurrency', async () => {
    const { server, model } = await simulated({ latencyMs: 30 });
    const limiter = new AdaptiveLimiter({ maxConcurrency: 4, adaptive: false });
    const llm = new ChatLLM({ name: 'W', model, limiter });
    const state = new ExecutionState();
    const results = await state.parallel({ maxWorkers: 30 }, (p) => {
      for (let i = 0; i < 30; i++) p.add(state.run(llm, { prompt: `q${i}` }));
    });
    expect(results.every((r) => r.ok)).toBe(true);
    expect(server.stats().maxInFlight).toBe(4);
    expect(limiter.snapshot()).toEqual({ concurrency: 4, inFlight: 0, queued: 0, rateLimited: 0 });
  });

  it('drops its concurrency on 429s, pauses for Retry-After, recovers, and every call succeeds', async () => {
    // 40 requests per second at 50 ms each: about 2 calls in flight is all the server takes.
    const { server, model } = await simulated({ requestsPerSecond: 40, burst: 4, latencyMs: 50 });
    const limiter = new AdaptiveLimiter({
      maxConcurrency: 40,
      initialConcurrency: 12,
      name: 'sim',
    });
    const llm = new ChatLLM({
      name: 'W',
      model,
      limiter,
      retry: { maxAttempts: 10, initialDelayMs: 1, jitter: false },
    });
    const state = new ExecutionState();
    const events = collect(state);
    const results = await state.parallel({ maxWorkers: 40 }, (p) => {
      for (let i = 0; i < 60; i++) p.add(state.run(llm, { prompt: `q${i}` }));
    });
    expect(results.every((r) => r.ok)).toBe(true);
    const refused = server.stats().byStatus[429] ?? 0;
    expect(refused).toBeGreaterThan(0);
    // Every 429 the server sent reached the limiter as a rate-limit failure.
    expect(limiter.snapshot().rateLimited).toBe(refused);
    // Without the limiter, 40 workers would be refused far more often than they are served.
    expect(refused).toBeLessThan(60);
    const limits = events.filter((e): e is LimitEvent => e.kind === 'limit');
    const firstDrop = limits.findIndex((e) =>
      e.reason.startsWith('rate limited (429), retry after'),
    );
    expect(firstDrop).toBeGreaterThanOrEqual(0);
    expect(limits[firstDrop]).toMatchObject({ name: 'sim', previous: 12, concurrency: 9 });
    expect(limits.slice(firstDrop).some((e) => e.reason === 'sustained success')).toBe(true);
    for (const e of limits) expect(e.concurrency).toBeLessThanOrEqual(40);
    expect(Math.min(...limits.map((e) => e.concurrency))).toBeLessThan(6);
  });
});
