/**
 * A token bucket refilled continuously at `perMinute / 60 000` tokens per millisecond, holding at
 * most one second's worth (`perMinute / 60`, at least 1), so a per-minute limit is spread evenly
 * instead of being spent in one burst. It may go negative when a cost is charged after the fact
 * (token usage is known only once a call returned); it then refuses until it refilled above zero.
 */
export class TokenBucket {
  readonly #ratePerMs: number;
  readonly #capacity: number;
  #level: number;
  #updatedAt: number;

  constructor(
    perMinute: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#ratePerMs = perMinute / 60_000;
    this.#capacity = Math.max(1, perMinute / 60);
    this.#level = this.#capacity;
    this.#updatedAt = now();
  }

  #refill(): void {
    const now = this.now();
    this.#level = Math.min(this.#capacity, this.#level + (now - this.#updatedAt) * this.#ratePerMs);
    this.#updatedAt = now;
  }

  /** Milliseconds until `amount` tokens are there (0 when they are), for a cost known up front. */
  waitFor(amount: number): number {
    this.#refill();
    const missing = Math.min(amount, this.#capacity) - this.#level;
    return missing <= 0 ? 0 : missing / this.#ratePerMs;
  }

  /** Milliseconds until the level is above zero again (0 when it is). */
  waitPositive(): number {
    this.#refill();
    return this.#level > 0 ? 0 : (Number.EPSILON - this.#level) / this.#ratePerMs;
  }

  /** Removes `amount` tokens (the level may go negative). */
  take(amount: number): void {
    this.#refill();
    this.#level -= amount;
  }
}
