/**
 * Opens the store of states a command names: a directory is a `FileSystemStateBackend`'s, a SQLite
 * database file a `SqliteStateBackend`'s. Reading is all the commands do, so a SQLite file that
 * holds no rh-agents states is refused before the backend (which creates its tables) opens it.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, resolve } from 'node:path';
import {
  FileSystemStateBackend,
  RhAgentsError,
  SqliteStateBackend,
  type StateBackend,
} from '../index.js';
import { CliUsageError } from './errors.js';
import { visible } from './text.js';

/** A store of states, opened. */
export interface OpenedStore {
  backend: StateBackend;
  /** `directory` (FileSystemStateBackend) or `sqlite` (SqliteStateBackend). */
  kind: 'directory' | 'sqlite';
  /** The absolute path. */
  path: string;
}

/** The first 16 bytes of every SQLite 3 database. */
const SQLITE_HEADER = 'SQLite format 3\u0000';
/** The names of SQLite files, as the messages mention them. */
const SQLITE_EXTENSIONS = new Set(['.db', '.sqlite', '.sqlite3']);

interface ProbeDatabase {
  prepare(sql: string): { get(): unknown };
  close(): void;
}
type ProbeConstructor = new (
  file: string,
  options: { readonly: boolean; fileMustExist: boolean },
) => ProbeDatabase;

/** How `openStore` loads better-sqlite3 (replaced in tests). */
export interface OpenStoreOptions {
  /** The directory a relative path is resolved against. */
  cwd: string;
  /** The command that opens it, for the `--help` its errors point at. */
  command?: string;
  /** @default a `require` resolving from this package */
  require?: (id: string) => unknown;
}

function firstBytes(file: string, count: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(count);
    const read = readSync(fd, buffer, 0, count, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether the SQLite database at `file` has the table of a `SqliteStateBackend`, read through a
 * read-only connection; `undefined` when better-sqlite3 cannot be loaded or cannot open the file
 * (the backend then says what to install or what is wrong).
 */
function hasStatesTable(
  file: string,
  require: (id: string) => unknown,
  command: string | undefined,
): boolean | undefined {
  let db: ProbeDatabase;
  try {
    const Database = require('better-sqlite3') as ProbeConstructor;
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch {
    return undefined;
  }
  try {
    const row = db
      .prepare(
        "SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'rh_agents_states'",
      )
      .get();
    return row !== undefined;
  } catch (error) {
    throw new CliUsageError(
      `${visible(file)} starts like a SQLite database but SQLite cannot read it (${(error as Error).message}). Point at the directory or the SQLite file your state backend writes.`,
      { cause: error, command },
    );
  } finally {
    db.close();
  }
}

function openSqlite(
  path: string,
  require: (id: string) => unknown,
  command: string | undefined,
): OpenedStore {
  const found = hasStatesTable(path, require, command);
  if (found === false) {
    throw new CliUsageError(
      `${visible(path)} is a SQLite database without rh-agents states (it has no rh_agents_states table). Point at the file a SqliteStateBackend writes, the \`file\` of new SqliteStateBackend({ file }).`,
      { command },
    );
  }
  // better-sqlite3 missing or broken: the backend's own error says what to install or rebuild.
  return { backend: new SqliteStateBackend({ file: path }), kind: 'sqlite', path };
}

/**
 * Opens the store of states at `path`: a `FileSystemStateBackend` for a directory, a
 * `SqliteStateBackend` for a SQLite database file. Throws a `CliUsageError` for a path that does
 * not exist or is neither, and the backend's error when it cannot open (better-sqlite3 missing).
 */
export function openStore(path: string, options: OpenStoreOptions): OpenedStore {
  const command = options.command;
  const absolute = resolve(options.cwd, path);
  const shown = visible(absolute);
  let stats;
  try {
    stats = statSync(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new CliUsageError(
        `${shown} does not exist. Give the directory of a FileSystemStateBackend or the SQLite file of a SqliteStateBackend (the \`dir\` or \`file\` your pipeline passes it).`,
        { cause: error, command },
      );
    }
    throw new RhAgentsError(`Cannot read ${shown}: ${(error as Error).message}.`, {
      cause: error,
    });
  }
  if (stats.isDirectory()) {
    return {
      backend: new FileSystemStateBackend({ dir: absolute }),
      kind: 'directory',
      path: absolute,
    };
  }
  const neither = `${shown} is neither a directory of states (FileSystemStateBackend) nor a SQLite database of states (SqliteStateBackend)`;
  if (!stats.isFile())
    throw new CliUsageError(`${neither}: it is not a regular file.`, { command });
  let header: Buffer;
  try {
    header = firstBytes(absolute, SQLITE_HEADER.length);
  } catch (error) {
    throw new RhAgentsError(`Cannot read ${shown}: ${(error as Error).message}.`, {
      cause: error,
    });
  }
  if (header.toString('latin1') === SQLITE_HEADER) {
    return openSqlite(absolute, options.require ?? createRequire(import.meta.url), command);
  }
  const named = SQLITE_EXTENSIONS.has(extname(absolute).toLowerCase());
  const why =
    stats.size === 0
      ? 'it is an empty file'
      : named
        ? `its name ends in ${extname(absolute)} but it does not start with the SQLite header ('SQLite format 3')`
        : 'it is a file that is not a SQLite database';
  throw new CliUsageError(
    `${neither}: ${why}. Give the \`dir\` of your FileSystemStateBackend or the \`file\` of your SqliteStateBackend.`,
    { command },
  );
}
