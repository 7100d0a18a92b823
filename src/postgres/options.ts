/**
 * The options of `PostgresStateBackend`, their defaults, and their check: where the server is (a
 * connection string, or a pool of the caller's), the schema of the tables, how often entries are
 * folded, and how long a connection may take.
 */
import type { PostgresPool } from './driver.js';
import { checkInteger, checkNonEmptyString, checkOptions, describe } from '../util/validate.js';

/** The settings every `PostgresStateBackend` takes, whichever way it connects. */
export interface PostgresStateBackendSettings {
  /**
   * The schema that holds the tables (`rh_agents_states`, `rh_agents_bases`,
   * `rh_agents_history`, `rh_agents_entries`, `rh_agents_meta`). Created with them on first use
   * when missing. A PostgreSQL identifier: a letter or `_`, then letters, digits or `_` (63 at most).
   * @default 'rh_agents'
   */
  schema?: string;
  /**
   * Fold a state's entry rows into its base once it has this many since the last fold: their
   * records become one history row, and the copies of the storage they carried are dropped.
   * `Infinity`: never.
   * @default 1000
   */
  compactEvery?: number;
  /**
   * How long getting a connection may take before the call fails with a
   * `PostgresConnectionError` naming the server (a server that does not answer, or a pool whose
   * connections all stay busy). Also the pool's `connectionTimeoutMillis` when the backend
   * makes the pool.
   * @default 5000
   */
  connectTimeoutMs?: number;
}

/** Where the states are: a connection string (the backend makes and ends its pool) or a pool. */
export type PostgresStateBackendOptions = PostgresStateBackendSettings &
  (
    | {
        /** e.g. `'postgres://app@db.internal:5432/app'`; the backend makes a pool and ends it on `close()`. */
        connectionString: string;
        pool?: undefined;
      }
    | {
        /** A `pg.Pool` of yours (its size, TLS, credentials); the backend never ends it. */
        pool: PostgresPool;
        connectionString?: undefined;
      }
  );

export const defaultPostgresStateBackendOptions = Object.freeze({
  schema: 'rh_agents',
  compactEvery: 1000,
  connectTimeoutMs: 5000,
});

const OWNER = 'PostgresStateBackend';
const KNOWN = ['connectionString', 'pool', 'schema', 'compactEvery', 'connectTimeoutMs'] as const;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** The options, checked, with the defaults filled in. */
export interface ResolvedOptions {
  connectionString: string | undefined;
  pool: PostgresPool | undefined;
  schema: string;
  compactEvery: number;
  connectTimeoutMs: number;
}

export function resolveOptions(options: unknown): ResolvedOptions {
  checkOptions(OWNER, options, KNOWN);
  const o = options as Record<string, unknown>;
  const { connectionString, pool } = o;
  if ((connectionString === undefined) === (pool === undefined)) {
    throw new TypeError(
      `${OWNER}: pass exactly one of \`connectionString\` and \`pool\`, got ${connectionString === undefined ? 'neither' : 'both'}; e.g. { connectionString: 'postgres://app@127.0.0.1:5432/app' }, or { pool } with a pg.Pool of yours.`,
    );
  }
  if (connectionString !== undefined) {
    checkNonEmptyString(
      OWNER,
      'connectionString',
      connectionString,
      "pass a PostgreSQL URL, e.g. 'postgres://app@127.0.0.1:5432/app'",
    );
  }
  if (pool !== undefined && typeof (pool as { connect?: unknown } | null)?.connect !== 'function') {
    throw new TypeError(
      `${OWNER}: expected \`pool\` to be a pg.Pool (an object with a connect() method), got ${describe(pool)}; make one with new pg.Pool({ … }), or pass a connectionString instead.`,
    );
  }
  const schema = o.schema ?? defaultPostgresStateBackendOptions.schema;
  if (typeof schema !== 'string' || !IDENTIFIER.test(schema)) {
    throw new TypeError(
      `${OWNER}: expected \`schema\` to be a PostgreSQL identifier (a letter or '_', then up to 62 letters, digits or '_'), got ${describe(schema)}; e.g. 'rh_agents'.`,
    );
  }
  return {
    connectionString: connectionString as string | undefined,
    pool: pool as PostgresPool | undefined,
    schema,
    compactEvery: checkInteger(
      OWNER,
      'compactEvery',
      o.compactEvery ?? defaultPostgresStateBackendOptions.compactEvery,
      { min: 1, allowInfinity: true },
    ),
    connectTimeoutMs: checkInteger(
      OWNER,
      'connectTimeoutMs',
      o.connectTimeoutMs ?? defaultPostgresStateBackendOptions.connectTimeoutMs,
      { min: 1, max: 0x7fffffff },
    ),
  };
}
