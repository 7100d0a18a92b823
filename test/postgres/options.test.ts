/**
 * The options of PostgresStateBackend, checked at construction with messages that name the
 * option, quote the value and say what fits; the schema made on first use only (and a newer one
 * refused); values that a plain `text` column or an SQL array could mangle stored unchanged.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateVersionError, type StateSnapshot } from '../../src/index.js';
import {
  PostgresStateBackend,
  defaultPostgresStateBackendOptions,
  type PostgresStateBackendOptions,
} from '../../src/postgres/index.js';
import { runEntry, sampleSnapshot } from '../recovery/samples.js';
import {
  SKIP_MESSAGE,
  adminPool,
  dropSchema,
  hasPostgres,
  schemaExists,
  schemaFingerprint,
  uniqueSchema,
  url,
} from './helpers.js';

const make = (options: unknown) => () =>
  new PostgresStateBackend(options as PostgresStateBackendOptions);
const connectionString = 'postgres://app@127.0.0.1:5432/app';

describe('PostgresStateBackend options', () => {
  it('has frozen defaults', () => {
    expect(defaultPostgresStateBackendOptions).toEqual({
      schema: 'rh_agents',
      compactEvery: 1000,
      connectTimeoutMs: 5000,
    });
    expect(Object.isFrozen(defaultPostgresStateBackendOptions)).toBe(true);
  });

  it('needs exactly one of connectionString and pool', () => {
    expect(make({})).toThrow(
      /^PostgresStateBackend: pass exactly one of `connectionString` and `pool`, got neither; e\.g\./,
    );
    expect(make({ connectionString, pool: new pg.Pool() })).toThrow(/got both/);
    expect(make(undefined)).toThrow(/expected an options object, got `undefined`/);
    expect(make('postgres://x')).toThrow(TypeError);
  });

  it('refuses unknown options, nulls and values of the wrong kind, naming them', () => {
    expect(make({ connectionString, schemaName: 'x' })).toThrow(
      /unknown option `schemaName`; known options are `connectionString`, `pool`, `schema`/,
    );
    expect(make({ connectionString, schema: null })).toThrow(/`schema` is null/);
    expect(make({ connectionString: '' })).toThrow(
      /expected `connectionString` to be a non-empty string, got `""` \(string\); pass a PostgreSQL URL, e\.g\. 'postgres:\/\//,
    );
    expect(make({ connectionString: 5432 })).toThrow(/`connectionString`.*5432/);
    expect(make({ pool: { query: () => {} } })).toThrow(
      /expected `pool` to be a pg\.Pool \(an object with a connect\(\) method\), got/,
    );
    expect(make({ connectionString, compactEvery: 0 })).toThrow(
      /expected `compactEvery` to be a whole number from 1 up or `Infinity`, got `0` \(number\)/,
    );
    expect(make({ connectionString, connectTimeoutMs: 1.5 })).toThrow(
      /expected `connectTimeoutMs` to be a whole number from 1 to 2147483647, got `1\.5` \(number\)/,
    );
    expect(make({ connectionString, connectTimeoutMs: Infinity })).toThrow(RangeError);
  });

  it('takes a schema that is a plain PostgreSQL identifier only', () => {
    for (const schema of ['1abc', 'a-b', 'a.b', 'x'.repeat(64), '', 'a"b', 5]) {
      expect(make({ connectionString, schema }), String(schema)).toThrow(
        /expected `schema` to be a PostgreSQL identifier \(a letter or '_', then up to 62 letters, digits or '_'\), got .*; e\.g\. 'rh_agents'/,
      );
    }
    expect(new PostgresStateBackend({ connectionString, schema: 'Tenant_7' }).schema).toBe(
      'Tenant_7',
    );
    expect(new PostgresStateBackend({ connectionString }).schema).toBe('rh_agents');
  });

  it('refuses a connection string pg cannot read, without showing it (it may hold a password)', () => {
    const error = (() => {
      try {
        return make({ connectionString: 'postgres://app:s3cret@[bad' })();
      } catch (e) {
        return e;
      }
    })() as Error;
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/^PostgresStateBackend: cannot read `connectionString` \(/);
    expect(error.message).not.toContain('s3cret');
  });

  it('names where the states are, without the password', async () => {
    const backend = new PostgresStateBackend({
      connectionString: 'postgres://app:s3cret@db.internal:6543/reports',
      schema: 'states',
    });
    expect(backend.location).toBe('PostgreSQL db.internal:6543/reports, schema "states"');
    await backend.close();
    const pool = new pg.Pool({ host: '10.1.2.3', port: 5433, database: 'x' });
    expect(new PostgresStateBackend({ pool }).location).toBe(
      'PostgreSQL 10.1.2.3:5433/x, schema "rh_agents"',
    );
    // A pool whose options pg cannot read: the messages say "the server of the given pool".
    const unreadable = new pg.Pool({ connectionString: 'postgres://[bad' });
    expect(new PostgresStateBackend({ pool: unreadable }).location).toBe(
      'PostgreSQL the server of the given pool, schema "rh_agents"',
    );
    await unreadable.end();
    await pool.end();
  });
});

describe.skipIf(!hasPostgres)('the schema', () => {
  let admin: pg.Pool;
  let schema: string;
  beforeEach(() => {
    admin = adminPool();
    schema = uniqueSchema('opts');
  });
  afterEach(async () => {
    await dropSchema(admin, schema);
    await admin.end();
  });

  it('is created by the first call, not by the constructor, and holds the five tables', async () => {
    const backend = new PostgresStateBackend({ connectionString: url(), schema });
    expect(await schemaExists(admin, schema)).toBe(false);
    expect(await backend.has('x')).toBe(false);
    const { rows } = await admin.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`,
      [schema],
    );
    expect(rows.map((r) => r.table_name)).toEqual([
      'rh_agents_bases',
      'rh_agents_entries',
      'rh_agents_history',
      'rh_agents_meta',
      'rh_agents_states',
    ]);
    await backend.close();
  });

  it('made by a newer rh-agents is refused with a StateVersionError, and left unchanged', async () => {
    const first = new PostgresStateBackend({ connectionString: url(), schema });
    await first.save(sampleSnapshot('kept'));
    await first.close();
    await admin.query(`UPDATE "${schema}".rh_agents_meta SET value = '2' WHERE key = 'schema'`);
    const before = await schemaFingerprint(admin, schema);
    const backend = new PostgresStateBackend({ connectionString: url(), schema });
    const error = await backend.load('kept').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateVersionError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^The database schema "${schema}" at 127\\.0\\.0\\.1:\\d+/test was written in state format version 2 by a newer rh-agents; .*Upgrade rh-agents`,
      ),
    );
    await expect(backend.save(sampleSnapshot('new'))).rejects.toThrow(StateVersionError);
    expect(await schemaFingerprint(admin, schema)).toBe(before);
    await backend.close();
  });

  it('stores strings a text column or an SQL array would mangle: NUL, lone surrogates, quotes', async () => {
    const backend = new PostgresStateBackend({ connectionString: url(), schema, compactEvery: 2 });
    const odd = ['nul\u0000inside', 'lone \ud800 surrogate', 'quote " and \\ and {a,b}', '💥'];
    const snapshot: StateSnapshot = sampleSnapshot('odd', {
      metadata: { pipeline: odd[0], tags: odd, custom: { [odd[1] as string]: odd } },
      storage: { text: odd },
    });
    await backend.save(snapshot);
    for (let i = 0; i < 3; i++) await backend.append('odd', runEntry(i, { storage: { odd, i } }));
    const loaded = await backend.load('odd');
    expect(loaded.metadata).toEqual(snapshot.metadata);
    expect(loaded.storage).toEqual({ odd, i: 2 });
    for (const tag of odd) {
      expect((await backend.list({ tag })).map((s) => s.stateId)).toEqual(['odd']);
    }
    expect(await backend.list({ tag: 'nul' })).toEqual([]);
    const [summary] = await backend.list({ pipeline: odd[0] });
    expect(summary).toMatchObject({ stateId: 'odd', pipeline: odd[0], tags: odd });
    await backend.close();
  });

  it('keeps the calls on one state in call order without awaiting each', async () => {
    const backend = new PostgresStateBackend({ connectionString: url(), schema, compactEvery: 3 });
    const calls: Promise<unknown>[] = [backend.save(sampleSnapshot('order', { history: [] }))];
    for (let i = 0; i < 20; i++) calls.push(backend.append('order', runEntry(i)));
    const loading = backend.load('order');
    calls.push(backend.delete('order'), backend.save(sampleSnapshot('order', { history: [] })));
    const appendAgain = backend.append('order', runEntry(99));
    const hasIt = backend.has('order');
    const loaded = await loading;
    await Promise.all([...calls, appendAgain]);
    expect(loaded.history.map((r) => r.parallelIndex)).toEqual(
      Array.from({ length: 20 }, (_, i) => [i, i]).flat(),
    );
    expect(await hasIt).toBe(true);
    expect((await backend.load('order')).history.map((r) => r.parallelIndex)).toEqual([99, 99]);
    await backend.close();
  });
});

describe.runIf(!hasPostgres)('the schema', () => {
  it.skip(SKIP_MESSAGE, () => {});
});
