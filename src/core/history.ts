import type { ExecutionRecord } from '../bus/events.js';
import { ExecutionStatus } from '../util/enums.js';

/** The execution records of a state, in publish order, with the latest record of each address. */
export class ExecutionHistory {
  readonly #events: ExecutionRecord[] = [];
  readonly #latest = new Map<string, ExecutionRecord>();

  /** Every published execution record, in order. */
  get events(): readonly ExecutionRecord[] {
    return this.#events;
  }

  /** How many records there are. */
  get size(): number {
    return this.#events.length;
  }

  /** The latest record of `address`. */
  get(address: string): ExecutionRecord | undefined {
    return this.#latest.get(address);
  }

  /** Whether the run at `address` completed (or was recovered as completed). */
  hasCompleted(address: string): boolean {
    const status = this.#latest.get(address)?.status;
    return status === ExecutionStatus.COMPLETED || status === ExecutionStatus.RECOVERED;
  }

  /** The addresses that have at least one record, in first-seen order. */
  addresses(): string[] {
    return [...this.#latest.keys()];
  }

  /** @internal Appends a record. */
  record(record: ExecutionRecord): void {
    this.#events.push(record);
    this.#latest.set(record.address, record);
  }
}
