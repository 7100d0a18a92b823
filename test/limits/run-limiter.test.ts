import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AdaptiveLimiter,
  Agent,
  type BusEvent,
  ExecutionState,
  type LimitEvent,
  type LimiterPermit,
  type RunLimiter,
  Tool,
} from '../../src/index.js';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function collect(state: ExecutionState): BusEvent[] {
  const events: BusEvent[] = [];
  state.eventBus.subscribe((e) => void events.push(e));
  return events;
}

const rateLimited = (ms: number) =>
  Object.assign(new Error('429 Too Many Requests'), {
    statusCode: 429,
    responseHeaders: { 'retry-after-ms': String(ms) },
  });

describe('the limiter option of an actor', () => {
  it('refuses something that is not a RunLimiter', () => {
    const make = (limiter: unknown) =>
      new Tool({
        name: 'T',
        inputSchema: z.object({}),
        handler: () => 1,
        limiter: limiter as RunLimiter,
      });
    expect(() => make({ maxConcurrency: 4 })).toThrow(
      'Tool \'T\': expected `limiter` to be a RunLimiter (e.g. new AdaptiveLimiter({ maxConcurrency: 16 })), an object with an acquire() method, got `{"maxConcurrency":4}` (object).',
    );
    expect(() => make(null)).toThrow(/`limiter`.*got `null` \(null\)/);
    expect(make(undefined).limiter).toBeUndefined();
  });

  it('keeps the calls of every actor sharing it within its concurrency, across groups', async () => {
    const limiter = new AdaptiveLimiter({ maxConcurrency: 3, adaptive: false });
    let inFlight = 0;
    let peak = 0;
    const make = (name: string) =>
      new Tool({
        name,
        inputSchema: z.object({ i: z.number() }),
        limiter,
        handler: async ({ i }) => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await delay(5);
          inFlight--;
          return i;
        },
      });
    const a = make('A');
    const b = make('B');
    const state = new ExecutionState();
    const [ra, rb] = await Promise.all([
      state.parallel({ maxWorkers: 10 }, (p) => {
        for (let i = 0; i < 12; i++) p.add(state.run(a, { i }));
      }),
      state.parallel({ maxWorkers: 10 }, (p) => {
        for (let i = 0; i < 12; i++) p.add(state.run(b, { i }));
      }),
    ]);
    expect([...ra, ...rb].every((r) => r.ok)).toBe(true);
    expect(peak).toBe(3);
    expect(limiter.snapshot()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('lowers the limit on a 429, publishes a limit event on the bus, and retries after Retry-After', async () => {
    const limiter = new AdaptiveLimiter({ maxConcurrency: 8, initialConcurrency: 4, name: 'api' });
    let calls = 0;
    const tool = new Tool({
      name: 'Call',
      inputSchema: z.object({}),
      limiter,
      retry: { initialDelayMs: 1, jitter: false },
      handler: () => {
        calls++;
        if (calls === 1) throw rateLimited(150);
        return 'ok';
      },
    });
    const state = new ExecutionState({ stateId: 'limits-1' });
    const events = collect(state);
    const started = performance.now();
    const result = await state.run(tool, {});
    expect(result).toMatchObject({ ok: true, result: 'ok' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    const limits = events.filter((e): e is LimitEvent => e.kind === 'limit');
    expect(limits).toEqual([
      {
        kind: 'limit',
        name: 'api',
        concurrency: 3,
        previous: 4,
        reason: 'rate limited (429), retry after 150 ms',
        timestamp: expect.any(Number),
        stateId: 'limits-1',
      },
    ]);
    const retrying = state.history.events.find((r) => r.status === 'retrying');
    expect(retrying?.message).toMatch(/retrying in 150 ms/);
    expect(limiter.snapshot()).toMatchObject({ rateLimited: 1, inFlight: 0 });
  });

  it('releases the permit right after the handler settles, with its outcome', async () => {
    const outcomes: unknown[] = [];
    const limiter: RunLimiter = {
      acquire: async () => ({
        release: (outcome) => outcomes.push(outcome),
      }),
    };
    const failing = new Tool({
      name: 'F',
      inputSchema: z.object({}),
      outputSchema: z.string(),
      limiter,
      retry: { enabled: false },
      handler: () => 42 as unknown as string,
    });
    const state = new ExecutionState();
    const r = await state.run(failing, {});
    // The handler succeeded (its result reached the limiter), then the outputSchema failed the run.
    expect(r.ok).toBe(false);
    expect(outcomes).toEqual([{ ok: true, result: 42 }]);
    const boom = new Error('boom');
    const thrower = new Tool({
      name: 'G',
      inputSchema: z.object({}),
      limiter,
      retry: { maxAttempts: 2, initialDelayMs: 1 },
      handler: () => {
        throw boom;
      },
    });
    await state.run(thrower, {});
    expect(outcomes.slice(1)).toEqual([
      { ok: false, error: boom },
      { ok: false, error: boom },
    ]);
  });

  it('cancels a run that waits for a permit when its group is cancelled', async () => {
    const limiter = new AdaptiveLimiter({ maxConcurrency: 1 });
    const held: LimiterPermit = await limiter.acquire({});
    const tool = new Tool({
      name: 'Wait',
      inputSchema: z.object({}),
      limiter,
      handler: () => 'never',
    });
    const state = new ExecutionState();
    const p = state.parallel({ name: 'G' });
    p.add(state.run(tool, {}));
    await delay(10);
    expect(limiter.snapshot().queued).toBe(1);
    p.cancel('stop waiting');
    const [r] = await p.gather().catch(() => p.results ?? []);
    expect(r).toMatchObject({ ok: false });
    expect(state.history.events.at(-1)?.status).toBe('cancelled');
    expect(limiter.snapshot()).toMatchObject({ queued: 0, inFlight: 1 });
    held.release({ ok: true, result: undefined });
  });
});

describe('Retry-After without a limiter', () => {
  it('a retry of a failure that carried Retry-After waits at least that long', async () => {
    let calls = 0;
    const times: number[] = [];
    const tool = new Tool({
      name: 'Quota',
      inputSchema: z.object({}),
      retry: { maxAttempts: 3, initialDelayMs: 1, jitter: false },
      handler: () => {
        times.push(performance.now());
        calls++;
        if (calls < 3)
          throw Object.assign(new Error('slow down'), {
            status: 503,
            headers: new Headers({ 'retry-after': '0.1' }),
          });
        return calls;
      },
    });
    const state = new ExecutionState();
    const r = await state.run(tool, {});
    expect(r).toMatchObject({ ok: true, result: 3 });
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(95);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(95);
  });

  it('keeps the longer backoff when it exceeds the Retry-After', async () => {
    let calls = 0;
    const tool = new Agent({
      name: 'Backoff',
      inputSchema: z.object({}),
      retry: { maxAttempts: 2, initialDelayMs: 120, jitter: false },
      handler: () => {
        calls++;
        if (calls < 2)
          throw Object.assign(new Error('busy'), {
            statusCode: 429,
            responseHeaders: { 'retry-after-ms': '5' },
          });
        return 'done';
      },
    });
    const state = new ExecutionState();
    await state.run(tool, {});
    expect(state.history.events.find((r) => r.status === 'retrying')?.message).toMatch(
      /retrying in 120 ms/,
    );
  });
});
