/** Something waiting for a state-wide slot; deeper waiters are served first. */
export interface SlotWaiter {
  /** Nesting depth of the waiting group; `Infinity` for a branch taking back a lent slot. */
  readonly depth: number;
  /** Receives a slot; the receiver owns it and must `release()` it. */
  grant(): void;
}

/**
 * The state-wide cap on running branches (`maxConcurrency`). One counter for the state, waited on
 * by groups (one registration per group, not per task). A released slot goes to the deepest
 * waiter, so nested work finishes first and the branches waiting on it can move on.
 */
export class ConcurrencyLimiter {
  #active = 0;
  #peak = 0;
  #waiters: SlotWaiter[] = [];

  constructor(readonly limit: number) {}

  get active(): number {
    return this.#active;
  }

  get peak(): number {
    return this.#peak;
  }

  tryAcquire(): boolean {
    if (this.#active >= this.limit) return false;
    this.#active++;
    if (this.#active > this.#peak) this.#peak = this.#active;
    return true;
  }

  wait(waiter: SlotWaiter): void {
    this.#waiters.push(waiter);
  }

  cancelWait(waiter: SlotWaiter): void {
    const i = this.#waiters.indexOf(waiter);
    if (i >= 0) this.#waiters.splice(i, 1);
  }

  /** Frees a slot, handing it straight to the deepest waiter if there is one. */
  release(): void {
    if (this.#waiters.length === 0) {
      this.#active--;
      return;
    }
    let best = 0;
    for (let i = 1; i < this.#waiters.length; i++) {
      if ((this.#waiters[i] as SlotWaiter).depth > (this.#waiters[best] as SlotWaiter).depth)
        best = i;
    }
    const [waiter] = this.#waiters.splice(best, 1);
    (waiter as SlotWaiter).grant();
  }

  /** Takes a slot, waiting with top priority if none is free (a branch taking back a lent slot). */
  reacquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise((resolve) => this.wait({ depth: Infinity, grant: resolve }));
  }
}
