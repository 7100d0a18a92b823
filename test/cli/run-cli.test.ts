/**
 * `runCli()` in this process (the bin is a one-line wrapper around it): every message of the
 * command line, the table's fitting and escaping, and `view` stopped through its signal.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../src/cli/main.js';
import { openStore } from '../../src/cli/open-store.js';
import { formatStates } from '../../src/cli/states-command.js';
import { STATES, directoryStore, snapshot, sqliteStore, tempDir } from './helpers.js';

class Collector {
  text = '';
  constructor(
    public isTTY = false,
    public columns: number | undefined = undefined,
  ) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

async function run(args: string[], io: Partial<CliIo> = {}) {
  const stdout = new Collector();
  const stderr = new Collector();
  const status = await runCli(args, { stdout, stderr, env: {}, cwd: dir, ...io });
  return { status, stdout: stdout.text, stderr: stderr.text };
}

interface Db {
  exec(sql: string): void;
  close(): void;
}
const Database = createRequire(import.meta.url)('better-sqlite3') as new (file: string) => Db;

let dir: string;
const stores: Record<string, string> = {};
beforeAll(async () => {
  dir = tempDir();
  stores.directory = await directoryStore();
  stores.sqlite = await sqliteStore(STATES, 'states.sqlite3');
  writeFileSync(join(dir, 'notes.txt'), 'hello\n');
  writeFileSync(join(dir, 'empty.db'), '');
  writeFileSync(join(dir, 'fake.sqlite'), 'not a database\n');
  const db = new Database(join(dir, 'app.db'));
  db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY)');
  db.close();
  writeFileSync(
    join(dir, 'corrupt.db'),
    Buffer.concat([Buffer.from('SQLite format 3\u0000'), Buffer.alloc(200, 7)]),
  );
  mkdirSync(join(dir, 'broken'));
  writeFileSync(join(dir, 'broken', 'bad.state.jsonl'), '{not json\n');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  for (const path of Object.values(stores)) rmSync(dirname(path), { recursive: true, force: true });
});

const MAIN = "Run 'rh-agents --help' for usage.\n";
const STATES_HELP = "Run 'rh-agents states --help' for usage.\n";
const VIEW_HELP = "Run 'rh-agents view --help' for usage.\n";

describe('runCli: usage errors exit 2 with a message that says what to do', () => {
  const cases: [string[], string][] = [
    [['list'], `unknown command 'list'; the commands are 'states' and 'view'.\n${MAIN}`],
    [['toString'], `unknown command 'toString'; the commands are 'states' and 'view'.\n${MAIN}`],
    [
      ['-x'],
      `unknown option '-x'; the options before a command are --help and --version.\n${MAIN}`,
    ],
    [
      ['states', '.', '--limit', '3'],
      `unknown option '--limit' for 'rh-agents states'; its options are --tag, --pipeline, --json, --help (-h).\n${STATES_HELP}`,
    ],
    [
      ['view', '.', '--open'],
      `unknown option '--open' for 'rh-agents view'; its options are --port, --host, --token, --help (-h).\n${VIEW_HELP}`,
    ],
    [['view', '.', '--port'], `option --port needs a value, e.g. --port 8080.\n${VIEW_HELP}`],
    [['view', '.', '--host'], `option --host needs a value, e.g. --host value.\n${VIEW_HELP}`],
    [
      ['states', '.', '--json=yes'],
      `option --json takes no value; write --json on its own.\n${STATES_HELP}`,
    ],
    [
      ['view', '.', '--port', '70000'],
      `--port must be a whole number from 0 to 65535 (0 picks a free port), got '70000'.\n${VIEW_HELP}`,
    ],
    [['view', '.', '--port', '-1'], `option --port needs a value, e.g. --port 8080.\n${VIEW_HELP}`],
    [
      ['states', '.', '--tag', 'a', '--tag', 'b'],
      `give --tag once; it was given 2 times.\n${STATES_HELP}`,
    ],
    [
      ['states', '.', '--pipeline', ' '],
      `--pipeline needs a value that is not empty.\n${STATES_HELP}`,
    ],
    [
      ['view'],
      `'rh-agents view' needs the store of states: a directory (FileSystemStateBackend) or a SQLite file (SqliteStateBackend), e.g. rh-agents view .rh-agents/states.\n${VIEW_HELP}`,
    ],
    [
      ['states', 'a', 'b\u001b[2J'],
      `'rh-agents states' takes one store of states, got 2: 'a', 'b\\u001b[2J'. Quote a path that has spaces.\n${STATES_HELP}`,
    ],
    [
      ['view', '.', '--host', '192.168.1.20'],
      `--host 192.168.1.20 is not a loopback address, so the view needs a token: without one, anyone who can reach this machine could read your stored states. Pass --token <secret> or set RH_AGENTS_TOKEN (the printed URL carries it), or leave --host out to listen on 127.0.0.1.\n${VIEW_HELP}`,
    ],
    [
      ['view', '.', '--token', 'has space'],
      `--token must be visible ASCII characters without spaces (e.g. the output of \`node -p "crypto.randomUUID()"\`), got 'has space'.\n${VIEW_HELP}`,
    ],
  ];
  it.each(cases)('%j', async (args, message) => {
    expect(await run(args)).toEqual({ status: 2, stdout: '', stderr: `rh-agents: ${message}` });
  });

  it('checks RH_AGENTS_TOKEN as it checks --token, and ignores it when empty', async () => {
    const bad = await run(['view', '.'], { env: { RH_AGENTS_TOKEN: 'a\tb' } });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^rh-agents: RH_AGENTS_TOKEN must be visible ASCII/);
    const empty = await run(['view', '.', '--host', '10.0.0.1'], { env: { RH_AGENTS_TOKEN: '' } });
    expect(empty.stderr).toMatch(/is not a loopback address, so the view needs a token/);
  });
});

describe('runCli: paths that are not a store of states', () => {
  const neither = (name: string) =>
    `rh-agents: ${join(dir, name)} is neither a directory of states (FileSystemStateBackend) nor a SQLite database of states (SqliteStateBackend): `;
  const give =
    '. Give the `dir` of your FileSystemStateBackend or the `file` of your SqliteStateBackend.\n';
  it.each([
    ['notes.txt', 'it is a file that is not a SQLite database'],
    ['empty.db', 'it is an empty file'],
    [
      'fake.sqlite',
      "its name ends in .sqlite but it does not start with the SQLite header ('SQLite format 3')",
    ],
  ])('%s', async (name, why) => {
    expect(await run(['states', name])).toEqual({
      status: 2,
      stdout: '',
      stderr: `${neither(name)}${why}${give}${STATES_HELP}`,
    });
  });

  it('a path that does not exist, or runs through a file', async () => {
    for (const path of ['nowhere', 'notes.txt/inside']) {
      const out = await run(['view', path]);
      expect(out).toEqual({
        status: 2,
        stdout: '',
        stderr: `rh-agents: ${join(dir, path)} does not exist. Give the directory of a FileSystemStateBackend or the SQLite file of a SqliteStateBackend (the \`dir\` or \`file\` your pipeline passes it).\n${VIEW_HELP}`,
      });
    }
  });

  it('something that is not a regular file', async () => {
    const out = await run(['states', '/dev/null']);
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/\/dev\/null is neither a directory .*: it is not a regular file\./);
  });

  it('a SQLite database of another application, or one SQLite cannot read', async () => {
    expect((await run(['states', 'app.db'])).stderr).toBe(
      `rh-agents: ${join(dir, 'app.db')} is a SQLite database without rh-agents states (it has no rh_agents_states table). Point at the file a SqliteStateBackend writes, the \`file\` of new SqliteStateBackend({ file }).\n${STATES_HELP}`,
    );
    const corrupt = await run(['view', 'corrupt.db']);
    expect(corrupt.status).toBe(2);
    expect(corrupt.stderr).toMatch(
      /corrupt\.db starts like a SQLite database but SQLite cannot read it \(file is not a database\)/,
    );
  });

  it('a store that cannot be listed fails with exit 1 and the backend’s message', async () => {
    for (const command of ['states', 'view']) {
      const out = await run([command, 'broken']);
      expect(out.status).toBe(1);
      expect(out.stdout).toBe('');
      expect(out.stderr).toMatch(/^rh-agents: .*bad\.state\.jsonl/);
      expect(out.stderr).not.toContain('--help');
    }
  });
});

describe('runCli: states', () => {
  it.each(['directory', 'sqlite'])('lists a %s store as a table, newest first', async (kind) => {
    const out = await run(['states', stores[kind]!]);
    expect(out.status).toBe(0);
    const lines = out.stdout.split('\n');
    expect(lines[0]).toBe('STATE     PIPELINE  STATUS     TAGS         UPDATED');
    expect(lines.slice(1, 4).map((line) => line.slice(0, 42))).toEqual([
      'report-1  reports   completed  nightly, eu',
      'crawl_2   crawl     failed     nightly    ',
      'adhoc-3   -         running    -          ',
    ]);
    for (const line of lines.slice(1, 4)) expect(line).toMatch(/ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(lines[4]).toBe('');
  });

  it('cuts lines to the width of a terminal, not on a pipe', async () => {
    const tty = new Collector(true, 30);
    expect(await runCli(['states', stores.directory!], { stdout: tty, cwd: dir })).toBe(0);
    const lines = tty.text.trimEnd().split('\n');
    expect(lines[1]).toBe('report-1  reports   completed…');
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(30);
    const noColumns = new Collector(true);
    await runCli(['states', stores.directory!], { stdout: noColumns, cwd: dir });
    expect(noColumns.text.split('\n')[1]).toMatch(/:\d\d$/);
  });

  it('shows control characters of names and tags as escapes', () => {
    const text = formatStates([
      {
        stateId: 'x',
        pipeline: 'evil\u001b]0;title\u0007',
        tags: ['a\nb', '\u202ertl'],
        status: 'completed',
        createdAt: 0,
        updatedAt: Number.NaN,
      },
    ]);
    // eslint-disable-next-line no-control-regex
    expect(text.replaceAll('\n', '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/u);
    expect(text.split('\n')[1]).toBe(
      'x      evil\\u001b]0;title\\u0007  completed  a\\u000ab, \\u202ertl  ?',
    );
  });

  it('says when a store holds no states, and prints [] with --json', async () => {
    const empty = join(dir, 'empty-store');
    mkdirSync(empty);
    expect(await run(['states', 'empty-store'])).toEqual({
      status: 0,
      stdout: `No states in ${empty}.\n`,
      stderr: '',
    });
    expect((await run(['states', 'empty-store', '--json'])).stdout).toBe('[]\n');
    expect((await run(['states', stores.sqlite!, '--pipeline', 'nope'])).stdout).toBe(
      `No states of pipeline 'nope' in ${stores.sqlite!}.\n`,
    );
  });

  it('falls back to the backend when its own read-only look at a SQLite file cannot load the driver', async () => {
    const store = openStore(stores.sqlite!, {
      cwd: dir,
      require: () => {
        throw new Error('Cannot find module');
      },
    });
    try {
      expect(store.kind).toBe('sqlite');
      expect((await store.backend.list()).map((s) => s.stateId)).toEqual([
        'report-1',
        'crawl_2',
        'adhoc-3',
      ]);
    } finally {
      await store.backend.close();
    }
  });
});

describe('runCli: help and version', () => {
  it('prints help for the program and each command, and the version', async () => {
    expect((await run(['--help'])).stdout).toMatch(/^Usage: rh-agents <command>/);
    expect((await run(['-h'])).stdout).toMatch(/^Usage: rh-agents <command>/);
    expect((await run(['help'])).stdout).toMatch(/^Usage: rh-agents <command>/);
    expect((await run(['help', 'nope'])).stdout).toMatch(/^Usage: rh-agents <command>/);
    expect((await run(['help', 'view'])).stdout).toMatch(/^Usage: rh-agents view /);
    expect((await run(['view', '--help'])).stdout).toMatch(/^Usage: rh-agents view /);
    expect((await run(['states', '-h'])).stdout).toMatch(/^Usage: rh-agents states /);
    expect((await run(['-v'])).stdout).toMatch(/^\d+\.\d+\.\d+/);
    expect(await run([])).toMatchObject({ status: 2, stdout: '' });
  });
});

describe('runCli: view', () => {
  it('serves the store until its signal aborts, then closes and resolves 0', async () => {
    const stdout = new Collector();
    const controller = new AbortController();
    const done = runCli(['view', 'states.sqlite3', '--port', '0', '--host', '127.0.0.1'], {
      stdout,
      stderr: new Collector(),
      env: {},
      cwd: dirname(stores.sqlite!),
      signal: controller.signal,
    });
    const deadline = Date.now() + 10_000;
    while (!stdout.text.includes('Press Ctrl-C') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const url = /^ {2}(\S+)$/m.exec(stdout.text)?.[1] as string;
    expect(stdout.text).toBe(
      `rh-agents live view of 3 stored states in the SQLite database ${stores.sqlite!}:\n  ${url}\nPress Ctrl-C to stop.\n`,
    );
    const answer = (await (await fetch(new URL('/api/states?tag=eu', url))).json()) as {
      states: { stateId: string }[];
    };
    expect(answer.states.map((s) => s.stateId)).toEqual(['report-1']);
    controller.abort();
    expect(await done).toBe(0);
    expect(stdout.text).toMatch(/Live view closed\.\n$/);
    await expect(fetch(url)).rejects.toThrow();
    // The store was closed with the view: it can be written again.
    const { SqliteStateBackend } = await import('../../src/index.js');
    const again = new SqliteStateBackend({ file: stores.sqlite! });
    await again.save(snapshot('later-4', Date.now()));
    await again.close();
  });

  it('with a token (and one store state), and stopped before it starts', async () => {
    const one = await directoryStore([snapshot('only-1', 1_700_000_000_000)]);
    const stdout = new Collector();
    const status = await runCli(['view', one, '--token', 'abc-123'], {
      stdout,
      env: {},
      cwd: dir,
      signal: AbortSignal.abort(),
    });
    expect(status).toBe(0);
    expect(stdout.text).toMatch(
      /^rh-agents live view of 1 stored state in the directory .*:\n {2}http:\/\/127\.0\.0\.1:\d+\/\?token=abc-123\n/,
    );
    rmSync(dirname(one), { recursive: true, force: true });
  });
});
