/**
 * Real processes against the real PostgreSQL, with durable commits: several processes create the
 * tables of a fresh schema at once and write their own states; two processes append to the same
 * state at once without losing, repeating or reordering an entry; a process killed with SIGKILL
 * mid-append loses nothing that `append` had resolved.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PostgresStateBackend } from '../../src/postgres/index.js';
import type { StateBackend } from '../../src/index.js';
import { sampleSnapshot } from '../recovery/samples.js';
import { SKIP_MESSAGE, adminPool, dropSchema, hasPostgres, uniqueSchema, url } from './helpers.js';

const script = resolve('test/postgres/fixtures/append-loop.ts');

/** Starts a child; `printed()` holds the indexes it printed, `ready` resolves once it can write. */
function start(schema: string, stateId: string, first: number, count: string, wait = false) {
  const args = [url(), schema, stateId, String(first), count, ...(wait ? ['wait'] : [])];
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((done) => (onReady = done));
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.startsWith('ready\n')) onReady();
  });
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return {
    child,
    exited,
    ready,
    go: () => child.stdin.write('go\n'),
    /** The indexes printed on complete lines. */
    printed: (): number[] =>
      out
        .split('\n')
        .slice(0, -1)
        .filter((line) => line !== 'ready')
        .map(Number),
    stderr: () => err,
  };
}

/**
 * Waits until the server has finished what a killed client had already sent: a COMMIT that
 * reached it still commits after the client is gone, so reading before then races with it.
 */
async function serverDone(admin: pg.Pool, schema: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const { rows } = await admin.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE pid <> pg_backend_pid() AND state = 'active' AND position($1 in query) > 0`,
      [`"${schema}"`],
    );
    if (rows[0].n === 0) return;
    if (Date.now() > deadline) throw new Error("the killed client's queries did not end in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function waitFor(condition: () => boolean, child: ChildProcess, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (child.exitCode !== null) throw new Error(`the child exited early with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('the child did not get that far in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The indexes of the completed runs in a loaded state, in history order. */
const completed = async (backend: StateBackend, stateId: string): Promise<number[]> =>
  (await backend.load(stateId)).history
    .filter((r) => r.status === 'completed')
    .map((r) => r.parallelIndex as number);

const range = (from: number, count: number): number[] =>
  Array.from({ length: count }, (_, i) => from + i);

describe.skipIf(!hasPostgres)('several processes', { timeout: 180_000 }, () => {
  let admin: pg.Pool;
  let schema: string;
  let backend: PostgresStateBackend;
  beforeEach(() => {
    admin = adminPool();
    schema = uniqueSchema('procs');
    backend = new PostgresStateBackend({ connectionString: url(), schema });
  });
  afterEach(async () => {
    await backend.close();
    await dropSchema(admin, schema);
    await admin.end();
  });

  it('three processes on a fresh schema create its tables together and keep their states apart', async () => {
    const children = ['p-a', 'p-b', 'p-c'].map((id) => start(schema, id, 0, '150', true));
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.go();
    const codes = await Promise.all(children.map((c) => c.exited));
    expect(codes, children.map((c) => c.stderr()).join('\n')).toEqual([0, 0, 0]);
    for (const id of ['p-a', 'p-b', 'p-c']) {
      expect(await completed(backend, id)).toEqual(range(0, 150));
    }
    expect((await backend.list()).map((s) => s.stateId).sort()).toEqual(['p-a', 'p-b', 'p-c']);
    const { rows } = await admin.query(`SELECT value FROM "${schema}".rh_agents_meta`);
    expect(rows).toEqual([{ value: '1' }]);
  });

  it('two processes appending to one state at once: every entry stored once, each in its order', async () => {
    await backend.save(sampleSnapshot('shared', { history: [] }));
    const a = start(schema, 'shared', 0, '300', true);
    const b = start(schema, 'shared', 1000, '300', true);
    await Promise.all([a.ready, b.ready]);
    a.go();
    b.go();
    expect([await a.exited, await b.exited], a.stderr() + b.stderr()).toEqual([0, 0]);
    const loaded = await backend.load('shared');
    // Each entry's two records stay together: started then completed of the same run.
    for (let i = 0; i < loaded.history.length; i += 2) {
      expect(loaded.history[i]?.status).toBe('started');
      expect(loaded.history[i + 1]?.status).toBe('completed');
      expect(loaded.history[i + 1]?.parallelIndex).toBe(loaded.history[i]?.parallelIndex);
    }
    const order = await completed(backend, 'shared');
    expect(order).toHaveLength(600);
    expect(order.filter((i) => i < 1000)).toEqual(range(0, 300));
    expect(order.filter((i) => i >= 1000)).toEqual(range(1000, 300));
    // They did write at once: the two runs of indexes interleave.
    const switches = order.filter((i, k) => k > 0 && i < 1000 !== (order[k - 1] as number) < 1000);
    expect(switches.length).toBeGreaterThan(1);
    // The last storage written (index 299 or 1299, whichever came last) is the state's.
    const lastWithStorage = order.filter((i) => i % 10 === 9).at(-1);
    expect(loaded.storage).toMatchObject({ i: lastWithStorage });
    // Folded as they went: fewer than 16 entry rows are left unfolded.
    const { rows } = await admin.query(
      `SELECT count(*)::int AS n FROM "${schema}".rh_agents_entries WHERE state_id = 'shared'`,
    );
    expect(rows[0].n).toBeLessThan(16);
  });

  it('kill -9 of a process appending in a loop loses no append that had resolved', async () => {
    for (const [round, killAfter] of [
      [0, 40],
      [1, 233],
    ] as const) {
      const stateId = `crash-${round}`;
      const run = start(schema, stateId, 0, 'forever');
      await waitFor(() => run.printed().length >= killAfter, run.child);
      run.child.kill('SIGKILL');
      expect(await run.exited).toBe(null);
      await serverDone(admin, schema);
      const printed = run.printed();
      const stored = await completed(backend, stateId);
      // Every printed append is stored, in order, and nothing else but the one in flight.
      expect(stored.slice(0, printed.length)).toEqual(printed);
      expect(stored).toEqual(range(0, stored.length));
      expect(stored.length - printed.length).toBeLessThanOrEqual(1);
      // The state takes appends again after the crash.
      const more = start(schema, stateId, stored.length, '3');
      expect(await more.exited, more.stderr()).toBe(0);
      expect(await completed(backend, stateId)).toEqual(range(0, stored.length + 3));
    }
  });
});

describe.runIf(!hasPostgres)('several processes', () => {
  it.skip(SKIP_MESSAGE, () => {});
});
