import type { ExecutionRecord } from '../bus/events.js';

/**
 * The seam for replaying a restored state (the state's recovery wiring implements it): before a
 * run starts, the core asks what to do with its address.
 */
export type ReplayPlan =
  /**
   * The run completed before: return its recorded result without calling the handler. With
   * `republish`, publish its recorded events (and those of the runs nested under it) again, in
   * their order; without, publish one `recovered` event.
   */
  | {
      readonly kind: 'recover';
      readonly result: unknown;
      readonly republish: boolean;
      /** The recorded events of the run and of the runs nested under it, in their order. */
      readonly records: readonly ExecutionRecord[];
    }
  /** Validation mode: run the handler again and compare its result with the recorded one. */
  | { readonly kind: 'validate'; readonly result: unknown };
