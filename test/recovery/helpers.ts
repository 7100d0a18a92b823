import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  FileSystemStateBackend,
  type FileSystemStateBackendOptions,
  SqliteStateBackend,
  type SqliteStateBackendOptions,
} from '../../src/index.js';
import type {
  SqliteDatabase,
  SqliteDatabaseConstructor,
} from '../../src/recovery/sqlite-driver.js';
import { afterAll } from 'vitest';
import type { StateBackendFixture } from './backend-suite.js';

const made: string[] = [];
// Every directory made here is removed when the test file that made it ends.
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed when the test file ends. */
export function tempDir(prefix = 'rh-state-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** The files of `dir` with a hash of each one's content, or `no directory`. */
export function dirFingerprint(dir: string): string {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return 'no directory';
  }
  return names
    .map(
      (name) =>
        `${name} ${createHash('sha1')
          .update(readFileSync(join(dir, name)))
          .digest('hex')}`,
    )
    .join('\n');
}

/** The filesystem backend's fixture for the conformance suite: a state directory under a temp dir. */
export function fileSystemFixture(
  options: Omit<FileSystemStateBackendOptions, 'dir'> = { compactEvery: 4 },
): StateBackendFixture & { dir: string } {
  const root = tempDir();
  const dir = join(root, 'states');
  return {
    dir,
    open: () => new FileSystemStateBackend({ dir, ...options }),
    fingerprint: async () => dirFingerprint(dir),
    async corruptBase(stateId) {
      const file = join(dir, `${stateId}.state.jsonl`);
      const text = readFileSync(file, 'utf8');
      writeFileSync(file, text.slice(0, Math.floor(text.length * 0.7)));
    },
    async markNewerVersion(stateId, version) {
      const file = join(dir, `${stateId}.state.jsonl`);
      const [header, snapshot, ...history] = readFileSync(file, 'utf8').split('\n') as string[];
      const bump = (line = '{}'): string => JSON.stringify({ ...JSON.parse(line), version });
      writeFileSync(file, [bump(header), bump(snapshot), ...history].join('\n'));
    },
    async destroy() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A better-sqlite3 connection of the test's own, to look at or damage a database behind the backend's back. */
export function openDatabase(file: string): SqliteDatabase {
  const Database = createRequire(import.meta.url)('better-sqlite3') as SqliteDatabaseConstructor;
  return new Database(file);
}

/** Every rh-agents table of the database at `file`, schema and rows, as text. */
export function databaseFingerprint(file: string): string {
  const db = openDatabase(file);
  try {
    const tables = db
      .prepare(`SELECT name, sql FROM sqlite_master WHERE name LIKE 'rh_agents%' ORDER BY name`)
      .all() as { name: string; sql: string | null }[];
    return tables
      .map(({ name, sql }) => {
        const rows = sql?.startsWith('CREATE TABLE')
          ? db.prepare(`SELECT * FROM ${name} ORDER BY 1, 2`).all()
          : [];
        return `${sql}\n${JSON.stringify(rows)}`;
      })
      .join('\n');
  } finally {
    db.close();
  }
}

/** The SQLite backend's fixture for the conformance suite: a database file in a temp dir. */
export function sqliteFixture(
  options: Omit<SqliteStateBackendOptions, 'file'> = { compactEvery: 4 },
): StateBackendFixture & { file: string } {
  const root = tempDir();
  const file = join(root, 'states.db');
  const update = (sql: string, ...params: unknown[]): void => {
    const db = openDatabase(file);
    try {
      db.prepare(sql).run(...params);
    } finally {
      db.close();
    }
  };
  return {
    file,
    open: () => new SqliteStateBackend({ file, ...options }),
    fingerprint: async () => databaseFingerprint(file),
    async corruptBase(stateId) {
      update(
        `UPDATE rh_agents_bases SET snapshot = substr(snapshot, 1, length(snapshot) / 2) WHERE state_id = ?`,
        stateId,
      );
    },
    async markNewerVersion(stateId, version) {
      update(`UPDATE rh_agents_states SET version = ? WHERE state_id = ?`, version, stateId);
      update(
        `UPDATE rh_agents_bases SET snapshot = json_set(snapshot, '$.version', ?) WHERE state_id = ?`,
        version,
        stateId,
      );
    },
    async destroy() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A child process running `script` with tsx: its complete stdout lines, its stderr, its exit. */
export function startScript(script: string, args: readonly string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return {
    child: child as ChildProcess,
    exited,
    /** The lines printed so far, complete ones only. */
    lines: (): string[] => out.split('\n').slice(0, -1),
    stderr: () => err,
  };
}
