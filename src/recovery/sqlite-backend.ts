/**
 * `SqliteStateBackend`: states in one SQLite database file (better-sqlite3 12, WAL). Each append
 * is one INSERT of an entry row (its own transaction); entries are folded into the base now and
 * then, in one transaction. See `sqlite-schema.ts` for the tables.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe } from '../util/describe.js';
import { RhAgentsError } from '../util/errors.js';
import { type StateBackend, checkFilter, checkStateId } from './backend.js';
import { CorruptStateError, StateNotFoundError, StateVersionError } from './errors.js';
import { stringifyForStorage as stringify } from './json-value.js';
import {
  type CheckpointEntry,
  type StateSnapshot,
  type StateStatus,
  type StateSummary,
  applyEntries,
  checkSnapshot,
  checkSnapshotToSave,
  checkVersion,
  entryProblem,
} from './snapshot.js';
import {
  type SqliteDatabase,
  type SqliteStatement,
  driverBroken,
  isBindingError,
  loadSqliteDriver,
} from './sqlite-driver.js';
import { SCHEMA, SQL, SQLITE_SCHEMA_VERSION } from './sqlite-schema.js';
import { checkBoolean, checkInteger, checkNonEmptyString, checkOptions } from '../util/validate.js';

export interface SqliteStateBackendOptions {
  /** The database file, created (with its directory) when missing; `':memory:'` for a private in-memory one. */
  file: string;
  /**
   * `synchronous = FULL` instead of `NORMAL`: each append is flushed to disk before it returns,
   * so it survives a power loss or OS crash, not only the process being killed.
   * @default false
   */
  fsync?: boolean;
  /**
   * Fold a state's entry rows into its base once it has this many. A fold moves rows inside the
   * database (its cost does not depend on the size of the state) and drops the copies of the
   * storage that entries carried. `Infinity`: never.
   * @default 1000
   */
  compactEvery?: number;
  /**
   * How long a write waits for another process's write to the same database before failing.
   * @default 5000
   */
  busyTimeoutMs?: number;
}

export const defaultSqliteStateBackendOptions = Object.freeze({
  fsync: false,
  compactEvery: 1000,
  busyTimeoutMs: 5000,
});

const OWNER = 'SqliteStateBackend';
const KNOWN = ['file', 'fsync', 'compactEvery', 'busyTimeoutMs'] as const;

type Statements = { [K in keyof typeof SQL]: SqliteStatement };

/** Stores states in a SQLite database; several processes may share the file. */
export class SqliteStateBackend implements StateBackend {
  /** The database file, resolved to an absolute path (or `':memory:'`). */
  readonly file: string;
  readonly #compactEvery: number;
  readonly #db: SqliteDatabase;
  readonly #sql: Statements;
  /** Per state appended to by this backend: its entry rows not yet folded. */
  readonly #pending = new Map<string, number>();
  #closed = false;

  constructor(options: SqliteStateBackendOptions) {
    checkOptions(OWNER, options, KNOWN);
    const file = checkNonEmptyString(
      OWNER,
      'file',
      options.file,
      "pass the database file, e.g. { file: '.rh-agents/states.db' }",
    );
    const fsync = checkBoolean(
      OWNER,
      'fsync',
      options.fsync ?? defaultSqliteStateBackendOptions.fsync,
    );
    this.#compactEvery = checkInteger(
      OWNER,
      'compactEvery',
      options.compactEvery ?? defaultSqliteStateBackendOptions.compactEvery,
      { min: 1, allowInfinity: true },
    );
    const busyTimeoutMs = checkInteger(
      OWNER,
      'busyTimeoutMs',
      options.busyTimeoutMs ?? defaultSqliteStateBackendOptions.busyTimeoutMs,
      { min: 0, max: 0x7fffffff },
    );
    const Database = loadSqliteDriver();
    this.file = file === ':memory:' ? file : resolve(file);
    if (this.file !== ':memory:') mkdirSync(dirname(this.file), { recursive: true });
    try {
      this.#db = new Database(this.file, { timeout: busyTimeoutMs });
    } catch (error) {
      throw new RhAgentsError(
        isBindingError(error)
          ? driverBroken(error)
          : `${OWNER}: cannot open ${this.file}: ${(error as Error).message}.`,
        { cause: error },
      );
    }
    try {
      // A database of a newer schema is refused before anything in it changes.
      const schema = this.#schemaVersion();
      if (schema > SQLITE_SCHEMA_VERSION) {
        throw new StateVersionError(`The database ${this.file}`, schema, SQLITE_SCHEMA_VERSION);
      }
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma(`synchronous = ${fsync ? 'FULL' : 'NORMAL'}`);
      this.#db.exec(SCHEMA);
      this.#sql = Object.fromEntries(
        Object.entries(SQL).map(([name, sql]) => [name, this.#db.prepare(sql)]),
      ) as Statements;
    } catch (error) {
      this.#db.close();
      throw error;
    }
  }

  async has(stateId: string): Promise<boolean> {
    this.#check(stateId, 'has');
    return this.#sql.has.get(stateId) !== undefined;
  }

  async load(stateId: string): Promise<StateSnapshot> {
    this.#check(stateId, 'load');
    return this.#db.transaction(() => this.#read(stateId))();
  }

  async save(snapshot: StateSnapshot): Promise<void> {
    this.#checkOpen('save');
    const stateId = checkSnapshotToSave(snapshot, `${OWNER}.save`);
    const json = stringify({ ...snapshot, history: [] }, `state '${stateId}'`, 'snapshot');
    const history = stringify(snapshot.history, `state '${stateId}'`, 'history');
    this.#db
      .transaction(() => {
        this.#sql.upsertState.run({
          stateId,
          version: snapshot.version,
          status: snapshot.status,
          pipeline: snapshot.metadata.pipeline ?? null,
          tags: JSON.stringify(snapshot.metadata.tags),
          createdAt: snapshot.createdAt,
          updatedAt: snapshot.updatedAt,
        });
        this.#sql.upsertBase.run(stateId, json);
        this.#sql.deleteHistory.run(stateId);
        this.#sql.deleteEntries.run(stateId);
        this.#sql.savedHistory.run(history, stateId);
      })
      .immediate();
    this.#pending.set(stateId, 0);
  }

  append(stateId: string, entry: CheckpointEntry): void {
    this.#check(stateId, 'append');
    const json = this.#entryJson(stateId, entry, 'append');
    const pending = this.#pending.get(stateId) ?? this.#countPending(stateId);
    const { changes } = this.#sql.append.run({
      stateId,
      status: entry.status ?? null,
      updatedAt: entry.updatedAt,
      entry: json,
    });
    if (changes === 0) throw this.#notStored(stateId, 'append');
    this.#appended(stateId, pending);
  }

  #entryJson(stateId: string, entry: CheckpointEntry, method: string): string {
    const problem = entryProblem(entry);
    if (problem !== undefined) {
      throw new TypeError(
        `${OWNER}.${method}: the entry for state '${stateId}' is not valid: ${problem}.`,
      );
    }
    return stringify(entry, `state '${stateId}'`, 'entry');
  }

  #notStored(stateId: string, method: string): StateNotFoundError {
    this.#pending.delete(stateId);
    return new StateNotFoundError(stateId, this.file, {
      message: `${OWNER}.${method}: no state '${stateId}' is stored in ${this.file}; save() a snapshot of it before appending.`,
    });
  }

  /** One more entry is pending for `stateId`; folds them once there are `compactEvery`. */
  #appended(stateId: string, pending: number): void {
    this.#pending.set(stateId, pending + 1);
    if (pending + 1 >= this.#compactEvery) this.#compact(stateId);
  }

  /**
   * Appends several entries to one state in one transaction, in order: all of them are stored
   * when it returns, or none (one commit for many runs, which is what makes per-run checkpoints
   * cheap when many runs end at once).
   */
  appendMany(stateId: string, entries: readonly CheckpointEntry[]): void {
    this.#check(stateId, 'appendMany');
    if (!Array.isArray(entries)) {
      throw new TypeError(
        `${OWNER}.appendMany: expected an array of entries for state '${stateId}', got ${describe(entries)}.`,
      );
    }
    try {
      this.#db.transaction(() => {
        // The state's tail is read once; each entry then goes in with its sequence number and
        // status known (a fold in between keeps both).
        const tail = this.#sql.tail.get(stateId) as
          { seq: number; status: StateStatus } | undefined;
        if (tail === undefined) throw this.#notStored(stateId, 'appendMany');
        for (const entry of entries) {
          const json = this.#entryJson(stateId, entry, 'appendMany');
          const pending = this.#pending.get(stateId) ?? this.#countPending(stateId);
          tail.seq += 1;
          if (entry.status !== undefined) tail.status = entry.status;
          this.#sql.insertEntry.run(stateId, tail.seq, tail.status, entry.updatedAt, json);
          this.#appended(stateId, pending);
        }
      })();
    } catch (error) {
      this.#pending.delete(stateId); // counted again from the table on the next append
      throw error;
    }
  }

  async list(filter: { tag?: string; pipeline?: string } = {}): Promise<StateSummary[]> {
    this.#checkOpen('list');
    checkFilter(filter, OWNER);
    const rows = this.#sql.list.all({
      tag: filter.tag ?? null,
      pipeline: filter.pipeline ?? null,
    }) as {
      stateId: string;
      pipeline: string | null;
      tags: string;
      status: StateStatus;
      createdAt: number;
      updatedAt: number;
    }[];
    return rows.map(({ pipeline, tags, ...row }) => {
      const summary: StateSummary = { ...row, tags: JSON.parse(tags) as string[] };
      if (pipeline !== null) summary.pipeline = pipeline;
      return summary;
    });
  }

  async delete(stateId: string): Promise<boolean> {
    this.#check(stateId, 'delete');
    this.#pending.delete(stateId);
    return this.#db
      .transaction(() => {
        this.#sql.deleteEntries.run(stateId);
        this.#sql.deleteHistory.run(stateId);
        this.#sql.deleteBase.run(stateId);
        return this.#sql.deleteState.run(stateId).changes > 0;
      })
      .immediate();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  /** The schema version recorded in the database; 0 when it has no rh-agents tables yet. */
  #schemaVersion(): number {
    const table = this.#db
      .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'rh_agents_meta'`)
      .get();
    if (table === undefined) return 0;
    const row = this.#db.prepare(`SELECT value FROM rh_agents_meta WHERE key = 'schema'`).get() as
      { value: string } | undefined;
    return Number(row?.value ?? 0);
  }

  /** The entry rows not yet folded into a state's base, counted once per state and backend. */
  #countPending(stateId: string): number {
    const { entries } = this.#sql.pending.get(stateId) as { entries: number };
    this.#pending.set(stateId, entries);
    return entries;
  }

  /** The state as stored: base, folded history, later entries. Run inside a transaction. */
  #read(stateId: string): StateSnapshot {
    const state = this.#sql.state.get(stateId) as { version: number; baseSeq: number } | undefined;
    if (state === undefined) throw new StateNotFoundError(stateId, this.file);
    const where = `State '${stateId}' in ${this.file}`;
    checkVersion(state, where);
    const base = this.#sql.base.get(stateId) as { snapshot: string } | undefined;
    if (base === undefined) throw this.#corrupt(stateId, 'its base snapshot row is missing');
    const parsed = this.#parse(stateId, base.snapshot, 'its base snapshot') as StateSnapshot;
    if (typeof parsed === 'object' && parsed !== null && Array.isArray(parsed.history)) {
      for (const row of this.#sql.history.all(stateId) as { seq: number; records: string }[]) {
        const records = this.#parse(stateId, row.records, `the history of entry ${row.seq}`);
        if (!Array.isArray(records)) {
          throw this.#corrupt(stateId, `the history of entry ${row.seq} is not an array`);
        }
        for (const record of records) parsed.history.push(record);
      }
    }
    const snapshot = checkSnapshot(parsed, `${where} (its base snapshot and history)`);
    const rows = this.#sql.entries.all(stateId) as { seq: number; entry: string }[];
    const entries: CheckpointEntry[] = [];
    for (const row of rows) {
      const expected = state.baseSeq + entries.length + 1;
      if (row.seq !== expected) {
        throw this.#corrupt(
          stateId,
          `entry ${row.seq} follows entry ${expected - 1} (entries are missing)`,
        );
      }
      const entry = this.#parse(stateId, row.entry, `entry ${row.seq}`);
      const problem = entryProblem(entry);
      if (problem !== undefined) throw this.#corrupt(stateId, `entry ${row.seq}: ${problem}`);
      entries.push(entry as CheckpointEntry);
    }
    return applyEntries(snapshot, entries);
  }

  #parse(stateId: string, text: string, what: string): unknown {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw this.#corrupt(stateId, `${what} is not JSON (${(error as Error).message})`, error);
    }
  }

  /**
   * Folds a state's entry rows into its base, in one transaction and inside SQLite: their
   * records become history rows, the newest status, storage and timestamp go into the base.
   * A failure leaves everything as it was; the fold is tried again after as many appends.
   */
  #compact(stateId: string): void {
    try {
      this.#db
        .transaction(() => {
          const last = this.#sql.lastEntry.get(stateId) as
            { seq: number; status: StateStatus; updatedAt: number } | undefined;
          if (last === undefined) return;
          const storage = this.#sql.lastStorage.get(stateId) as { storage: string } | undefined;
          this.#sql.foldRecords.run(stateId, last.seq);
          this.#sql.foldBase.run({
            stateId,
            status: last.status,
            updatedAt: last.updatedAt,
            storage: storage?.storage ?? null,
          });
          this.#sql.foldedEntries.run(stateId, last.seq);
          this.#sql.foldState.run(last.seq, last.status, last.updatedAt, stateId);
        })
        .immediate();
    } catch {
      // The entries stay where they are and load as before.
    }
    this.#pending.set(stateId, 0);
  }

  #corrupt(stateId: string, problem: string, cause?: unknown): CorruptStateError {
    return new CorruptStateError(
      `State '${stateId}' is corrupt: ${this.file}: ${problem}. Restore the database from a backup, or delete the state (backend.delete('${stateId}')); it cannot be loaded as it is.`,
      { location: `${this.file} (state '${stateId}')`, cause },
    );
  }

  #check(stateId: string, method: string): void {
    this.#checkOpen(method);
    checkStateId(stateId, `${OWNER}.${method}`);
  }

  #checkOpen(method: string): void {
    if (this.#closed) {
      throw new RhAgentsError(
        `${OWNER}.${method}: the backend is closed; create a new one for ${this.file}.`,
      );
    }
  }
}
