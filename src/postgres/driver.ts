/**
 * Loads `pg`, an optional peer dependency: importing `rh-agents/postgres` without it fails here
 * with a message that says what to install. The package root never imports this file. The few
 * parts of pg's API used here are typed below, so `@types/pg` need not be installed; a `pg.Pool`
 * fits `PostgresPool`.
 */
import { createRequire } from 'node:module';
import { MissingPeerDependencyError } from '../index.js';

/** What a query resolves to (the parts used here). */
export interface PostgresQueryResult {
  rows: Record<string, unknown>[];
  rowCount: number | null;
}

/** A connection checked out of a pool: pg's `PoolClient` fits. */
export interface PostgresPoolClient {
  query(text: string, values?: unknown[]): Promise<PostgresQueryResult>;
  /** Returns the connection to the pool; with an error (or `true`), closes it instead. */
  release(error?: Error | boolean): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
}

/** A pool of connections: pg's `Pool` fits. The backend only checks connections out of it. */
export interface PostgresPool {
  connect(): Promise<PostgresPoolClient>;
  /** pg's `Pool` keeps the options it was made with here; read for the address in messages. */
  readonly options?: object;
}

/** The pool the backend makes from a connection string, which it also ends. */
export interface OwnedPool extends PostgresPool {
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** The parts of the `pg` module used here. */
export interface PgModule {
  Pool: new (config: { connectionString: string; connectionTimeoutMillis: number }) => OwnedPool;
  /** Made (never connected) only to read where a configuration points, as pg resolves it. */
  Client: new (config: object) => { host: string; port: number; database?: string };
}

/** The command that installs the driver, as the error message says it. */
export const PG_INSTALL = 'npm install pg@^8';

/**
 * The `pg` module, through `require` (by default one resolving from this package). Throws an
 * `MissingPeerDependencyError` saying what to install when pg is not installed.
 */
export function loadPg(
  require: (id: string) => unknown = createRequire(import.meta.url),
): PgModule {
  try {
    return require('pg') as PgModule;
  } catch (error) {
    const notInstalled =
      (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' &&
      String((error as Error).message).includes("'pg'");
    if (!notInstalled) throw error;
    throw new MissingPeerDependencyError(
      `rh-agents/postgres needs pg, an optional peer dependency that is not installed: run \`${PG_INSTALL}\`. Or keep states in a FileSystemStateBackend or SqliteStateBackend from 'rh-agents'.`,
      { cause: error },
    );
  }
}

/** The `pg` module, loaded when `rh-agents/postgres` is imported. */
export const pg: PgModule = loadPg();
