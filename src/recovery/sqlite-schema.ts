/**
 * The tables of a `SqliteStateBackend` database. A state has a small row (status, timestamps,
 * tags, the sequence number folded into its base), its base snapshot in a table of its own, and
 * one row per appended entry keyed by state id and sequence number. An append is one INSERT:
 * it touches no other row, so its cost does not depend on the size of the state. Entries are
 * folded into the base now and then.
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
  status TEXT NOT NULL,          -- as of the base snapshot (a later entry row has the newer one)
  pipeline TEXT,
  tags TEXT NOT NULL,            -- a JSON array of strings
  created_at INTEGER NOT NULL,   -- epoch ms
  updated_at INTEGER NOT NULL,   -- as of the base snapshot
  base_seq INTEGER NOT NULL,     -- the last entry folded into the base
  base_bytes INTEGER NOT NULL    -- the size of the base snapshot
);
CREATE TABLE IF NOT EXISTS rh_agents_bases (
  state_id TEXT PRIMARY KEY,
  snapshot TEXT NOT NULL         -- the base snapshot as JSON
);
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
  schemaVersion: `SELECT value FROM rh_agents_meta WHERE key = 'schema'`,
  has: `SELECT 1 FROM rh_agents_states WHERE state_id = ?`,
  state: `SELECT version, base_seq AS baseSeq, base_bytes AS baseBytes FROM rh_agents_states WHERE state_id = ?`,
  base: `SELECT snapshot FROM rh_agents_bases WHERE state_id = ?`,
  entries: `SELECT seq, entry FROM rh_agents_entries WHERE state_id = ? ORDER BY seq`,
  pending: `SELECT count(*) AS entries, coalesce(sum(length(entry)), 0) AS bytes FROM rh_agents_entries WHERE state_id = ?`,
  upsertState: `
    INSERT INTO rh_agents_states (state_id, version, status, pipeline, tags, created_at, updated_at,
      base_seq, base_bytes)
    VALUES (@stateId, @version, @status, @pipeline, @tags, @createdAt, @updatedAt, 0, @bytes)
    ON CONFLICT (state_id) DO UPDATE SET version = excluded.version, status = excluded.status,
      pipeline = excluded.pipeline, tags = excluded.tags, created_at = excluded.created_at,
      updated_at = excluded.updated_at, base_bytes = excluded.base_bytes`,
  upsertBase: `
    INSERT INTO rh_agents_bases (state_id, snapshot) VALUES (?, ?)
    ON CONFLICT (state_id) DO UPDATE SET snapshot = excluded.snapshot`,
  deleteEntries: `DELETE FROM rh_agents_entries WHERE state_id = ?`,
  deleteFolded: `DELETE FROM rh_agents_entries WHERE state_id = ? AND seq <= ?`,
  deleteBase: `DELETE FROM rh_agents_bases WHERE state_id = ?`,
  deleteState: `DELETE FROM rh_agents_states WHERE state_id = ?`,
  /** One statement (so one implicit transaction): the next sequence number and the status after it. */
  append: `
    INSERT INTO rh_agents_entries (state_id, seq, status, updated_at, entry)
    SELECT s.state_id, coalesce((SELECT seq ${LAST}), s.base_seq) + 1,
      coalesce(@status, (SELECT status ${LAST}), s.status), @updatedAt, @entry
    FROM rh_agents_states s WHERE s.state_id = @stateId`,
  folded: `
    UPDATE rh_agents_states SET base_seq = ?, base_bytes = ?, status = ?, updated_at = ?
    WHERE state_id = ?`,
  list: `
    SELECT s.state_id AS stateId, s.pipeline, s.tags, s.created_at AS createdAt,
      coalesce((SELECT status ${LAST}), s.status) AS status,
      coalesce((SELECT updated_at ${LAST}), s.updated_at) AS updatedAt
    FROM rh_agents_states s
    WHERE (@pipeline IS NULL OR s.pipeline = @pipeline)
      AND (@tag IS NULL OR EXISTS (SELECT 1 FROM json_each(s.tags) WHERE value = @tag))
    ORDER BY updatedAt DESC, stateId`,
} as const;
