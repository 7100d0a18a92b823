import type { ExecutionRecord } from '../bus/events.js';
import { isThenable } from '../util/describe.js';
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

/**
 * Records a state durably, one append per run that ends: the run's records (started, retrying…,
 * its end), with the state's status and storage when they changed. The first write saves the
 * whole state; appends never rewrite it, so their cost stays flat as the history grows. Writes
 * happen in order: a synchronous backend (file system, SQLite) writes before `record` returns,
 * an asynchronous one (PostgreSQL) before the promise it returns resolves.
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
  /**
   * The history as stored: the restored records, then the records of each run in the order the
   * runs ended. A save writes this, not the in-memory history, whose runs still in flight would
   * otherwise be stored twice (their `started` record now, all their records when they end).
   */
  readonly #durable: StoredRecord[];

  constructor(
    readonly backend: StateBackend,
    readonly stateId: string,
    readonly source: CheckpointSource,
    {
      saved = false,
      history = [],
      perRun = true,
    }: {
      saved?: boolean;
      history?: readonly StoredRecord[];
      /** Whether each run's end is recorded (`checkpoint: 'event'`); without, a save writes the whole history. */
      perRun?: boolean;
    } = {},
  ) {
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
    return this.#write(records.map(toStoredRecord));
  }

  /** Records a status change on its own (an interrupt). */
  flushStatus(): void | Promise<void> {
    if (this.source.status() === this.#written) return;
    return this.#write([]);
  }

  /** Saves the whole state now (compacting it), as `saveCheckpoint()` does. */
  async save(): Promise<void> {
    await this.#tail;
    const history = this.#perRun ? [...this.#durable] : this.source.history();
    const snapshot = { ...this.source.header(), history };
    await this.backend.save(snapshot);
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
    if (this.#tail) return this.#chain(entry);
    const written = this.backend.append(this.stateId, entry);
    if (isThenable(written)) return this.#track(Promise.resolve(written));
  }

  #chain(entry: CheckpointEntry): Promise<void> {
    const previous = this.#tail as Promise<void>;
    return this.#track(
      previous.catch(() => {}).then(() => this.backend.append(this.stateId, entry)),
    );
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
