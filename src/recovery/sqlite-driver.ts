/**
 * Loads better-sqlite3, an optional peer dependency, only when a `SqliteStateBackend` is built,
 * so the package root never does; when it is missing or cannot load, the error says what to do.
 * The few parts of its API used here are typed below, so its types need not be installed.
 */
import { createRequire } from 'node:module';
import { MissingPeerDependencyError } from '../util/errors.js';

export interface SqliteStatement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

export interface SqliteTransaction<A extends unknown[], R> {
  (...args: A): R;
  /** Runs in `BEGIN IMMEDIATE`: takes the write lock first, waiting up to the busy timeout. */
  immediate(...args: A): R;
}

export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): SqliteTransaction<A, R>;
  close(): void;
}

export type SqliteDatabaseConstructor = new (
  file: string,
  options?: { timeout?: number },
) => SqliteDatabase;

/** The command that installs the driver, as the error messages say it. */
export const SQLITE_INSTALL = 'npm install better-sqlite3@12';

/**
 * better-sqlite3's `Database` class, through `require` (by default one resolving from this
 * package). Throws a `MissingPeerDependencyError` saying what to install when it is not installed.
 */
export function loadSqliteDriver(
  require: (id: string) => unknown = createRequire(import.meta.url),
): SqliteDatabaseConstructor {
  try {
    return require('better-sqlite3') as SqliteDatabaseConstructor;
  } catch (error) {
    const notInstalled =
      (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' &&
      String((error as Error).message).includes("'better-sqlite3'");
    throw new MissingPeerDependencyError(
      notInstalled
        ? `SqliteStateBackend needs better-sqlite3, an optional peer dependency that is not installed. Install it: ${SQLITE_INSTALL} (with npm 11, also run \`npm install-scripts approve better-sqlite3\` so its native part is built). Or use FileSystemStateBackend, which needs nothing.`
        : driverBroken(error),
      { cause: error },
    );
  }
}

/** The message for a better-sqlite3 that is installed but whose native part does not load. */
export function driverBroken(error: unknown): string {
  return `SqliteStateBackend: better-sqlite3 is installed but cannot be loaded (${(error as Error).message}). Rebuild it for this Node.js: \`npm rebuild better-sqlite3\` (with npm 11, first \`npm install-scripts approve better-sqlite3\`), or reinstall it: ${SQLITE_INSTALL}.`;
}

/** Whether `error`, thrown while opening a database, comes from a native part that does not load. */
export function isBindingError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  const message = String((error as Error | undefined)?.message);
  return (
    code === 'ERR_DLOPEN_FAILED' ||
    message.includes('better_sqlite3.node') ||
    message.includes('NODE_MODULE_VERSION')
  );
}
