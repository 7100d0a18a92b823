import type { ExecutionRecord } from '../bus/events.js';
import { isThenable } from '../util/describe.js';
import type { ResultArtifacts } from './artifacts.js';
import type { StateBackend } from './backend.js';
import { toStoredRecord } from './records.js';
import type { CheckpointEntry, StateSnapshot, StateStatus, StoredRecord } from './snapshot.js';
import type { JsonValue } from './json-value.js';

/** What the checkpointer reads of its state when it writes. */
export interface CheckpointSource {
  /** The state as a snapshot without its history (the checkpointer adds the durable history). */
  header(): StateSnapshot;
  /** The storage as JSON and a counter that changes whenever the storage changes. */
  storage(): { version: number; json: () => { [key: string]: JsonValue } };
  /** The state's status now. */
  status(): StateStatus;
  /** The whole in-memory history as stored (what a save writes when runs are not checkpointed). */
  history(): StoredRecord[];
}

/** Entries waiting for one `appendMany` (a group commit), and the promise their runs wait on. */
interface Batch {
  readonly entries: CheckpointEntry[];
  readonly done: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
  /** A save took the entries into its snapshot: they are not appended. */
  taken: boolean;
}

/**
 * Records a state durably, one entry per run that ends: the run's records (started, retrying…,
 * its end), with the state's status and storage when they changed. The first write saves the
 * whole state; entries are appended, never rewriting it, so their cost stays flat as the history
 * grows. Writes happen in order, and a run's promise resolves only once its entry is stored:
 *
 * - a backend with `appendMany` gets the entries of the runs that end in the same turn of the
 *   event loop in one call (a group commit: one transaction for many runs);
 * - otherwise a synchronous backend (file system) writes before `record` returns, an asynchronous
 *   one before the promise it returns resolves.
 */
export class Checkpointer {
  #written: StateStatus | undefined;
  #storageVersion = -1;
  /** Resolves once the state is saved; while it is pending, appends wait behind it. */
  #ready: Promise<void> | undefined;
  #saved: boolean;
  readonly #perRun: boolean;
  /** The last write of an asynchronous backend: the next one goes after it. */
  #tail: Promise<void> | undefined;
  /** Entries waiting for the next group commit (with a backend that has `appendMany`). */
  #batch: Batch | undefined;
  /**
   * The history as stored: the restored records, then the records of each run in the order the
   * runs ended. A save writes this, not the in-memory history, whose runs still in flight would
   * otherwise be stored twice (their `started` record now, all their records when they end).
   */
  readonly #durable: StoredRecord[];
  /** Where large results go before their entry is written, if anywhere. */
  readonly #artifacts: ResultArtifacts | undefined;
  /**
   * While a run's large result is being put in the artifact store: settles once that run's entry
   * is handed to the backend; the entries of runs that end meanwhile go after it, in order.
   */
  #gate: Promise<void> | undefined;

  constructor(
    readonly backend: StateBackend,
    readonly stateId: string,
    readonly source: CheckpointSource,
    {
      saved = false,
      history = [],
      perRun = true,
      artifacts,
    }: {
      saved?: boolean;
      history?: readonly StoredRecord[];
      /** Whether each run's end is recorded (`checkpoint: 'event'`); without, a save writes the whole history. */
      perRun?: boolean;
      /** Large results go to this artifact store before their entry is written. */
      artifacts?: ResultArtifacts;
    } = {},
  ) {
    this.#artifacts = artifacts;
    this.#saved = saved;
    this.#perRun = perRun;
    this.#durable = [...history];
    if (saved) {
      this.#written = source.status();
      this.#storageVersion = source.storage().version;
    }
  }

  /** Records the records of a run that ended (all of them, its end last). */
  record(records: readonly ExecutionRecord[]): void | Promise<void> {
    // Converted first: a result that cannot be stored throws here, before anything is written.
    const stored = records.map(toStoredRecord);
    const put = this.#artifacts?.externalize(stored);
    if (put === undefined && this.#gate === undefined) return this.#write(stored);
    // Written once its artifacts are stored and the entries before it are handed on.
    const issued = Promise.all([this.#gate, put]).then(() => ({ written: this.#write(stored) }));
    const gate: Promise<void> = issued.then(
      () => {},
      () => {},
    );
    this.#gate = gate;
    void gate.then(() => {
      if (this.#gate === gate) this.#gate = undefined;
    });
    return issued.then(({ written }) => written);
  }

  /** Records a status change on its own (an interrupt). */
  flushStatus(): void | Promise<void> {
    if (this.source.status() === this.#written) return;
    return this.#write([]);
  }

  /** Saves the whole state now (compacting it), as `saveCheckpoint()` does. */
  async save(): Promise<void> {
    await this.#gate;
    await this.#tail;
    // Entries still waiting for their group commit are in `#durable`: the snapshot holds them.
    const batch = this.#batch;
    this.#batch = undefined;
    if (batch) batch.taken = true;
    const history = this.#perRun ? [...this.#durable] : this.source.history();
    if (!this.#perRun) await this.#artifacts?.externalize(history);
    const snapshot = { ...this.source.header(), history };
    try {
      await this.backend.save(snapshot);
    } catch (error) {
      batch?.reject(error);
      throw error;
    }
    batch?.resolve();
    this.#saved = true;
    this.#written = snapshot.status;
    this.#storageVersion = this.source.storage().version;
  }

  #write(records: StoredRecord[]): void | Promise<void> {
    if (!this.#saved) {
      this.#ready ??= this.save().finally(() => (this.#ready = undefined));
      return this.#ready.then(() => this.#write(records));
    }
    if (this.#ready) return this.#ready.then(() => this.#write(records));
    const entry: CheckpointEntry = { records, updatedAt: Date.now() };
    for (const record of records) this.#durable.push(record);
    const status = this.source.status();
    if (status !== this.#written) {
      entry.status = status;
      this.#written = status;
    }
    const storage = this.source.storage();
    if (storage.version !== this.#storageVersion) {
      entry.storage = storage.json();
      this.#storageVersion = storage.version;
    }
    // A status change on its own (a group ended, an interrupt) is written at once.
    if (this.backend.appendMany && records.length > 0) return this.#enqueue(entry);
    if (this.#tail) return this.#chain(() => this.backend.append(this.stateId, entry));
    const written = this.backend.append(this.stateId, entry);
    if (isThenable(written)) return this.#track(Promise.resolve(written));
  }

  /** Adds `entry` to the next group commit, which runs once this turn's microtasks have run. */
  #enqueue(entry: CheckpointEntry): Promise<void> {
    const pending = this.#batch;
    if (pending) {
      pending.entries.push(entry);
      return pending.done;
    }
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const done = new Promise<void>((yes, no) => {
      resolve = yes;
      reject = no;
    });
    const batch: Batch = { entries: [entry], done, resolve, reject, taken: false };
    this.#batch = batch;
    setImmediate(() => {
      if (batch.taken) return;
      this.#batch = undefined;
      const commit = (): void | Promise<void> =>
        (this.backend.appendMany as NonNullable<StateBackend['appendMany']>).call(
          this.backend,
          this.stateId,
          batch.entries,
        );
      let written: void | Promise<void>;
      try {
        written = this.#tail ? this.#chain(commit) : commit();
      } catch (error) {
        batch.reject(error);
        return;
      }
      if (isThenable(written)) {
        const tracked = this.#tail === written ? written : this.#track(Promise.resolve(written));
        tracked.then(batch.resolve, batch.reject);
      } else batch.resolve();
    });
    return done;
  }

  #chain(write: () => void | Promise<void>): Promise<void> {
    const previous = this.#tail as Promise<void>;
    return this.#track(previous.catch(() => {}).then(write));
  }

  #track(write: Promise<void>): Promise<void> {
    this.#tail = write;
    void write
      .catch(() => {})
      .then(() => {
        if (this.#tail === write) this.#tail = undefined;
      });
    return write;
  }
}
