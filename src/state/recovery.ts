import type { ExecutionRecord } from '../bus/events.js';
import type { ExecutionHistory } from '../core/history.js';
import type { ReplayPlan } from '../core/replay.js';
import type { StateStorage } from '../core/storage.js';
import { type ArtifactWarn, ResultArtifacts } from '../recovery/artifacts.js';
import { Checkpointer } from '../recovery/checkpointer.js';
import { type JsonValue, toJsonValue } from '../recovery/json-value.js';
import { fromStoredRecord, toStoredRecord } from '../recovery/records.js';
import { Replayer } from '../recovery/replayer.js';
import {
  STATE_FORMAT,
  STATE_FORMAT_VERSION,
  type StateMetadata,
  type StateSnapshot,
  type StateStatus,
} from '../recovery/snapshot.js';
import { ExecutionStatus, GroupStatus } from '../util/enums.js';
import type { ResolvedStateOptions } from './options.js';

/** @internal What `fromSnapshot()` and `load()` hand the constructor. */
export const RESTORE = Symbol('rh-agents.restore');
export interface Restore {
  snapshot: StateSnapshot;
  /** Whether the state backend already holds it (a loaded state). */
  saved: boolean;
}

/**
 * A state's recovery: its metadata and status, its snapshot, the per-run checkpoints into its
 * backend, and the replay of a restored history. The state composes it; the run machinery sees
 * only the `checkpoint` and `replay` functions.
 */
export class StateRecovery {
  readonly metadata: StateMetadata;
  readonly createdAt: number;
  status: StateStatus;
  /** Interrupted in this process: the status stays `interrupted`. */
  #interrupted = false;
  readonly checkpointer: Checkpointer | undefined;
  readonly replay:
    ((address: string) => ReplayPlan | undefined | Promise<ReplayPlan | undefined>) | undefined;

  constructor(
    readonly options: ResolvedStateOptions,
    readonly history: ExecutionHistory,
    readonly storage: StateStorage,
    restore: Restore | undefined,
    /** Publishes a `warning` for a run whose stored result cannot be read back. */
    warn: ArtifactWarn,
  ) {
    const artifacts = options.artifactBackend && new ResultArtifacts(options.artifactBackend);
    const snapshot = restore?.snapshot;
    this.metadata = options.metadata ?? snapshot?.metadata ?? { tags: [] };
    this.createdAt = snapshot?.createdAt ?? Date.now();
    this.status = snapshot?.status ?? 'running';
    if (snapshot) {
      for (const stored of snapshot.history)
        history.record(fromStoredRecord(stored, options.stateId));
      for (const [key, value] of Object.entries(snapshot.storage)) storage.set(key, value);
      const replayer = new Replayer(history.events, options.replayMode, options.resumeFromAddress);
      this.replay = artifacts
        ? (address) => artifacts.resolve(replayer.plan(address), address, warn)
        : (address) => replayer.plan(address);
    }
    const backend = options.stateBackend;
    this.checkpointer = backend
      ? new Checkpointer(
          backend,
          options.stateId,
          {
            header: () => this.snapshot([]),
            storage: () => ({ version: storage.version, json: () => this.storageJson() }),
            status: () => this.status,
            history: () => this.history.events.map(toStoredRecord),
          },
          {
            saved: restore?.saved ?? false,
            history: snapshot?.history ?? [],
            perRun: options.checkpoint === 'event',
            artifacts,
          },
        )
      : undefined;
  }

  /** The per-run checkpoint, with `checkpoint: 'event'` and a backend. */
  get checkpoint(): ((records: readonly ExecutionRecord[]) => void | Promise<void>) | undefined {
    const checkpointer = this.checkpointer;
    if (!checkpointer || this.options.checkpoint !== 'event') return undefined;
    return (records) => {
      const last = records[records.length - 1];
      if (last) this.noteEnd(last);
      return checkpointer.record(records);
    };
  }

  /** A run ended: a top-level one (no enclosing run or branch) sets the state's status. */
  noteEnd(record: ExecutionRecord): void {
    if (
      this.#interrupted ||
      record.isParallel ||
      record.address.indexOf('::') !== record.address.lastIndexOf('::')
    )
      return;
    if (record.status === ExecutionStatus.COMPLETED) this.status = 'completed';
    else if (record.status === ExecutionStatus.FAILED) this.status = 'failed';
  }

  /**
   * A group opened outside any run ended: the state's status follows it (`completed`, `failed`, or
   * `interrupted` when it was cancelled), recorded at once with `checkpoint: 'event'`.
   */
  noteGroupEnd(status: GroupStatus): void {
    if (this.#interrupted) return;
    this.status =
      status === GroupStatus.COMPLETED
        ? 'completed'
        : status === GroupStatus.FAILED
          ? 'failed'
          : 'interrupted';
    this.#flushStatus();
  }

  /**
   * A run starts executing: a state that had ended (or was restored) is `running` again, unless it
   * was interrupted in this process. Recorded with the next checkpoint.
   */
  running(): void {
    if (!this.#interrupted) this.status = 'running';
  }

  /** The state was interrupted: recorded with `checkpoint: 'event'`. */
  interrupted(): void {
    this.#interrupted = true;
    this.status = 'interrupted';
    this.#flushStatus();
  }

  #flushStatus(): void {
    if (this.options.checkpoint !== 'event' || !this.checkpointer) return;
    try {
      void Promise.resolve(this.checkpointer.flushStatus()).catch(() => {});
    } catch {
      // The status reaches the store with the next checkpoint, or saveCheckpoint().
    }
  }

  /** The state as a snapshot; `history` defaults to the whole in-memory history. */
  snapshot(history?: StateSnapshot['history']): StateSnapshot {
    return {
      format: STATE_FORMAT,
      version: STATE_FORMAT_VERSION,
      stateId: this.options.stateId,
      createdAt: this.createdAt,
      updatedAt: Date.now(),
      status: this.status,
      metadata: structuredClone(this.metadata),
      history: history ?? this.history.events.map(toStoredRecord),
      storage: this.storageJson(),
    };
  }

  storageJson(): { [key: string]: JsonValue } {
    return (toJsonValue(this.storage.toJSON(), `the storage of state '${this.options.stateId}'`, {
      root: 'storage',
    }) ?? {}) as { [key: string]: JsonValue };
  }
}
