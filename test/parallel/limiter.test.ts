import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter } from '../../src/parallel/limiter.js';

describe('ConcurrencyLimiter (internal)', () => {
  it('counts active slots and the peak', () => {
    const limiter = new ConcurrencyLimiter(2);
    expect(limiter.limit).toBe(2);
    expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(false);
    expect(limiter.active).toBe(2);
    expect(limiter.peak).toBe(2);
    limiter.release();
    expect(limiter.active).toBe(1);
    expect(limiter.peak).toBe(2);
  });

  it('hands a released slot to the deepest waiter; reacquire waits with top priority', async () => {
    const limiter = new ConcurrencyLimiter(1);
    limiter.tryAcquire();
    const granted: string[] = [];
    const shallow = { depth: 0, grant: () => granted.push('shallow') };
    const deep = { depth: 3, grant: () => granted.push('deep') };
    const cancelled = { depth: 5, grant: () => granted.push('cancelled') };
    limiter.wait(shallow);
    limiter.wait(deep);
    limiter.wait(cancelled);
    limiter.cancelWait(cancelled);
    limiter.cancelWait(cancelled); // unknown waiter: nothing happens
    const back = limiter.reacquire().then(() => granted.push('reacquired'));
    limiter.release();
    await back;
    limiter.release();
    limiter.release();
    expect(granted).toEqual(['reacquired', 'deep', 'shallow']);
    // the slot stayed owned the whole time: active never dropped below 1 while waiters existed
    limiter.release();
    expect(limiter.active).toBe(0);
    await expect(limiter.reacquire()).resolves.toBeUndefined();
    expect(limiter.active).toBe(1);
  });
});
