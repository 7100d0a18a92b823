/**
 * SqliteStateBackend in its database: WAL mode, the rows it writes, compaction, damage reported
 * as CorruptStateError, a newer schema refused, options, and the message when better-sqlite3 is
 * missing or does not load.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptStateError, SqliteStateBackend, StateVersionError } from '../../src/index.js';
import { loadSqliteDriver } from '../../src/recovery/sqlite-driver.js';
import { databaseFingerprint, openDatabase, sqliteFixture, tempDir } from './helpers.js';
import { runEntry, sampleSnapshot } from './samples.js';

let fixture: ReturnType<typeof sqliteFixture>;
let backend: SqliteStateBackend;
const query = <T>(sql: string, ...params: unknown[]): T[] => {
  const db = openDatabase(fixture.file);
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
};
const run = (sql: string, ...params: unknown[]): void => {
  const db = openDatabase(fixture.file);
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
};

beforeEach(async () => {
  fixture = sqliteFixture({ compactEvery: Infinity });
  backend = fixture.open() as SqliteStateBackend;
  await backend.save(sampleSnapshot('s'));
  for (let i = 0; i < 5; i++) backend.append('s', runEntry(i, i === 4 ? { status: 'failed' } : {}));
});
afterEach(async () => {
  await backend.close();
  await fixture.destroy();
});

describe('the database', () => {
  it('is in WAL mode, with one row per state and one per appended entry', () => {
    expect(query(`SELECT seq, records FROM rh_agents_history`)).toEqual([
      { seq: 0, records: JSON.stringify(sampleSnapshot('s').history) },
    ]);
    expect(query<{ journal_mode: string }>('PRAGMA journal_mode')[0]?.journal_mode).toBe('wal');
    expect(
      query('SELECT state_id, status, pipeline, tags, base_seq FROM rh_agents_states'),
    ).toEqual([
      {
        state_id: 's',
        status: 'running',
        pipeline: 'reports',
        tags: '["nightly","eu"]',
        base_seq: 0,
      },
    ]);
    const entries = query<{ seq: number; status: string; entry: string }>(
      'SELECT seq, status, entry FROM rh_agents_entries ORDER BY seq',
    );
    expect(entries.map((e) => `${e.seq} ${e.status}`)).toEqual([
      '1 running',
      '2 running',
      '3 running',
      '4 running',
      '5 failed',
    ]);
    expect(JSON.parse(entries[2]?.entry as string)).toEqual(runEntry(2));
  });

  it('folds entry rows into history rows and the base once there are compactEvery of them', async () => {
    const compacting = new SqliteStateBackend({ file: fixture.file, compactEvery: 4 });
    await compacting.save(sampleSnapshot('c', { history: [] }));
    for (let i = 0; i < 3; i++) {
      compacting.append('c', runEntry(i, i === 2 ? { storage: { page: 2 } } : {}));
    }
    expect(query(`SELECT seq FROM rh_agents_entries WHERE state_id = 'c'`)).toHaveLength(3);
    compacting.append('c', runEntry(3, { status: 'completed' }));
    expect(query(`SELECT seq FROM rh_agents_entries WHERE state_id = 'c'`)).toEqual([]);
    expect(query(`SELECT base_seq, status FROM rh_agents_states WHERE state_id = 'c'`)).toEqual([
      { base_seq: 4, status: 'completed' },
    ]);
    // The records moved to history rows; the storage of entry 2 (the newest) went into the base.
    const history = query<{ seq: number; records: string }>(
      `SELECT seq, records FROM rh_agents_history WHERE state_id = 'c' ORDER BY seq`,
    );
    expect(history.map((h) => h.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(JSON.parse(history[3]?.records as string)).toEqual(
      runEntry(2, { storage: { page: 2 } }).records,
    );
    const [base] = query<{ snapshot: string }>(
      `SELECT snapshot FROM rh_agents_bases WHERE state_id = 'c'`,
    );
    expect(JSON.parse(base?.snapshot as string)).toMatchObject({
      history: [],
      status: 'completed',
      storage: { page: 2 },
      updatedAt: runEntry(3).updatedAt,
    });
    compacting.append('c', runEntry(4));
    expect(query(`SELECT seq FROM rh_agents_entries WHERE state_id = 'c'`)).toEqual([{ seq: 5 }]);
    const loaded = await compacting.load('c');
    expect(
      loaded.history.filter((r) => r.status === 'completed').map((r) => r.parallelIndex),
    ).toEqual([0, 1, 2, 3, 4]);
    expect(loaded.status).toBe('completed');
    expect(loaded.storage).toEqual({ page: 2 });
    await compacting.close();
  });

  it('a second connection to the same file sees each append whole, and the latest status in list()', async () => {
    const other = new SqliteStateBackend({ file: fixture.file });
    expect((await other.load('s')).history).toHaveLength(11);
    backend.append('s', runEntry(5));
    expect((await other.load('s')).history).toHaveLength(13);
    expect((await other.list())[0]).toMatchObject({
      status: 'failed',
      updatedAt: runEntry(5).updatedAt,
    });
    await other.close();
  });

  it('works in memory', async () => {
    const memory = new SqliteStateBackend({ file: ':memory:' });
    await memory.save(sampleSnapshot('m'));
    memory.append('m', runEntry(0));
    expect((await memory.load('m')).history).toHaveLength(3);
    expect(memory.file).toBe(':memory:');
    await memory.close();
  });
});

describe('damage', () => {
  it('an entry row that is not JSON, or not an entry, or missing, throws CorruptStateError naming it', async () => {
    run(`UPDATE rh_agents_entries SET entry = '{"records":' WHERE seq = 3`);
    const error = await backend.load('s').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptStateError);
    expect((error as Error).message).toMatch(
      /State 's' is corrupt: .*states\.db: entry 3 is not JSON[^]*backup[^]*delete/,
    );
    run(`UPDATE rh_agents_entries SET entry = '{"records":[{}],"updatedAt":1}' WHERE seq = 3`);
    await expect(backend.load('s')).rejects.toThrow(
      /entry 3: records\[0\]: expected a record object|entry 3: records\[0\]: `actor`/,
    );
    run(`DELETE FROM rh_agents_entries WHERE seq = 3`);
    await expect(backend.load('s')).rejects.toThrow(
      /entry 4 follows entry 2 \(entries are missing\)/,
    );
  });

  it('a missing base row, or a base that is not a snapshot, throws CorruptStateError', async () => {
    run(`UPDATE rh_agents_bases SET snapshot = '{"format":"rh-agents/state","version":1}'`);
    await expect(backend.load('s')).rejects.toThrow(
      /State 's' in .*states\.db \(its base snapshot and history\) is not a valid rh-agents state: `stateId`/,
    );
    run(`UPDATE rh_agents_bases SET snapshot = '{"x":'`);
    await expect(backend.load('s')).rejects.toThrow(/its base snapshot is not JSON/);
    run(`DELETE FROM rh_agents_bases`);
    await expect(backend.load('s')).rejects.toThrow(/its base snapshot row is missing/);
  });

  it('a history row that is not JSON or not an array of records throws CorruptStateError', async () => {
    run(`UPDATE rh_agents_history SET records = '[{"actor":'`);
    await expect(backend.load('s')).rejects.toThrow(/the history of entry 0 is not JSON/);
    run(`UPDATE rh_agents_history SET records = '{}'`);
    await expect(backend.load('s')).rejects.toThrow(/the history of entry 0 is not an array/);
    run(`UPDATE rh_agents_history SET records = '[1]'`);
    await expect(backend.load('s')).rejects.toThrow(/history\[0\]: expected a record object/);
  });

  it('a database written by a newer schema is refused when opened, and left unchanged', async () => {
    run(`UPDATE rh_agents_meta SET value = '2' WHERE key = 'schema'`);
    const before = databaseFingerprint(fixture.file);
    const error = (() => {
      try {
        return new SqliteStateBackend({ file: fixture.file });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(StateVersionError);
    expect((error as Error).message).toContain(
      `The database ${fixture.file} was written in state format version 2 by a newer rh-agents`,
    );
    expect(databaseFingerprint(fixture.file)).toBe(before);
  });
});

describe('options', () => {
  it('are checked when the backend is built, naming the option and the value', () => {
    const make = (options: unknown) => () => new SqliteStateBackend(options as never);
    expect(make(null)).toThrow(
      'SqliteStateBackend: expected an options object, got `null` (null).',
    );
    expect(make({ file: 3 })).toThrow(
      /expected `file` to be a non-empty string, got `3` \(number\)/,
    );
    expect(make({ file: 'x.db', fsync: 1 })).toThrow(
      'expected `fsync` to be true or false, got `1` (number)',
    );
    expect(make({ file: 'x.db', compactEvery: 1.5 })).toThrow(/`compactEvery`.*`1\.5` \(number\)/);
    expect(make({ file: 'x.db', busyTimeoutMs: -1 })).toThrow(
      'SqliteStateBackend: expected `busyTimeoutMs` to be a whole number from 0 to 2147483647, got `-1` (number).',
    );
    expect(make({ file: 'x.db', dir: 'y' })).toThrow('unknown option `dir`');
  });

  it('with fsync: true, stores and reloads the same data', async () => {
    const synced = new SqliteStateBackend({
      file: join(tempDir(), 'deep', 'dir', 'f.db'),
      fsync: true,
    });
    await synced.save(sampleSnapshot('f'));
    synced.append('f', runEntry(0));
    expect((await synced.load('f')).history).toHaveLength(3);
    await synced.close();
    rmSync(resolve(synced.file, '../../..'), { recursive: true, force: true });
  });

  it('a file that cannot be opened fails with the path and the reason', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'a-directory.db'));
    expect(() => new SqliteStateBackend({ file: join(dir, 'a-directory.db') })).toThrow(
      /SqliteStateBackend: cannot open .*a-directory\.db: /,
    );
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('better-sqlite3', () => {
  it('missing: the error says what to install', () => {
    const nowhere = tempDir();
    const error = (() => {
      try {
        return loadSqliteDriver(createRequire(join(nowhere, 'x.js')));
      } catch (e) {
        return e;
      }
    })() as Error;
    expect(error.message).toBe(
      'SqliteStateBackend needs better-sqlite3, an optional peer dependency that is not installed. Install it: npm install better-sqlite3@12 (with npm 11, also run `npm install-scripts approve better-sqlite3` so its native part is built). Or use FileSystemStateBackend, which needs nothing.',
    );
    expect((error.cause as NodeJS.ErrnoException).code).toBe('MODULE_NOT_FOUND');
    rmSync(nowhere, { recursive: true, force: true });
  });

  it('missing in a real process: constructing the backend fails with that message, and the root import does not need it', () => {
    const dir = tempDir();
    // Makes `better-sqlite3` unresolvable in the child, as if it were not installed.
    const hide = join(dir, 'hide.cjs');
    writeFileSync(
      hide,
      `const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'better-sqlite3') {
    const error = new Error("Cannot find module 'better-sqlite3'");
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  return resolve.call(this, request, ...rest);
};`,
    );
    const script = `
      import { FileSystemStateBackend, SqliteStateBackend } from ${JSON.stringify(resolve('src/index.ts'))};
      console.log(typeof FileSystemStateBackend);
      try { new SqliteStateBackend({ file: ${JSON.stringify(join(dir, 'x.db'))} }); } catch (error) { console.log(error.name + ': ' + error.message); }`;
    const child = spawnSync(
      process.execPath,
      ['--require', hide, '--import', 'tsx', '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe(
      'function\nMissingPeerDependencyError: SqliteStateBackend needs better-sqlite3, an optional peer dependency that is not installed. Install it: npm install better-sqlite3@12 (with npm 11, also run `npm install-scripts approve better-sqlite3` so its native part is built). Or use FileSystemStateBackend, which needs nothing.\n',
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it('installed but with a native part that does not load: the error says to rebuild it', () => {
    const dir = tempDir();
    const pkg = join(dir, 'node_modules', 'better-sqlite3');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), '{"name":"better-sqlite3","main":"index.js"}');
    writeFileSync(join(pkg, 'binding.node'), 'not a shared library');
    writeFileSync(join(pkg, 'index.js'), "module.exports = require('./binding.node');");
    expect(() => loadSqliteDriver(createRequire(join(dir, 'x.js')))).toThrow(
      /better-sqlite3 is installed but cannot be loaded \(.*binding\.node.*\)\. Rebuild it for this Node\.js: `npm rebuild better-sqlite3`/,
    );
    rmSync(dir, { recursive: true, force: true });
  });
});
