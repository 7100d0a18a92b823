/**
 * The parts that need no server: reading a state's rows back (every kind of damage reported as
 * CorruptStateError naming the state and what to do), describing why a connection failed, the
 * error class, and loading pg when it is missing or broken.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CorruptStateError, RhAgentsError, StateVersionError } from '../../src/index.js';
import { reasonOf } from '../../src/postgres/connection.js';
import { loadPg } from '../../src/postgres/driver.js';
import { PostgresConnectionError } from '../../src/postgres/index.js';
import { type StateRow, readState, readSummary } from '../../src/postgres/state-rows.js';
import { record, sampleSnapshot } from '../recovery/samples.js';

const LOCATION = 'PostgreSQL 127.0.0.1:5432/test, schema "rh_agents"';

/** The rows of a state saved from `sampleSnapshot('s')` with two entries appended. */
function rows(overrides: Partial<StateRow> = {}): StateRow {
  const { history, storage, status: _status, updatedAt: _updatedAt, ...base } = sampleSnapshot('s');
  return {
    version: 1,
    status: 'completed',
    updated_at: 42,
    seq: 7,
    base_seq: 5,
    snapshot: JSON.stringify(base),
    storage: JSON.stringify(storage),
    history: JSON.stringify(history),
    entries: `${JSON.stringify([record('A::tool_call', 1)])},${JSON.stringify([])}`,
    entry_count: 2,
    first_entry: 6,
    last_entry: 7,
    entry_storage: '{"cursor":9}',
    ...overrides,
  };
}

function corruption(row: StateRow): CorruptStateError {
  try {
    readState(row, 's', LOCATION);
  } catch (error) {
    expect(error).toBeInstanceOf(CorruptStateError);
    expect((error as CorruptStateError).location).toContain(LOCATION);
    return error as CorruptStateError;
  }
  throw new Error('expected a CorruptStateError');
}

describe('reading a state from its rows', () => {
  it('puts base, history, entries, newest storage and the row status together', () => {
    const state = readState(rows(), 's', LOCATION);
    expect(state).toEqual({
      ...sampleSnapshot('s'),
      status: 'completed',
      updatedAt: 42,
      history: [...sampleSnapshot('s').history, record('A::tool_call', 1)],
      storage: { cursor: 9 },
    });
    expect(readState(rows({ entry_storage: null }), 's', LOCATION).storage).toEqual(
      sampleSnapshot('s').storage,
    );
    const empty = rows({
      history: null,
      entries: null,
      entry_count: 0,
      seq: 5,
      first_entry: null,
      last_entry: null,
    });
    expect(readState(empty, 's', LOCATION).history).toEqual([]);
  });

  it('refuses a newer format before parsing anything', () => {
    expect(() => readState(rows({ version: 2, snapshot: 'not json' }), 's', LOCATION)).toThrow(
      StateVersionError,
    );
  });

  it('reports each kind of damage, saying what to do', () => {
    expect(corruption(rows({ snapshot: null, storage: null })).message).toBe(
      `State 's' is corrupt: ${LOCATION}: its base row is missing. Restore the database from a backup, or delete the state (backend.delete('s')); it cannot be loaded as it is.`,
    );
    expect(corruption(rows({ entry_count: 1, first_entry: 7 })).message).toContain(
      'its entries after the base should be 6 to 7, but 1 from 7 to 7 are stored',
    );
    expect(corruption(rows({ first_entry: 5 })).message).toContain('but 2 from 5 to 7');
    expect(corruption(rows({ last_entry: 8 })).message).toContain('but 2 from 6 to 8');
    expect(
      corruption(rows({ entries: null, entry_count: 0, first_entry: null, last_entry: null }))
        .message,
    ).toContain('should be 6 to 7, but there are none');
    expect(corruption(rows({ snapshot: '{"format":' })).message).toMatch(
      /its base snapshot is not JSON \(/,
    );
    expect(corruption(rows({ snapshot: '[1]' })).message).toMatch(
      /^State 's' in .* \(its base snapshot\) is not a valid rh-agents state: expected an object, got an array/,
    );
    expect(corruption(rows({ history: '{"a":1}' })).message).toContain(
      'a row of its history is not an array of records',
    );
    expect(corruption(rows({ history: '[1' })).message).toMatch(/its history is not JSON/);
    expect(corruption(rows({ entry_storage: '{' })).message).toMatch(/its storage is not JSON/);
    expect(corruption(rows({ history: '[{"address":1}]' })).message).toMatch(/history\[0\]/);
  });

  it('reads a summary row, decoding pipeline and tags', () => {
    const row = {
      state_id: 's',
      pipeline: '"p"',
      tags: ['"a"', '"b\\u0000"'],
      status: 'running' as const,
      created_at: 1,
      updated_at: 2,
    };
    expect(readSummary(row)).toEqual({
      stateId: 's',
      pipeline: 'p',
      tags: ['a', 'b\u0000'],
      status: 'running',
      createdAt: 1,
      updatedAt: 2,
    });
    expect(readSummary({ ...row, pipeline: null })).not.toHaveProperty('pipeline');
  });
});

describe('connection failures', () => {
  it('say why, also for an AggregateError of every address of a name', () => {
    expect(reasonOf(new Error('connect ECONNREFUSED 127.0.0.1:1'))).toBe(
      'connect ECONNREFUSED 127.0.0.1:1',
    );
    const all = new AggregateError(
      [
        new Error('connect ECONNREFUSED ::1:5432'),
        new Error('connect ECONNREFUSED 127.0.0.1:5432'),
      ],
      '',
    );
    expect(reasonOf(all)).toBe(
      'connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432',
    );
    expect(reasonOf(Object.assign(new Error(''), { code: 'ETIMEDOUT' }))).toBe('ETIMEDOUT');
    expect(reasonOf('down')).toBe('down');
  });

  it('PostgresConnectionError has a name, a default message and an address', () => {
    const error = new PostgresConnectionError();
    expect(error).toBeInstanceOf(RhAgentsError);
    expect(error.name).toBe('PostgresConnectionError');
    expect(error.message).toMatch(/^Cannot connect to PostgreSQL; check that the server runs/);
    expect(error.address).toBe('unknown');
    const cause = new Error('x');
    const named = new PostgresConnectionError('m', { address: 'h:1', cause });
    expect([named.address, named.cause]).toEqual(['h:1', cause]);
  });
});

describe('loading pg', () => {
  it('missing: the error says what to install', () => {
    const nowhere = mkdtempSync(join(tmpdir(), 'rh-no-pg-'));
    const error = (() => {
      try {
        return loadPg(createRequire(join(nowhere, 'x.js')));
      } catch (e) {
        return e;
      }
    })() as Error;
    expect(error).toBeInstanceOf(RhAgentsError);
    expect(error.message).toBe(
      "rh-agents/postgres needs pg, an optional peer dependency that is not installed: run `npm install pg@^8`. Or keep states in a FileSystemStateBackend or SqliteStateBackend from 'rh-agents'.",
    );
    expect((error.cause as NodeJS.ErrnoException).code).toBe('MODULE_NOT_FOUND');
    rmSync(nowhere, { recursive: true, force: true });
  });

  it('installed but broken: its own error comes through unchanged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-broken-pg-'));
    const pkg = join(dir, 'node_modules', 'pg');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), '{"name":"pg","main":"index.js"}');
    writeFileSync(join(pkg, 'index.js'), "throw new Error('pg is broken here');");
    expect(() => loadPg(createRequire(join(dir, 'x.js')))).toThrow(/^pg is broken here$/);
    rmSync(dir, { recursive: true, force: true });
  });
});
