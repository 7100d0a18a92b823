import type { ExecutionRecord } from '../bus/events.js';
import type { EventType } from '../util/enums.js';
import type { RetryConfig } from './retry.js';

/**
 * The seam for running a group's runs on other processes (`rh-agents/bullmq` implements it). With
 * a group `executor`, each run added to the group as a lazy run is handed to the executor instead
 * of being executed here: the coordinator keeps its address, its replay, its checkpoints and its
 * events; the executor carries the run to a worker and brings its records and outcome back.
 */

/** One run to execute elsewhere: everything a worker needs, as plain data. */
export interface RemoteRun {
  readonly stateId: string;
  /** The run's address on the coordinator; the worker's records carry it (and nested ones under it). */
  readonly address: string;
  readonly actor: { readonly name: string; readonly eventType: EventType };
  readonly input: unknown;
  readonly context: unknown;
  readonly tag: string | undefined;
  /** The event's own retry policy, if it had one and it is plain data (no matcher functions). */
  readonly retry: RetryConfig | undefined;
  readonly groupId: string;
  readonly parallelIndex: number;
  /** The group's attempt at this branch, from 1. */
  readonly attempt: number;
}

/** How a remote run ended, as plain data (an error crosses the boundary by name and message). */
export type RemoteOutcome =
  | { readonly ok: true; readonly result: unknown; readonly executionTimeMs?: number }
  | {
      readonly ok: false;
      readonly error: { readonly name: string; readonly message: string };
      readonly executionTimeMs?: number;
    };

export interface RemoteExecutor {
  /**
   * Runs `run` elsewhere and resolves with its outcome. Its records (the run's own and its nested
   * runs'), are handed to `onRecord` in order as they arrive. When `signal` aborts, the executor
   * removes the run if it is still waiting, aborts it if it is running, and rejects with the reason.
   */
  execute(
    run: RemoteRun,
    options: { readonly signal: AbortSignal; readonly onRecord: (record: ExecutionRecord) => void },
  ): Promise<RemoteOutcome>;
}
