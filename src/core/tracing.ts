import type { ExecutionStatus, GroupStatus } from '../util/enums.js';
import type { AnyActor } from './actors.js';

/**
 * The seam for tracing (`rh-agents/otel` implements it): the core calls these hooks and never
 * loads a tracing library. Off (no `tracing` option), nothing is called and nothing is allocated.
 */

/** What a tracing integration keeps for a run or a group (an OpenTelemetry span, say); opaque here. */
export type TraceSpan = unknown;

/** A run about to start. */
export interface RunTraceInfo {
  readonly stateId: string;
  readonly address: string;
  /** The actor that runs (its `name`, `eventType`, `description`; a `ChatLLM` also has its `model`). */
  readonly actor: AnyActor;
  readonly tag: string | undefined;
  readonly groupId: string | undefined;
  readonly parallelIndex: number | undefined;
  /** The span of the enclosing run or parallel group, if any. */
  readonly parent: TraceSpan | undefined;
}

/** How a run ended. */
export interface RunTraceEnd {
  readonly status: ExecutionStatus;
  readonly result?: unknown;
  readonly error?: unknown;
  readonly message?: string;
  /** Attempts made, the first included. */
  readonly attempts: number;
}

/** One run's span, from its start to its end, across all its retry attempts. */
export interface RunTrace {
  /** The span its nested runs and groups take as their parent. */
  readonly span: TraceSpan;
  /** Calls `fn` with this run's span active, so the user's own spans made in the handler nest under it. */
  activate<R>(fn: () => R): R;
  /** An attempt failed and the run retries after `delayMs`. */
  retrying(attempt: number, error: unknown, delayMs: number): void;
  /** The run ended; called exactly once. */
  end(outcome: RunTraceEnd): void;
}

/** A parallel group about to start its first tasks. */
export interface GroupTraceInfo {
  readonly stateId: string;
  readonly groupId: string;
  readonly name: string | undefined;
  readonly maxWorkers: number;
  readonly parent: TraceSpan | undefined;
}

/** How a group ended. */
export interface GroupTraceEnd {
  readonly status: GroupStatus;
  readonly total: number;
  readonly completed: number;
  readonly failed: number;
  readonly cancelled: number;
  readonly error?: unknown;
}

export interface GroupTrace {
  readonly span: TraceSpan;
  end(outcome: GroupTraceEnd): void;
}

/** The hooks a state calls when it has `tracing`. */
export interface Tracing {
  startRun(info: RunTraceInfo): RunTrace;
  startGroup(info: GroupTraceInfo): GroupTrace;
}
