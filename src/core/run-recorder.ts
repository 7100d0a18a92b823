import type { ExecutionRecord } from '../bus/events.js';
import { messageOf } from '../util/describe.js';
import { ExecutionStatus } from '../util/enums.js';
import type { AnyActor } from './actors.js';
import type { BranchInfo } from './frame.js';
import type { RunRuntime } from './runtime.js';

/**
 * The records of one run: it builds each record with the run's address and group tags, publishes
 * it (history and bus), and keeps the run's records while the state checkpoints, so that the run's
 * end is recorded durably, all its records in one append, before it is published and before the
 * run's promise resolves.
 */
export class RunRecorder {
  /** This run's own attempts, from 1 (its retry policy counts these). */
  attempt = 1;
  readonly startedAt = performance.now();
  /** This run's records so far, kept only when the state checkpoints. */
  readonly #kept: ExecutionRecord[] | undefined;
  /** Records count on from a group retry of the enclosing branch, so one address reads in order. */
  readonly #attemptBase: number;

  constructor(
    readonly runtime: RunRuntime,
    readonly actor: AnyActor,
    readonly address: string,
    readonly tag: string | undefined,
    readonly branch: BranchInfo | undefined,
  ) {
    this.#kept = runtime.checkpoint ? [] : undefined;
    this.#attemptBase = (branch?.attempt ?? 1) - 1;
  }

  /** Milliseconds since the run started. */
  elapsed(): number {
    return performance.now() - this.startedAt;
  }

  build(status: ExecutionStatus, extra?: Partial<ExecutionRecord>): ExecutionRecord {
    const { actor, branch } = this;
    const record: ExecutionRecord = {
      kind: 'execution',
      actor: { name: actor.name, eventType: actor.eventType },
      address: this.address,
      status,
      executionTimeMs: status === ExecutionStatus.STARTED ? undefined : this.elapsed(),
      message: undefined,
      detail: undefined,
      tag: this.tag,
      groupId: branch?.groupId,
      parallelIndex: branch?.parallelIndex,
      isParallel: branch !== undefined,
      retryAttempt: this.#attemptBase + this.attempt,
      timestamp: Date.now(),
      stateId: this.runtime.stateId,
    };
    if (extra) Object.assign(record, extra);
    return record;
  }

  /** Publishes a record made elsewhere (a worker's) that does not end the run, keeping it for the checkpoint. */
  keep(record: ExecutionRecord): void {
    this.#kept?.push(record);
    this.runtime.record(record);
  }

  /** Publishes a record that does not end the run (`started`, `retrying`). */
  step(status: ExecutionStatus, extra?: Partial<ExecutionRecord>): void {
    const record = this.build(status, extra);
    this.#kept?.push(record);
    this.runtime.record(record);
  }

  /**
   * Ends the run with `record`: checkpoints the run's records when the state has a backend, then
   * publishes it. A record that cannot be stored (a result JSON cannot hold) ends the run as
   * `failed` instead, with the checkpoint's error, whose message names the address.
   */
  async end(record: ExecutionRecord): Promise<ExecutionRecord> {
    try {
      return await this.#end(record);
    } finally {
      this.runtime.inFlight.exit();
    }
  }

  async #end(record: ExecutionRecord): Promise<ExecutionRecord> {
    const kept = this.#kept;
    if (kept && this.runtime.checkpoint) {
      try {
        await this.runtime.checkpoint([...kept, record]);
      } catch (error) {
        record = this.build(ExecutionStatus.FAILED, { message: messageOf(error), error });
        try {
          await this.runtime.checkpoint([...kept, record]);
        } catch {
          // The failure itself could not be recorded (the store is gone): it is still published.
        }
      }
    }
    this.runtime.record(record);
    return record;
  }
}
