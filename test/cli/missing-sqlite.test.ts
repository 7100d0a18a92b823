/**
 * Without better-sqlite3 installed: `rh-agents states <file.db>` says what to install and exits 1,
 * leaving the file as it was; a directory store works as before. Run in a child process on a copy
 * of the sources whose node_modules has zod only.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryStore, root, sqliteStore, tempDir } from './helpers.js';

let copy: string;
let file: string;
let dir: string;
beforeAll(async () => {
  copy = tempDir('rh-cli-no-sqlite-');
  cpSync(join(root, 'src'), join(copy, 'src'), { recursive: true });
  writeFileSync(
    join(copy, 'package.json'),
    JSON.stringify({ name: 'rh-agents', version: '0.0.0-copy', type: 'module' }),
  );
  mkdirSync(join(copy, 'node_modules'));
  symlinkSync(join(root, 'node_modules', 'zod'), join(copy, 'node_modules', 'zod'), 'dir');
  file = await sqliteStore();
  dir = await directoryStore();
});
afterAll(() => {
  for (const path of [copy, dirname(file), dirname(dir)]) {
    rmSync(path, { recursive: true, force: true });
  }
});

function run(args: string[]) {
  const tsx = join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs');
  return spawnSync(
    process.execPath,
    ['--import', tsx, join(copy, 'src', 'cli', 'bin.ts'), ...args],
    {
      cwd: copy,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, TZ: 'UTC' },
    },
  );
}

describe('rh-agents without better-sqlite3', () => {
  it('says what to install for a SQLite store (exit 1) and still reads a directory store', () => {
    const before = readFileSync(file);
    const sqlite = run(['states', file]);
    expect(sqlite.stdout).toBe('');
    expect(sqlite.stderr).toBe(
      'rh-agents: SqliteStateBackend needs better-sqlite3, an optional peer dependency that is not installed. Install it: npm install better-sqlite3@12 (with npm 11, also run `npm install-scripts approve better-sqlite3` so its native part is built). Or use FileSystemStateBackend, which needs nothing.\n',
    );
    expect(sqlite.status).toBe(1);
    expect(readFileSync(file).equals(before)).toBe(true);
    const directory = run(['states', dir]);
    expect(directory.stderr).toBe('');
    expect(directory.status).toBe(0);
    expect(directory.stdout.split('\n')[1]).toMatch(/^report-1 +reports +completed/);
  }, 90_000);
});
