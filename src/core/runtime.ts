import type { EventBus } from '../bus/event-bus.js';
import type { ExecutionRecord, UnstampedEvent } from '../bus/events.js';
import type { EventType } from '../util/enums.js';
import type { Frame } from './frame.js';
import type { Interrupts } from './interrupts.js';
import type { ReplayPlan } from './replay.js';
import type { ResolvedRetry } from './retry.js';
import type { Tracing } from './tracing.js';

/** @internal The key of a state's runtime; not exported from the package root. */
export const INTERNAL = Symbol('rh-agents.internal');

/**
 * @internal What a run needs of the state it runs on. The composition root (`ExecutionState`)
 * builds one; the run machinery depends on this narrow interface, never on the whole state.
 */
export interface RunRuntime {
  readonly stateId: string;
  /** The frame of the current async context: the innermost run or branch, or the state's root. */
  currentFrame(): Frame;
  readonly bus: EventBus;
  /** Stamps an event with `timestamp` and `stateId` and publishes it. */
  publish(event: UnstampedEvent): void;
  /** Counts the runs in flight (a run that executes, from its checks to its recorded end). */
  readonly inFlight: { enter(): void; exit(): void };
  /** Appends an execution record to the history and publishes it. */
  record(record: ExecutionRecord): void;
  readonly interrupts: Interrupts;
  readonly detailMaxLength: number;
  readonly defaultRetry: ResolvedRetry | undefined;
  readonly retryByEventType: Partial<Record<EventType, ResolvedRetry>>;
  /** Tracing hooks (`rh-agents/otel`), when the state has them. */
  readonly tracing: Tracing | undefined;
  /**
   * For a restored state: what to do with the run at `address` (`undefined`: run it); a promise
   * when the recorded result must be fetched first (from an artifact store).
   */
  readonly replay:
    ((address: string) => ReplayPlan | undefined | Promise<ReplayPlan | undefined>) | undefined;
  /**
   * With a state backend: records the records of a run that ended, durably, before the run's
   * promise resolves. Throws (or rejects) when they cannot be stored; the run then fails.
   */
  readonly checkpoint: ((records: readonly ExecutionRecord[]) => void | Promise<void>) | undefined;
}
