import { describe, expect, it } from 'vitest';
import {
  AdaptiveLimiter,
  type AdaptiveLimiterOptions,
  type LimitChange,
  type LimiterPermit,
} from '../../src/index.js';

const rateLimited = (ms?: number) =>
  Object.assign(new Error('429 Too Many Requests'), {
    statusCode: 429,
    responseHeaders: ms === undefined ? {} : { 'retry-after-ms': String(ms) },
  });

/** Acquires `n` permits without awaiting them; returns the promises and the order they resolved in. */
function acquireMany(limiter: AdaptiveLimiter, n: number, publish?: (c: LimitChange) => void) {
  const order: number[] = [];
  const permits: Promise<LimiterPermit>[] = [];
  for (let i = 0; i < n; i++) {
    permits.push(
      limiter.acquire({ publish }).then((permit) => {
        order.push(i);
        return permit;
      }),
    );
  }
  return { permits, order };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('AdaptiveLimiter options', () => {
  const bad: [string, unknown, RegExp][] = [
    [
      'not an object',
      null,
      /expected an options object such as \{ maxConcurrency: 64 \}, got `null` \(null\)/,
    ],
    [
      'maxConcurrency 0',
      { maxConcurrency: 0 },
      /`maxConcurrency` to be a whole number from 1 up or `Infinity`, got `0` \(number\)/,
    ],
    ['maxConcurrency NaN', { maxConcurrency: NaN }, /`maxConcurrency`.*got `NaN` \(number\)/],
    ['maxConcurrency missing', {}, /`maxConcurrency`.*got `undefined`/],
    [
      'min above max',
      { maxConcurrency: 4, minConcurrency: 5 },
      /`minConcurrency` `5` \(number\) is above `maxConcurrency` `4` \(number\); lower minConcurrency or raise maxConcurrency/,
    ],
    ['min 0', { maxConcurrency: 4, minConcurrency: 0 }, /`minConcurrency`.*got `0`/],
    [
      'initial above max',
      { maxConcurrency: 4, initialConcurrency: 10 },
      /`initialConcurrency` to be between minConcurrency \(1\) and maxConcurrency \(4\), got `10` \(number\)/,
    ],
    [
      'initial below min',
      { maxConcurrency: 9, minConcurrency: 3, initialConcurrency: 2 },
      /`initialConcurrency`.*got `2`/,
    ],
    [
      'initial 1.5',
      { maxConcurrency: 9, initialConcurrency: 1.5 },
      /`initialConcurrency` to be a whole number/,
    ],
    [
      'requestsPerMinute 0',
      { maxConcurrency: 4, requestsPerMinute: 0 },
      /`requestsPerMinute` to be a finite number greater than 0, got `0`/,
    ],
    [
      'tokensPerMinute NaN',
      { maxConcurrency: 4, tokensPerMinute: NaN },
      /`tokensPerMinute`.*got `NaN` \(number\)/,
    ],
    [
      'adaptive "yes"',
      { maxConcurrency: 4, adaptive: 'yes' },
      /`adaptive` to be true or false, got `"yes"` \(string\)/,
    ],
    ['name empty', { maxConcurrency: 4, name: ' ' }, /`name` to be a non-empty string, got `" "`/],
    ['a typo', { maxConcurency: 4 }, /unknown option `maxConcurency`/],
  ];
  it.each(bad)('refuses %s with a message naming the option and value', (_, options, message) => {
    expect(() => new AdaptiveLimiter(options as AdaptiveLimiterOptions)).toThrow(message);
    expect(() => new AdaptiveLimiter(options as AdaptiveLimiterOptions)).toThrow(
      /new AdaptiveLimiter\(\)/,
    );
  });

  it('starts at 8, at most maxConcurrency, at least minConcurrency', () => {
    expect(new AdaptiveLimiter({ maxConcurrency: 64 }).snapshot().concurrency).toBe(8);
    expect(new AdaptiveLimiter({ maxConcurrency: 3 }).snapshot().concurrency).toBe(3);
    expect(
      new AdaptiveLimiter({ maxConcurrency: 64, minConcurrency: 10 }).snapshot().concurrency,
    ).toBe(10);
    expect(
      new AdaptiveLimiter({ maxConcurrency: Infinity, initialConcurrency: 2 }).snapshot(),
    ).toEqual({
      concurrency: 2,
      inFlight: 0,
      queued: 0,
      rateLimited: 0,
    });
  });
});

describe('AdaptiveLimiter concurrency', () => {
  it('never lets more than its concurrency in flight, and serves waiters in order', async () => {
    const limiter = new AdaptiveLimiter({ maxConcurrency: 3, adaptive: false });
    const { permits, order } = acquireMany(limiter, 7);
    await tick();
    expect(order).toEqual([0, 1, 2]);
    expect(limiter.snapshot()).toMatchObject({ inFlight: 3, queued: 4 });
    (await permits[1])!.release({ ok: true, result: 1 });
    await tick();
    expect(order).toEqual([0, 1, 2, 3]);
    // Releasing twice frees one slot only.
    (await permits[1])!.release({ ok: true, result: 1 });
    await tick();
    expect(order).toEqual([0, 1, 2, 3]);
    for (const i of [0, 2, 3]) (await permits[i])!.release({ ok: true, result: i });
    await tick();
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(limiter.snapshot()).toMatchObject({ inFlight: 3, queued: 0 });
  });

  it('rejects with the signal reason when aborted while queued, leaving nothing queued', async () => {
    const limiter = new AdaptiveLimiter({ maxConcurrency: 1 });
    const held = await limiter.acquire({});
    const controller = new AbortController();
    const waiting = limiter.acquire({ signal: controller.signal });
    const next = limiter.acquire({});
    expect(limiter.snapshot().queued).toBe(2);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(limiter.snapshot().queued).toBe(1);
    held.release({ ok: true, result: undefined });
    const permit = await next;
    expect(limiter.snapshot()).toMatchObject({ inFlight: 1, queued: 0 });
    permit.release({ ok: true, result: undefined });
    // An already aborted signal rejects at once.
    await expect(limiter.acquire({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it('removes its abort listener once the permit is given', async () => {
    const limiter = new AdaptiveLimiter({ maxConcurrency: 1 });
    const controller = new AbortController();
    let added = 0;
    let removed = 0;
    const signal = controller.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<typeof add>) => {
      added++;
      add(...args);
    }) as typeof add;
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      removed++;
      remove(...args);
    }) as typeof remove;
    for (let i = 0; i < 100; i++)
      (await limiter.acquire({ signal })).release({ ok: true, result: i });
    expect(added).toBe(100);
    expect(removed).toBe(100);
  });
});

describe('AdaptiveLimiter adaptation', () => {
  it('drops multiplicatively on a rate limit, once per episode, and publishes the change', async () => {
    const changes: LimitChange[] = [];
    const limiter = new AdaptiveLimiter({
      maxConcurrency: 20,
      initialConcurrency: 10,
      name: 'openai',
    });
    const { permits } = acquireMany(limiter, 10, (c) => changes.push(c));
    const held = await Promise.all(permits);
    // Three calls of the same episode fail: the limit drops once.
    for (const p of held.slice(0, 3)) p.release({ ok: false, error: rateLimited() });
    expect(changes).toEqual([
      { name: 'openai', concurrency: 8, previous: 10, reason: 'rate limited (429)' },
    ]);
    expect(limiter.snapshot()).toMatchObject({ concurrency: 8, rateLimited: 3, inFlight: 7 });
    // A call started after the drop that fails again drops it again.
    const later = await limiter.acquire({ publish: (c) => changes.push(c) });
    later.release({ ok: false, error: { status: 503 } });
    expect(changes.at(-1)).toEqual({
      name: 'openai',
      concurrency: 6,
      previous: 8,
      reason: 'rate limited (503)',
    });
    // Other failures change nothing.
    held[3]!.release({ ok: false, error: new Error('HTTP 500') });
    expect(limiter.snapshot()).toMatchObject({ concurrency: 6, rateLimited: 4 });
    for (const p of held) p.release({ ok: true, result: undefined });
  });

  it('counts a rate limit wrapped in another error (its cause)', async () => {
    const limiter = new AdaptiveLimiter({ maxConcurrency: 10, initialConcurrency: 5 });
    const changes: LimitChange[] = [];
    const p = await limiter.acquire({ publish: (c) => changes.push(c) });
    p.release({ ok: false, error: new Error('call failed', { cause: { statusCode: 503 } }) });
    expect(changes).toEqual([
      { name: 'limiter', concurrency: 4, previous: 5, reason: 'rate limited (503)' },
    ]);
  });

  it('does not drop below minConcurrency', async () => {
    const limiter = new AdaptiveLimiter({
      maxConcurrency: 4,
      minConcurrency: 2,
      initialConcurrency: 2,
    });
    const changes: LimitChange[] = [];
    const p = await limiter.acquire({ publish: (c) => changes.push(c) });
    p.release({ ok: false, error: rateLimited() });
    expect(limiter.snapshot().concurrency).toBe(2);
    expect(changes).toEqual([]);
  });

  it('pauses every call until the Retry-After a failure carried', async () => {
    const limiter = new AdaptiveLimiter({ maxConcurrency: 4 });
    const first = await limiter.acquire({});
    first.release({ ok: false, error: rateLimited(120) });
    const paused = limiter.snapshot().pausedUntil;
    expect(paused).toBeGreaterThan(Date.now() + 80);
    const started = performance.now();
    const permits = await Promise.all([limiter.acquire({}), limiter.acquire({})]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    expect(limiter.snapshot().pausedUntil).toBeUndefined();
    for (const p of permits) p.release({ ok: true, result: undefined });
  });

  it('grows by one after sustained success while calls wait, up to maxConcurrency', async () => {
    const limiter = new AdaptiveLimiter({ maxConcurrency: 4, initialConcurrency: 2 });
    const changes: LimitChange[] = [];
    let inFlight = 0;
    let peak = 0;
    const call = async (): Promise<void> => {
      const permit = await limiter.acquire({ publish: (c) => changes.push(c) });
      inFlight++;
      peak = Math.max(peak, inFlight);
      expect(inFlight).toBeLessThanOrEqual(limiter.snapshot().concurrency);
      await tick();
      inFlight--;
      permit.release({ ok: true, result: { usage: { totalTokens: 10 } } });
    };
    await Promise.all(Array.from({ length: 60 }, call));
    expect(changes.map((c) => [c.previous, c.concurrency, c.reason])).toEqual([
      [2, 3, 'sustained success'],
      [3, 4, 'sustained success'],
    ]);
    expect(peak).toBe(4);
    expect(limiter.snapshot().concurrency).toBe(4);
  });

  it('does not grow when nothing waits (the limit is not what holds calls back)', async () => {
    const limiter = new AdaptiveLimiter({ maxConcurrency: 64, initialConcurrency: 2 });
    for (let i = 0; i < 50; i++) (await limiter.acquire({})).release({ ok: true, result: i });
    expect(limiter.snapshot().concurrency).toBe(2);
  });

  it('grows back more carefully near the level that was rate-limited', async () => {
    const limiter = new AdaptiveLimiter({ maxConcurrency: 10, initialConcurrency: 5 });
    (await limiter.acquire({})).release({ ok: false, error: rateLimited() });
    expect(limiter.snapshot().concurrency).toBe(4);
    let released = 0;
    const run = async () => {
      const p = await limiter.acquire({});
      await tick();
      released++;
      p.release({ ok: true, result: undefined });
      return limiter.snapshot().concurrency;
    };
    const levels = await Promise.all(Array.from({ length: 40 }, run));
    // 4 -> 5 needs 4 x 4 successes (5 is where it was rate-limited), not 4.
    expect(levels.indexOf(5)).toBeGreaterThanOrEqual(15);
    expect(released).toBe(40);
  });

  it('with adaptive: false keeps its concurrency but still pauses', async () => {
    const limiter = new AdaptiveLimiter({
      maxConcurrency: 4,
      initialConcurrency: 2,
      adaptive: false,
    });
    const changes: LimitChange[] = [];
    (await limiter.acquire({ publish: (c) => changes.push(c) })).release({
      ok: false,
      error: rateLimited(30),
    });
    expect(limiter.snapshot()).toMatchObject({ concurrency: 2, rateLimited: 1 });
    expect(limiter.snapshot().pausedUntil).toBeGreaterThan(Date.now());
    expect(changes).toEqual([]);
  });

  it('keeps its accounting when a publish callback throws', async () => {
    const limiter = new AdaptiveLimiter({ maxConcurrency: 4, initialConcurrency: 4 });
    const p = await limiter.acquire({
      publish: () => {
        throw new Error('bus gone');
      },
    });
    p.release({ ok: false, error: rateLimited() });
    expect(limiter.snapshot()).toMatchObject({ concurrency: 3, inFlight: 0 });
  });
});

describe('AdaptiveLimiter budgets', () => {
  it('spreads requestsPerMinute evenly: one second of them at once, then at the rate', async () => {
    // 1200 per minute: 20 per second, a burst of 20, then one every 50 ms.
    const limiter = new AdaptiveLimiter({
      maxConcurrency: 100,
      initialConcurrency: 100,
      requestsPerMinute: 1200,
    });
    const started = performance.now();
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 24 }, async () => {
        const p = await limiter.acquire({});
        times.push(performance.now() - started);
        p.release({ ok: true, result: undefined });
      }),
    );
    expect(times.filter((t) => t < 30)).toHaveLength(20);
    expect(times.at(-1)).toBeGreaterThanOrEqual(180);
    expect(times.at(-1)).toBeLessThan(1000);
  });

  it('charges tokensPerMinute from result.usage and waits while the budget is spent', async () => {
    // 60 000 per minute: 1000 per second, 1 per ms.
    const limiter = new AdaptiveLimiter({ maxConcurrency: 10, tokensPerMinute: 60_000 });
    const first = await limiter.acquire({});
    first.release({ ok: true, result: { usage: { inputTokens: 900, outputTokens: 250 } } });
    // 1000 - 1150 = -150 tokens: the next call waits about 150 ms.
    const started = performance.now();
    const second = await limiter.acquire({});
    expect(performance.now() - started).toBeGreaterThanOrEqual(120);
    second.release({ ok: true, result: { usage: { totalTokens: 'many' } } });
    (await limiter.acquire({})).release({ ok: true, result: 'no usage' });
    (await limiter.acquire({})).release({ ok: true, result: { usage: null } });
  });
});
