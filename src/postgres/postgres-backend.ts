/**
 * `PostgresStateBackend`: states in PostgreSQL (pg 8), safe with several processes writing at
 * once. An append is one statement (its own transaction): it takes the state's next sequence
 * number under the state row's lock and inserts the entry row. Entries are folded into the base
 * now and then, in one transaction that holds the same lock. See `schema.ts` for the tables.
 */
import {
  type CheckpointEntry,
  RhAgentsError,
  type StateBackend,
  StateNotFoundError,
  type StateSnapshot,
  type StateSummary,
  StateVersionError,
  checkStateId,
} from '../index.js';
import { checkFilter } from '../recovery/backend.js';
import { stringifyForStorage as stringify } from '../recovery/json-value.js';
import { checkSnapshotToSave, entryProblem } from '../recovery/snapshot.js';
import { type ServerAddress, checkOut, poolAddress, serverAddress } from './connection.js';
import { type OwnedPool, type PostgresPool, type PostgresPoolClient, pg } from './driver.js';
import { type PostgresStateBackendOptions, resolveOptions } from './options.js';
import { readState, readSummary, type StateRow, type SummaryRow } from './state-rows.js';
import {
  POSTGRES_SCHEMA_VERSION,
  type Statements,
  quote,
  schemaDdl,
  statements,
} from './schema.js';

const OWNER = 'PostgresStateBackend';

/** Stores states in PostgreSQL; any number of processes may share the tables. */
export class PostgresStateBackend implements StateBackend {
  /** The schema of the tables. */
  readonly schema: string;
  /** Where the states are, as messages name it: `PostgreSQL 127.0.0.1:5432/app, schema "rh_agents"`. */
  readonly location: string;
  readonly #address: ServerAddress;
  readonly #pool: PostgresPool;
  /** The pool made from a connection string, ended by `close()`; a given pool is never ended. */
  readonly #ownPool: OwnedPool | undefined;
  readonly #sql: Statements;
  readonly #compactEvery: number;
  readonly #connectTimeoutMs: number;
  /** The tables' setup, run by the first call (and again by the next one if it failed). */
  #setup: Promise<void> | undefined;
  /** Per state, the last call of this backend on it: calls on one state run in call order. */
  readonly #tails = new Map<string, Promise<void>>();
  /** Every call and fold under way, which `close()` waits for. */
  readonly #inflight = new Set<Promise<unknown>>();
  readonly #folding = new Set<string>();
  #closing: Promise<void> | undefined;

  constructor(options: PostgresStateBackendOptions) {
    const o = resolveOptions(options);
    this.schema = o.schema;
    this.#compactEvery = o.compactEvery;
    this.#connectTimeoutMs = o.connectTimeoutMs;
    this.#sql = statements(o.schema);
    if (o.pool !== undefined) {
      this.#pool = o.pool;
      this.#address = poolAddress(o.pool);
    } else {
      const connectionString = o.connectionString as string;
      try {
        this.#address = serverAddress({ connectionString });
      } catch (error) {
        throw new TypeError(
          `${OWNER}: cannot read \`connectionString\` (${(error as Error).message}); expected a PostgreSQL URL such as 'postgres://app@127.0.0.1:5432/app'.`,
          { cause: error },
        );
      }
      const pool = new pg.Pool({ connectionString, connectionTimeoutMillis: o.connectTimeoutMs });
      // A connection that breaks while idle leaves the pool; the next call makes a new one.
      pool.on('error', () => {});
      this.#pool = this.#ownPool = pool;
    }
    this.location = `PostgreSQL ${this.#address.text}, schema "${o.schema}"`;
  }

  async has(stateId: string): Promise<boolean> {
    this.#check(stateId, 'has');
    const result = await this.#serial(stateId, () => this.#query(this.#sql.has, [stateId]));
    return result.rows.length > 0;
  }

  async load(stateId: string): Promise<StateSnapshot> {
    this.#check(stateId, 'load');
    const { rows } = await this.#serial(stateId, () => this.#query(this.#sql.load, [stateId]));
    const row = rows[0] as StateRow | undefined;
    if (row === undefined) throw new StateNotFoundError(stateId, this.location);
    return readState(row, stateId, this.location);
  }

  async save(snapshot: StateSnapshot): Promise<void> {
    this.#checkOpen('save');
    const stateId = checkSnapshotToSave(snapshot, `${OWNER}.save`);
    const where = `state '${stateId}'`;
    const { history, storage, status, updatedAt, ...base } = snapshot;
    const { pipeline, tags } = snapshot.metadata;
    const row = [
      stateId,
      snapshot.version,
      status,
      pipeline === undefined ? null : JSON.stringify(pipeline),
      tags.map((tag) => JSON.stringify(tag)),
      snapshot.createdAt,
      updatedAt,
    ];
    const baseJson = stringify(base, where, 'snapshot');
    const storageJson = stringify(storage, where, 'storage');
    const historyJson = stringify(history, where, 'history');
    await this.#serial(stateId, async () => {
      await this.#ready();
      await this.#transaction(async (client) => {
        const { rows } = await client.query(this.#sql.upsertState, row);
        await client.query(this.#sql.clearState, [stateId]);
        const seq = (rows[0] as { seq: number }).seq;
        await client.query(this.#sql.saveBase, [stateId, baseJson, storageJson, seq, historyJson]);
      });
    });
  }

  async append(stateId: string, entry: CheckpointEntry): Promise<void> {
    this.#check(stateId, 'append');
    const problem = entryProblem(entry);
    if (problem !== undefined) {
      throw new TypeError(
        `${OWNER}.append: the entry for state '${stateId}' is not valid: ${problem}.`,
      );
    }
    const where = `state '${stateId}'`;
    const params = [
      stateId,
      entry.status ?? null,
      entry.updatedAt,
      stringify(entry.records, where, 'entry'),
      entry.storage === undefined ? null : stringify(entry.storage, where, 'entry'),
    ];
    const { rows } = await this.#serial(stateId, () => this.#query(this.#sql.append, params));
    const pending = (rows[0] as { pending: number } | undefined)?.pending;
    if (pending === undefined) {
      throw new StateNotFoundError(stateId, this.location, {
        message: `${OWNER}.append: no state '${stateId}' is stored in ${this.location}; save() a snapshot of it before appending.`,
      });
    }
    if (pending % this.#compactEvery === 0) this.#scheduleFold(stateId);
  }

  async list(filter: { tag?: string; pipeline?: string } = {}): Promise<StateSummary[]> {
    this.#checkOpen('list');
    checkFilter(filter, OWNER);
    const { tag, pipeline } = filter;
    const { rows } = await this.#track(
      this.#query(this.#sql.list, [
        tag === undefined ? null : JSON.stringify(tag),
        pipeline === undefined ? null : JSON.stringify(pipeline),
      ]),
    );
    return rows.map((row) => readSummary(row as unknown as SummaryRow));
  }

  async delete(stateId: string): Promise<boolean> {
    this.#check(stateId, 'delete');
    const result = await this.#serial(stateId, () => this.#query(this.#sql.delete, [stateId]));
    return result.rows.length > 0;
  }

  /**
   * Waits for the calls under way (and folds they started), then ends the pool the backend made
   * from a connection string. A pool that was given is left open: its owner ends it.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
      await this.#ownPool?.end();
    })();
    return this.#closing;
  }

  // ---- the database ---------------------------------------------------------------------------

  /** Creates the schema and tables when missing, once per backend; a newer schema is refused. */
  #ready(): Promise<void> {
    this.#setup ??= this.#transaction(async (client) => {
      await client.query(this.#sql.setupLock, [`rh-agents schema ${this.schema}`]);
      const meta = await client.query(this.#sql.hasMeta, [`${quote(this.schema)}.rh_agents_meta`]);
      if ((meta.rows[0] as { present: boolean }).present) {
        const { rows } = await client.query(this.#sql.schemaVersion);
        const version = Number((rows[0] as { value: string }).value);
        if (version > POSTGRES_SCHEMA_VERSION) {
          throw new StateVersionError(
            `The database schema "${this.schema}" at ${this.#address.text}`,
            version,
            POSTGRES_SCHEMA_VERSION,
          );
        }
        if (version === POSTGRES_SCHEMA_VERSION) return;
      }
      await client.query(schemaDdl(this.schema));
    }).catch((error: unknown) => {
      this.#setup = undefined;
      throw error;
    });
    return this.#setup;
  }

  async #query(text: string, values: unknown[]) {
    await this.#ready();
    return this.#connected((client) => client.query(text, values));
  }

  /** Runs `fn` in a transaction (opened by `begin`): committed when it resolves, rolled back when it throws. */
  #transaction<T>(fn: (client: PostgresPoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    return this.#connected(async (client) => {
      await client.query(begin);
      try {
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        // A connection too broken to roll back is not queryable: the pool drops it.
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    });
  }

  /**
   * Runs `fn` with a connection of the pool. A connection that failed other than with an error
   * of the server (an `SQLSTATE`) is closed rather than returned to the pool.
   */
  async #connected<T>(fn: (client: PostgresPoolClient) => Promise<T>): Promise<T> {
    const client = await checkOut(this.#pool, this.#connectTimeoutMs, this.#address);
    // A connection that breaks rejects its query; the event itself needs a listener.
    const ignore = (): void => {};
    client.on('error', ignore);
    let broken = false;
    try {
      return await fn(client);
    } catch (error) {
      if (!isServerError(error)) broken = true;
      throw error;
    } finally {
      client.removeListener('error', ignore);
      client.release(broken);
    }
  }

  /**
   * Folds a state's entry rows into its base, in one transaction that first locks the state row
   * (so no append commits in between, and the fold sees every entry committed before it). A
   * failure leaves everything as it was; the fold is tried again after as many appends. Its
   * commit does not wait for the disk: a fold changes how a state is stored, not what it holds,
   * so one lost in a server crash loses nothing (and the next append's flush covers it).
   */
  #scheduleFold(stateId: string): void {
    if (this.#folding.has(stateId)) return;
    this.#folding.add(stateId);
    const fold = this.#transaction(async (client) => {
      const { rows } = await client.query(this.#sql.lockState, [stateId]);
      const row = rows[0] as { seq: number; base_seq: number } | undefined;
      if (row === undefined || row.seq === row.base_seq) return;
      await client.query(this.#sql.fold, [stateId, row.seq]);
    }, this.#sql.beginFold)
      .catch(() => {
        // The entries stay where they are and load as before.
      })
      .finally(() => this.#folding.delete(stateId));
    void this.#track(fold);
  }

  // ---- bookkeeping ----------------------------------------------------------------------------

  /** Runs `fn` after this backend's earlier calls on the same state have settled. */
  #serial<T>(stateId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(stateId);
    const run = previous === undefined ? fn() : previous.then(fn);
    const tail = run.then(
      () => {},
      () => {},
    );
    this.#tails.set(stateId, tail);
    void tail.then(() => {
      if (this.#tails.get(stateId) === tail) this.#tails.delete(stateId);
    });
    return this.#track(run);
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inflight.add(promise);
    const done = (): void => void this.#inflight.delete(promise);
    promise.then(done, done);
    return promise;
  }

  #check(stateId: string, method: string): void {
    this.#checkOpen(method);
    checkStateId(stateId, `${OWNER}.${method}`);
  }

  #checkOpen(method: string): void {
    if (this.#closing !== undefined) {
      throw new RhAgentsError(
        `${OWNER}.${method}: the backend is closed; create a new one for ${this.location}.`,
      );
    }
  }
}

/** An error the server answered with (a failed statement); the connection itself is fine. */
function isServerError(error: unknown): boolean {
  return error instanceof Error && 'severity' in error;
}
