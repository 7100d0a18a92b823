/**
 * The tables of a `SqliteStateBackend` database. A state has a small row (status, timestamps,
 * tags, the sequence number folded into its base), a base snapshot without its history, its
 * folded history as one row of records per entry, and one row per entry appended since. An
 * append is one INSERT; a fold moves entry rows into history rows inside SQLite (no JSON passes
 * through JavaScript), so neither cost depends on the size of the state.
 */

/** The schema version this rh-agents writes; a database with a newer one is refused. */
export const SQLITE_SCHEMA_VERSION = 1;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS rh_agents_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO rh_agents_meta (key, value) VALUES ('schema', '${SQLITE_SCHEMA_VERSION}');
CREATE TABLE IF NOT EXISTS rh_agents_states (
  state_id TEXT PRIMARY KEY,
  version INTEGER NOT NULL,      -- the snapshot format version
  status TEXT NOT NULL,          -- as of the base (a later entry row has the newer one)
  pipeline TEXT,
  tags TEXT NOT NULL,            -- a JSON array of strings
  created_at INTEGER NOT NULL,   -- epoch ms
  updated_at INTEGER NOT NULL,   -- as of the base
  base_seq INTEGER NOT NULL      -- the last entry folded into the base
);
CREATE TABLE IF NOT EXISTS rh_agents_bases (
  state_id TEXT PRIMARY KEY,
  snapshot TEXT NOT NULL         -- the snapshot as of base_seq, with "history": []
);
CREATE TABLE IF NOT EXISTS rh_agents_history (
  state_id TEXT NOT NULL,
  seq INTEGER NOT NULL,          -- base_seq at save for the saved history, then each folded entry's
  records TEXT NOT NULL,         -- a JSON array of StoredRecords
  PRIMARY KEY (state_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rh_agents_entries (
  state_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  status TEXT NOT NULL,          -- the state's status once this entry is applied
  updated_at INTEGER NOT NULL,
  entry TEXT NOT NULL,           -- one CheckpointEntry as JSON
  PRIMARY KEY (state_id, seq)
) WITHOUT ROWID;
`;

/** The entry row with the highest sequence number of the state \`s\`. */
const LAST = `FROM rh_agents_entries WHERE state_id = s.state_id ORDER BY seq DESC LIMIT 1`;

/** The statements the backend prepares once. */
export const SQL = {
  has: `SELECT 1 FROM rh_agents_states WHERE state_id = ?`,
  state: `SELECT version, base_seq AS baseSeq FROM rh_agents_states WHERE state_id = ?`,
  base: `SELECT snapshot FROM rh_agents_bases WHERE state_id = ?`,
  history: `SELECT seq, records FROM rh_agents_history WHERE state_id = ? ORDER BY seq`,
  entries: `SELECT seq, entry FROM rh_agents_entries WHERE state_id = ? ORDER BY seq`,
  pending: `SELECT count(*) AS entries FROM rh_agents_entries WHERE state_id = ?`,
  upsertState: `
    INSERT INTO rh_agents_states (state_id, version, status, pipeline, tags, created_at, updated_at, base_seq)
    VALUES (@stateId, @version, @status, @pipeline, @tags, @createdAt, @updatedAt, 0)
    ON CONFLICT (state_id) DO UPDATE SET version = excluded.version, status = excluded.status,
      pipeline = excluded.pipeline, tags = excluded.tags, created_at = excluded.created_at,
      updated_at = excluded.updated_at`,
  upsertBase: `
    INSERT INTO rh_agents_bases (state_id, snapshot) VALUES (?, ?)
    ON CONFLICT (state_id) DO UPDATE SET snapshot = excluded.snapshot`,
  savedHistory: `
    INSERT INTO rh_agents_history (state_id, seq, records)
    SELECT state_id, base_seq, ? FROM rh_agents_states WHERE state_id = ?`,
  deleteHistory: `DELETE FROM rh_agents_history WHERE state_id = ?`,
  deleteEntries: `DELETE FROM rh_agents_entries WHERE state_id = ?`,
  deleteBase: `DELETE FROM rh_agents_bases WHERE state_id = ?`,
  deleteState: `DELETE FROM rh_agents_states WHERE state_id = ?`,
  /** One statement (so one implicit transaction): the next sequence number and the status after it. */
  append: `
    INSERT INTO rh_agents_entries (state_id, seq, status, updated_at, entry)
    SELECT s.state_id, coalesce((SELECT seq ${LAST}), s.base_seq) + 1,
      coalesce(@status, (SELECT status ${LAST}), s.status), @updatedAt, @entry
    FROM rh_agents_states s WHERE s.state_id = @stateId`,
  /** Where a state's next entries go: its last sequence number and status (for appendMany). */
  tail: `
    SELECT coalesce((SELECT seq ${LAST}), s.base_seq) AS seq,
      coalesce((SELECT status ${LAST}), s.status) AS status
    FROM rh_agents_states s WHERE s.state_id = ?`,
  insertEntry: `INSERT INTO rh_agents_entries (state_id, seq, status, updated_at, entry) VALUES (?, ?, ?, ?, ?)`,
  // The fold, in one transaction: the last entry, the newest storage, records moved, base updated.
  lastEntry: `SELECT seq, status, updated_at AS updatedAt FROM rh_agents_entries WHERE state_id = ? ORDER BY seq DESC LIMIT 1`,
  lastStorage: `
    SELECT json_extract(entry, '$.storage') AS storage FROM rh_agents_entries
    WHERE state_id = ? AND json_type(entry, '$.storage') = 'object' ORDER BY seq DESC LIMIT 1`,
  foldRecords: `
    INSERT INTO rh_agents_history (state_id, seq, records)
    SELECT state_id, seq, json_extract(entry, '$.records') FROM rh_agents_entries WHERE state_id = ? AND seq <= ?`,
  foldBase: `
    UPDATE rh_agents_bases SET snapshot = json_set(snapshot, '$.status', @status, '$.updatedAt', @updatedAt,
      '$.storage', json(coalesce(@storage, json_extract(snapshot, '$.storage'))))
    WHERE state_id = @stateId`,
  foldedEntries: `DELETE FROM rh_agents_entries WHERE state_id = ? AND seq <= ?`,
  foldState: `UPDATE rh_agents_states SET base_seq = ?, status = ?, updated_at = ? WHERE state_id = ?`,
  list: `
    SELECT s.state_id AS stateId, s.pipeline, s.tags, s.created_at AS createdAt,
      coalesce((SELECT status ${LAST}), s.status) AS status,
      coalesce((SELECT updated_at ${LAST}), s.updated_at) AS updatedAt
    FROM rh_agents_states s
    WHERE (@pipeline IS NULL OR s.pipeline = @pipeline)
      AND (@tag IS NULL OR EXISTS (SELECT 1 FROM json_each(s.tags) WHERE value = @tag))
    ORDER BY updatedAt DESC, stateId`,
} as const;
