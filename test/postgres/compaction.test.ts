/**
 * Folding and locking, seen in the tables: a fold turns entry rows into one history row and
 * drops the storage copies; a fold that fails leaves the entries and is tried again later; a
 * fold racing a save or a delete of the same state never brings back what they removed; an
 * append waits while another transaction holds the state row, and a server error (a lock
 * timeout) fails that call only, the connection going back to the pool.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PostgresStateBackend } from '../../src/postgres/index.js';
import { runEntry, sampleSnapshot } from '../recovery/samples.js';
import { SKIP_MESSAGE, adminPool, dropSchema, hasPostgres, uniqueSchema, url } from './helpers.js';

describe.skipIf(!hasPostgres)('folding and locking', () => {
  let admin: pg.Pool;
  let schema: string;
  beforeEach(() => {
    admin = adminPool();
    schema = uniqueSchema('fold');
  });
  afterEach(async () => {
    await dropSchema(admin, schema);
    await admin.end();
  });

  /** The rows of one state: entry rows, history rows (seq and record count), base storage. */
  async function tables(stateId: string) {
    const q = async (sql: string) => (await admin.query(sql, [stateId])).rows;
    const entries = await q(
      `SELECT seq::int, storage IS NOT NULL AS has_storage FROM "${schema}".rh_agents_entries WHERE state_id = $1 ORDER BY seq`,
    );
    const history = await q(
      `SELECT seq::int, records FROM "${schema}".rh_agents_history WHERE state_id = $1 ORDER BY seq`,
    );
    const base = await q(`SELECT storage FROM "${schema}".rh_agents_bases WHERE state_id = $1`);
    return {
      entries: entries.map((r) => r.seq as number),
      history: history.map((r) => [r.seq, (JSON.parse(r.records) as unknown[]).length]),
      storage: base[0] === undefined ? undefined : JSON.parse(base[0].storage),
    };
  }

  it('a fold makes one history row of the entries and keeps only the newest storage', async () => {
    const backend = new PostgresStateBackend({ connectionString: url(), schema, compactEvery: 5 });
    await backend.save(sampleSnapshot('f'));
    for (let i = 0; i < 7; i++) {
      await backend.append('f', runEntry(i, i === 2 ? { storage: { at: i } } : {}));
    }
    await backend.append('f', { records: [], updatedAt: 1 }); // a fold skips empty record lists
    await backend.close(); // waits for the fold
    expect(await tables('f')).toEqual({
      entries: [6, 7, 8],
      history: [
        [0, 1],
        [5, 10],
      ],
      storage: { at: 2 },
    });
    const reopened = new PostgresStateBackend({ connectionString: url(), schema });
    const loaded = await reopened.load('f');
    expect(loaded.history).toHaveLength(1 + 7 * 2);
    expect(loaded.storage).toEqual({ at: 2 });
    expect(loaded.updatedAt).toBe(1);
    await reopened.close();
  });

  it('a fold that fails leaves the entries as they were, and is tried again after as many appends', async () => {
    const backend = new PostgresStateBackend({ connectionString: url(), schema, compactEvery: 4 });
    await backend.save(sampleSnapshot('g', { history: [] }));
    // Another session holds the base row, and this pool gives up on locks after 200 ms.
    const locker = await admin.connect();
    const impatient = new pg.Pool({ connectionString: url(), options: '-c lock_timeout=200' });
    try {
      await locker.query('BEGIN');
      await locker.query(
        `SELECT 1 FROM "${schema}".rh_agents_bases WHERE state_id = 'g' FOR UPDATE`,
      );
      const writer = new PostgresStateBackend({ pool: impatient, schema, compactEvery: 4 });
      for (let i = 0; i < 4; i++) await writer.append('g', runEntry(i, { storage: { at: i } }));
      await writer.close(); // the fold ran and failed on the lock
      expect((await tables('g')).entries).toEqual([1, 2, 3, 4]);
      const loaded = await backend.load('g');
      expect([loaded.history.length, loaded.storage]).toEqual([8, { at: 3 }]);
    } finally {
      await locker.query('COMMIT');
      locker.release();
      await impatient.end();
    }
    for (let i = 4; i < 8; i++) await backend.append('g', runEntry(i));
    await backend.close();
    expect(await tables('g')).toEqual({
      entries: [],
      history: [
        [0, 0],
        [8, 16],
      ],
      storage: { at: 3 },
    });
  });

  it('a fold racing a save or a delete of the state never brings back what they removed', async () => {
    const backend = new PostgresStateBackend({ connectionString: url(), schema, compactEvery: 1 });
    for (let round = 0; round < 16; round++) {
      await backend.save(sampleSnapshot('race', { history: [] }));
      await backend.append('race', runEntry(round)); // starts a fold, not awaited
      const replacement = sampleSnapshot('race', { history: [], status: 'interrupted' });
      if (round % 2 === 0) {
        await backend.save(replacement);
        expect(await backend.load('race')).toEqual(replacement);
      } else {
        expect(await backend.delete('race')).toBe(true);
        expect(await backend.has('race')).toBe(false);
      }
    }
    await backend.close();
    expect(await tables('race')).toEqual({ entries: [], history: [], storage: undefined });
  });

  it('an append waits while another transaction holds the state row; a lock timeout fails only that call', async () => {
    const backend = new PostgresStateBackend({ connectionString: url(), schema });
    await backend.save(sampleSnapshot('held', { history: [] }));
    const locker = await admin.connect();
    await locker.query('BEGIN');
    await locker.query(
      `SELECT 1 FROM "${schema}".rh_agents_states WHERE state_id = 'held' FOR UPDATE`,
    );
    let appended = false;
    const waiting = backend.append('held', runEntry(0)).then(() => (appended = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(appended).toBe(false);
    // Meanwhile a backend whose pool gives up on locks after 100 ms fails with the server's error.
    const impatient = new pg.Pool({
      connectionString: url(),
      options: '-c lock_timeout=100',
      max: 1,
    });
    const other = new PostgresStateBackend({ pool: impatient, schema });
    const error = await other.append('held', runEntry(1)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '55P03' });
    expect(impatient.totalCount).toBe(1); // its connection went back to the pool, not closed
    await locker.query('COMMIT');
    locker.release();
    await waiting;
    await other.append('held', runEntry(2));
    expect((await backend.load('held')).history.map((r) => r.parallelIndex)).toEqual([0, 0, 2, 2]);
    await other.close();
    await impatient.end();
    await backend.close();
  });
});

describe.runIf(!hasPostgres)('folding and locking', () => {
  it.skip(SKIP_MESSAGE, () => {});
});
