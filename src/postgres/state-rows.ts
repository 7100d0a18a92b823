/**
 * Turning the rows of a state back into a snapshot, trusting nothing: the format version is
 * checked before anything is parsed, the entry rows must follow the base without a gap, every
 * JSON text must parse, and the result must have the shape of a snapshot.
 */
import {
  CorruptStateError,
  STATE_FORMAT_VERSION,
  type StateSnapshot,
  type StateStatus,
  type StateSummary,
  StateVersionError,
  checkSnapshot,
} from '../index.js';

/** The row of the `load` statement. */
export interface StateRow {
  version: number;
  status: string;
  updated_at: number;
  seq: number;
  base_seq: number;
  snapshot: string | null;
  storage: string | null;
  history: string | null;
  entries: string | null;
  entry_count: number;
  first_entry: number | null;
  last_entry: number | null;
  entry_storage: string | null;
}

/** The row of the `list` statement. */
export interface SummaryRow {
  state_id: string;
  pipeline: string | null;
  tags: string[];
  status: StateStatus;
  created_at: number;
  updated_at: number;
}

/** The state the rows hold: its base, its history, the entries since, status and time from its row. */
export function readState(row: StateRow, stateId: string, location: string): StateSnapshot {
  const where = `State '${stateId}' in ${location}`;
  if (Number.isInteger(row.version) && row.version > STATE_FORMAT_VERSION) {
    throw new StateVersionError(where, row.version, STATE_FORMAT_VERSION);
  }
  const corrupt = (problem: string, cause?: unknown): CorruptStateError =>
    new CorruptStateError(
      `State '${stateId}' is corrupt: ${location}: ${problem}. Restore the database from a backup, or delete the state (backend.delete('${stateId}')); it cannot be loaded as it is.`,
      { location: `${location} (state '${stateId}')`, cause },
    );
  const parse = (text: string, what: string): unknown => {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw corrupt(`${what} is not JSON (${(error as Error).message})`, error);
    }
  };
  // Both come from the base row (a LEFT JOIN): both are there, or neither.
  if (row.snapshot === null) throw corrupt('its base row is missing');
  const expected = row.seq - row.base_seq;
  if (
    row.entry_count !== expected ||
    (expected > 0 && (row.first_entry !== row.base_seq + 1 || row.last_entry !== row.seq))
  ) {
    throw corrupt(
      `its entries after the base should be ${row.base_seq + 1} to ${row.seq}, but ${row.entry_count === 0 ? 'there are none' : `${row.entry_count} from ${row.first_entry} to ${row.last_entry} are stored`}`,
    );
  }
  const base = parse(row.snapshot, 'its base snapshot');
  if (typeof base !== 'object' || base === null || Array.isArray(base)) {
    return checkSnapshot(base, `${where} (its base snapshot)`);
  }
  const rows = [row.history, row.entries].filter((text) => text !== null && text !== '');
  const lists = parse(`[${rows.join(',')}]`, 'its history') as unknown[];
  const history: unknown[] = [];
  for (const list of lists) {
    if (!Array.isArray(list)) throw corrupt('a row of its history is not an array of records');
    for (const record of list) history.push(record);
  }
  const storage = parse(row.entry_storage ?? (row.storage as string), 'its storage');
  return checkSnapshot(
    Object.assign(base, { status: row.status, updatedAt: row.updated_at, history, storage }),
    where,
  );
}

/** A row of `list` as a summary; pipeline and tags are stored JSON-encoded. */
export function readSummary(row: SummaryRow): StateSummary {
  const summary: StateSummary = {
    stateId: row.state_id,
    tags: row.tags.map((tag) => JSON.parse(tag) as string),
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.pipeline !== null) summary.pipeline = JSON.parse(row.pipeline) as string;
  return summary;
}
