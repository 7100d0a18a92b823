/**
 * The tables of a `PostgresStateBackend`, in a schema of their own. A state has a small row
 * (status and timestamps as of its newest entry, pipeline, tags, the sequence numbers of its
 * newest entry and of the newest one folded into its base), a base (the snapshot without its
 * history, and the storage as of the fold), its history (a JSON array of records per row) and
 * one row per entry appended since. Every JSON value is `text` written by `JSON.stringify`, read
 * back by `JSON.parse`: the server never parses it, so nothing is reordered or re-escaped.
 */

/** The schema version this rh-agents writes; a schema with a newer one is refused. */
export const POSTGRES_SCHEMA_VERSION = 1;

/** The tables, created in one transaction (under an advisory lock) when the schema has none. */
export function schemaDdl(schema: string): string {
  const s = quote(schema);
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.rh_agents_meta (
  key text PRIMARY KEY,
  value text NOT NULL
);
CREATE TABLE IF NOT EXISTS ${s}.rh_agents_states (
  state_id text PRIMARY KEY,
  version integer NOT NULL,             -- the snapshot format version
  status text NOT NULL,                 -- after the newest entry
  pipeline text,                        -- JSON-encoded ('"reports"'), so any string matches exactly
  tags text[] NOT NULL,                 -- each JSON-encoded, likewise
  created_at double precision NOT NULL, -- epoch ms
  updated_at double precision NOT NULL, -- after the newest entry
  seq bigint NOT NULL,                  -- the newest entry's sequence number
  base_seq bigint NOT NULL              -- the newest entry folded into the base
);
CREATE TABLE IF NOT EXISTS ${s}.rh_agents_bases (
  state_id text PRIMARY KEY REFERENCES ${s}.rh_agents_states ON DELETE CASCADE,
  snapshot text NOT NULL,               -- the snapshot without history, storage, status, updatedAt
  storage text NOT NULL                 -- the storage as of base_seq
);
CREATE TABLE IF NOT EXISTS ${s}.rh_agents_history (
  state_id text NOT NULL REFERENCES ${s}.rh_agents_states ON DELETE CASCADE,
  seq bigint NOT NULL,                  -- the last entry this row holds the records of
  records text NOT NULL,                -- a JSON array of StoredRecords
  PRIMARY KEY (state_id, seq)
);
CREATE TABLE IF NOT EXISTS ${s}.rh_agents_entries (
  state_id text NOT NULL REFERENCES ${s}.rh_agents_states ON DELETE CASCADE,
  seq bigint NOT NULL,
  records text NOT NULL,                -- the entry's records, a JSON array
  storage text,                         -- the whole storage, when the entry changed it
  PRIMARY KEY (state_id, seq)
);
INSERT INTO ${s}.rh_agents_meta (key, value) VALUES ('schema', '${POSTGRES_SCHEMA_VERSION}')
  ON CONFLICT (key) DO NOTHING;
`;
}

/** The statements of the backend, over the tables of `schema`. */
export function statements(schema: string) {
  const s = quote(schema);
  const states = `${s}.rh_agents_states`;
  const bases = `${s}.rh_agents_bases`;
  const history = `${s}.rh_agents_history`;
  const entries = `${s}.rh_agents_entries`;
  return {
    /** Serialises the setup of one schema across processes, until the transaction ends. */
    setupLock: `SELECT pg_advisory_xact_lock(hashtext($1))`,
    /** The schema version of existing tables ('0' when the row is missing). */
    schemaVersion: `SELECT coalesce((SELECT value FROM ${s}.rh_agents_meta WHERE key = 'schema'), '0') AS value`,
    hasMeta: `SELECT to_regclass($1) IS NOT NULL AS present`,
    has: `SELECT 1 FROM ${states} WHERE state_id = $1`,
    /** The whole state in one statement, so from one snapshot of the database. */
    load: `
      SELECT s.version, s.status, s.updated_at, s.seq::float8 AS seq, s.base_seq::float8 AS base_seq,
        b.snapshot, b.storage, h.records AS history,
        e.records AS entries, e.count AS entry_count, e.first AS first_entry, e.last AS last_entry,
        (SELECT storage FROM ${entries} WHERE state_id = s.state_id AND storage IS NOT NULL
          ORDER BY seq DESC LIMIT 1) AS entry_storage
      FROM ${states} s
      LEFT JOIN ${bases} b ON b.state_id = s.state_id
      LEFT JOIN LATERAL (SELECT string_agg(records, ',' ORDER BY seq) AS records
        FROM ${history} WHERE state_id = s.state_id) h ON true
      LEFT JOIN LATERAL (SELECT string_agg(records, ',' ORDER BY seq) AS records,
          count(*)::float8 AS count, min(seq)::float8 AS first, max(seq)::float8 AS last
        FROM ${entries} WHERE state_id = s.state_id) e ON true
      WHERE s.state_id = $1`,
    /**
     * A save's first step: creates or replaces the row, taking its lock (so a writer appending
     * meanwhile commits first or waits). The sequence number goes on; the base holds all up to it.
     */
    upsertState: `
      INSERT INTO ${states} AS s (state_id, version, status, pipeline, tags, created_at, updated_at, seq, base_seq)
      VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0)
      ON CONFLICT (state_id) DO UPDATE SET version = excluded.version, status = excluded.status,
        pipeline = excluded.pipeline, tags = excluded.tags, created_at = excluded.created_at,
        updated_at = excluded.updated_at, base_seq = s.seq
      RETURNING s.seq::float8 AS seq`,
    /** The second step, in a statement of its own so that it sees every row committed before the lock. */
    clearState: `
      WITH e AS (DELETE FROM ${entries} WHERE state_id = $1)
      DELETE FROM ${history} WHERE state_id = $1`,
    /** The third step: the base and the saved history. */
    saveBase: `
      WITH b AS (
        INSERT INTO ${bases} (state_id, snapshot, storage) VALUES ($1, $2, $3)
        ON CONFLICT (state_id) DO UPDATE SET snapshot = excluded.snapshot, storage = excluded.storage
      )
      INSERT INTO ${history} (state_id, seq, records) VALUES ($1, $4, $5)`,
    /**
     * One statement, so one transaction: the UPDATE takes the next sequence number and holds the
     * state row's lock until the entry row is in, so two writers never take the same number.
     */
    append: `
      WITH s AS (
        UPDATE ${states} SET seq = seq + 1, status = coalesce($2, status), updated_at = $3
        WHERE state_id = $1 RETURNING state_id, seq, base_seq
      ),
      e AS (INSERT INTO ${entries} (state_id, seq, records, storage) SELECT state_id, seq, $4, $5 FROM s)
      SELECT (seq - base_seq)::float8 AS pending FROM s`,
    /** Opens a fold's transaction, whose commit need not wait for the disk (see the backend). */
    beginFold: `BEGIN; SET LOCAL synchronous_commit TO off`,
    /** The fold's first step: locks the state row until the fold commits. */
    lockState: `SELECT seq::float8 AS seq, base_seq::float8 AS base_seq FROM ${states} WHERE state_id = $1 FOR UPDATE`,
    /**
     * The fold's second step, one statement: the entry rows up to $2 leave, their records become
     * one history row (the arrays joined as text, never parsed), the newest storage among them
     * goes to the base, and the state row records how far the base goes.
     */
    fold: `
      WITH moved AS (
        DELETE FROM ${entries} WHERE state_id = $1 AND seq <= $2 RETURNING seq, records, storage
      ),
      h AS (
        INSERT INTO ${history} (state_id, seq, records)
        SELECT $1, $2, '[' || coalesce(string_agg(nullif(substr(records, 2, length(records) - 2), ''), ','
          ORDER BY seq), '') || ']' FROM moved
      ),
      b AS (
        UPDATE ${bases} SET storage = m.storage
        FROM (SELECT storage FROM moved WHERE storage IS NOT NULL ORDER BY seq DESC LIMIT 1) m
        WHERE state_id = $1
      )
      UPDATE ${states} SET base_seq = $2 WHERE state_id = $1`,
    list: `
      SELECT state_id, pipeline, tags, status, created_at, updated_at FROM ${states}
      WHERE ($1::text IS NULL OR $1 = ANY (tags)) AND ($2::text IS NULL OR pipeline = $2)
      ORDER BY updated_at DESC, state_id COLLATE "C"`,
    /** The other tables' rows go with it (ON DELETE CASCADE). */
    delete: `DELETE FROM ${states} WHERE state_id = $1 RETURNING 1`,
  } as const;
}

export type Statements = ReturnType<typeof statements>;

/** `name` as a quoted identifier (the option check allows only letters, digits and `_`). */
export function quote(name: string): string {
  return `"${name}"`;
}
