import type { EventBus } from '../bus/event-bus.js';
import type { UnstampedEvent } from '../bus/events.js';
import type { Frame } from '../core/frame.js';
import type { Interrupts } from '../core/interrupts.js';
import type { Tracing } from '../core/tracing.js';
import type { GroupStatus } from '../util/enums.js';
import type { ConcurrencyLimiter } from './limiter.js';
import type { MetricsCollector } from './metrics.js';

/**
 * @internal What a parallel group needs of the state it belongs to. The composition root
 * (`ExecutionState`) builds one; groups depend on this narrow interface, never on the whole state.
 */
export interface GroupRuntime {
  readonly stateId: string;
  /** Tracing hooks (`rh-agents/otel`), when the state has them. */
  readonly tracing: Tracing | undefined;
  /** The frame of the current async context: the group is opened as a child of it. */
  currentFrame(): Frame;
  /** Whether anyone listens (`hasSubscribers`): group events are built only then. */
  readonly bus: Pick<EventBus, 'hasSubscribers'>;
  publish(event: UnstampedEvent): void;
  readonly interrupts: Pick<Interrupts, 'interrupted'>;
  /** The state-wide cap on running branches (`maxConcurrency`), if any. */
  readonly limiter: ConcurrencyLimiter | undefined;
  readonly metrics: MetricsCollector;
  /** A group opened outside any run or branch ended with `status` (the state's status follows it). */
  topLevelGroupEnded(status: GroupStatus): void;
}
