/**
 * Bad command lines, with the real bin in a child process: it prints what is wrong and how to fix
 * it, exits 2, and leaves a foreign SQLite file untouched. (Every message is also checked
 * in-process, in run-cli.test.ts.)
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin, tempDir } from './helpers.js';

interface Db {
  exec(sql: string): void;
  close(): void;
}
const Database = createRequire(import.meta.url)('better-sqlite3') as new (file: string) => Db;

/** Each test spawns a few processes; on a busy 2-core machine one takes 1 to 3 s. */
const SLOW = 90_000;

let dir: string;
beforeAll(() => {
  dir = tempDir();
  writeFileSync(join(dir, 'notes.txt'), 'hello\n');
  const db = new Database(join(dir, 'app.db'));
  db.exec(
    "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users VALUES (1, 'a')",
  );
  db.close();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const STATES_HELP = "Run 'rh-agents states --help' for usage.\n";
const VIEW_HELP = "Run 'rh-agents view --help' for usage.\n";
const MAIN_HELP = "Run 'rh-agents --help' for usage.\n";

function expectUsageError(args: string[], stderr: string): void {
  const out = runBin(args, { cwd: dir });
  expect({ args, ...out }).toEqual({ args, status: 2, stdout: '', stderr });
}

describe('rh-agents on bad input', () => {
  it(
    'names the unknown command or option, or the missing or bad value, and exits 2',
    () => {
      expectUsageError(
        ['list', '.'],
        `rh-agents: unknown command 'list'; the commands are 'states' and 'view'.\n${MAIN_HELP}`,
      );
      expectUsageError(
        ['states', '.', '--limit', '3'],
        `rh-agents: unknown option '--limit' for 'rh-agents states'; its options are --tag, --pipeline, --json, --help (-h).\n${STATES_HELP}`,
      );
      expectUsageError(
        ['view', '.', '--port', 'http'],
        `rh-agents: --port must be a whole number from 0 to 65535 (0 picks a free port), got 'http'.\n${VIEW_HELP}`,
      );
      expectUsageError(
        ['states'],
        `rh-agents: 'rh-agents states' needs the store of states: a directory (FileSystemStateBackend) or a SQLite file (SqliteStateBackend), e.g. rh-agents states .rh-agents/states.\n${STATES_HELP}`,
      );
    },
    SLOW,
  );

  it(
    'says what is wrong with a path that is not a store of states, and exits 2',
    () => {
      expectUsageError(
        ['states', 'missing/states'],
        `rh-agents: ${join(dir, 'missing/states')} does not exist. Give the directory of a FileSystemStateBackend or the SQLite file of a SqliteStateBackend (the \`dir\` or \`file\` your pipeline passes it).\n${STATES_HELP}`,
      );
      expectUsageError(
        ['view', 'notes.txt'],
        `rh-agents: ${join(dir, 'notes.txt')} is neither a directory of states (FileSystemStateBackend) nor a SQLite database of states (SqliteStateBackend): it is a file that is not a SQLite database. Give the \`dir\` of your FileSystemStateBackend or the \`file\` of your SqliteStateBackend.\n${VIEW_HELP}`,
      );
      const before = readFileSync(join(dir, 'app.db'));
      for (const command of ['states', 'view']) {
        expectUsageError(
          [command, 'app.db'],
          `rh-agents: ${join(dir, 'app.db')} is a SQLite database without rh-agents states (it has no rh_agents_states table). Point at the file a SqliteStateBackend writes, the \`file\` of new SqliteStateBackend({ file }).\nRun 'rh-agents ${command} --help' for usage.\n`,
        );
      }
      // Refused before any backend opened it: not a byte of the other application's database changed.
      expect(readFileSync(join(dir, 'app.db')).equals(before)).toBe(true);
    },
    SLOW,
  );

  it(
    'prints help and the version and exits 0; without a command it prints help and exits 2',
    () => {
      const help = runBin(['--help']);
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(/^Usage: rh-agents <command> <dir \| file\.db> \[options\]/);
      const states = runBin(['states', '--help']);
      expect(states.status).toBe(0);
      expect(states.stdout).toMatch(/^Usage: rh-agents states <dir \| file\.db> \[options\]/);
      const pkg = JSON.parse(
        readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
      ) as { version: string };
      expect(runBin(['--version'])).toEqual({ status: 0, stdout: `${pkg.version}\n`, stderr: '' });
      const none = runBin([]);
      expect(none.status).toBe(2);
      expect(none.stdout).toBe('');
      expect(none.stderr).toMatch(/^Usage: rh-agents/);
    },
    SLOW,
  );
});
