/**
 * The PostgreSQL of the tests: the real server at 127.0.0.1:5432 (trust auth, database `test`),
 * reached as user `postgres` or else as the OS user (or at RH_AGENTS_TEST_POSTGRES_URL). Every
 * test uses schemas of its own and drops them. Without a server the tests are skipped, saying
 * how to start it.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, Socket } from 'node:net';
import { userInfo } from 'node:os';
import pg from 'pg';
import { PostgresStateBackend } from '../../src/postgres/index.js';
import type { StateBackendFixture } from '../recovery/backend-suite.js';

export const START_COMMAND =
  'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

async function findServer(): Promise<string | undefined> {
  const explicit = process.env.RH_AGENTS_TEST_POSTGRES_URL;
  const candidates = explicit
    ? [explicit]
    : ['postgres', userInfo().username].map((user) => `postgres://${user}@127.0.0.1:5432/test`);
  for (const url of candidates) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
      return url;
    } catch {
      // the next candidate
    } finally {
      await client.end().catch(() => {});
    }
  }
  return undefined;
}

/** The URL of the test database, or `undefined` when no server answered. */
export const connectionString = await findServer();
export const hasPostgres = connectionString !== undefined;
export const SKIP_MESSAGE = `PostgreSQL tests skipped: no server answered at 127.0.0.1:5432 (database test, user postgres or ${userInfo().username}). Start it with \`${START_COMMAND}\`, or set RH_AGENTS_TEST_POSTGRES_URL.`;
if (!hasPostgres) console.warn(SKIP_MESSAGE);

/** The connection string of the test database (only called when there is one). */
export function url(): string {
  if (connectionString === undefined) throw new Error(SKIP_MESSAGE);
  return connectionString;
}

/** A schema name of the test's own: `rh_test_<label>_<pid>_<random>`. */
export function uniqueSchema(label: string): string {
  return `rh_test_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** A pool of the test's own, to look at or damage the tables behind the backend's back. */
export function adminPool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: url(), max: 2 });
  pool.on('error', () => {});
  return pool;
}

export async function dropSchema(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

export async function schemaExists(pool: pg.Pool, schema: string): Promise<boolean> {
  const { rows } = await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  return rows.length > 0;
}

const TABLES = ['meta', 'states', 'bases', 'history', 'entries'];

/** Every rh-agents table of `schema`, rows included, as text; `no schema` when there is none. */
export async function schemaFingerprint(pool: pg.Pool, schema: string): Promise<string> {
  if (!(await schemaExists(pool, schema))) return 'no schema';
  const parts: string[] = [];
  for (const table of TABLES) {
    const { rows } = await pool.query<{ rows: string }>(
      `SELECT coalesce(json_agg(t ORDER BY t::text)::text, '[]') AS rows FROM "${schema}".rh_agents_${table} t`,
    );
    parts.push(`${table} ${rows[0]?.rows}`);
  }
  return parts.join('\n');
}

type Settings = { compactEvery?: number; connectTimeoutMs?: number };

/**
 * The test database's URL with `synchronous_commit` off: commits do not wait for the disk flush,
 * which only matters if the server itself crashes. The conformance suite (10 000 appends in one
 * test) runs this way to stay fast on a busy machine; the process tests keep durable commits.
 */
export function fastUrl(): string {
  const u = new URL(url());
  u.searchParams.set('options', '-c synchronous_commit=off');
  return u.toString();
}

/**
 * The conformance suite's fixture: a schema of its own, dropped by `destroy`. With `ownPool`,
 * the backends share a pool of the fixture's, as an application passes its pg.Pool.
 */
export function postgresFixture(
  settings: Settings = { compactEvery: 4 },
  { ownPool = false } = {},
): StateBackendFixture & { schema: string; admin: pg.Pool } {
  const schema = uniqueSchema('suite');
  const admin = adminPool();
  const shared = ownPool ? new pg.Pool({ connectionString: fastUrl() }) : undefined;
  return {
    schema,
    admin,
    open: () =>
      shared === undefined
        ? new PostgresStateBackend({ connectionString: fastUrl(), schema, ...settings })
        : new PostgresStateBackend({ pool: shared, schema, ...settings }),
    fingerprint: () => schemaFingerprint(admin, schema),
    async corruptBase(stateId) {
      await admin.query(
        `UPDATE "${schema}".rh_agents_bases SET snapshot = left(snapshot, length(snapshot) / 2) WHERE state_id = $1`,
        [stateId],
      );
    },
    async markNewerVersion(stateId, version) {
      const { rows } = await admin.query<{ snapshot: string }>(
        `SELECT snapshot FROM "${schema}".rh_agents_bases WHERE state_id = $1`,
        [stateId],
      );
      const snapshot = JSON.stringify({ ...JSON.parse(rows[0]?.snapshot ?? '{}'), version });
      await admin.query(
        `UPDATE "${schema}".rh_agents_bases SET snapshot = $2 WHERE state_id = $1`,
        [stateId, snapshot],
      );
      await admin.query(
        `UPDATE "${schema}".rh_agents_states SET version = $2 WHERE state_id = $1`,
        [stateId, version],
      );
    },
    async destroy() {
      await dropSchema(admin, schema);
      await admin.end();
      await shared?.end();
    },
  };
}

/** A free TCP port of 127.0.0.1 with nothing listening on it (as far as anyone can tell). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/**
 * A TCP server on 127.0.0.1 in front of the test database: it forwards connections, refuses
 * them (`mode = 'refuse'`: closed at once), or accepts them and never answers (`'silent'`).
 * `cut()` breaks every connection open through it.
 */
export interface Proxy {
  port: number;
  mode: 'forward' | 'refuse' | 'silent';
  cut(): void;
  close(): Promise<void>;
}

export async function startProxy(mode: Proxy['mode'] = 'forward'): Promise<Proxy> {
  const sockets = new Set<Socket>();
  const target = new URL(url());
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    if (proxy.mode === 'refuse') return void socket.destroy();
    if (proxy.mode === 'silent') return;
    const upstream = new Socket();
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      socket.destroy();
    });
    upstream.on('error', () => {});
    socket.on('close', () => upstream.destroy());
    upstream.connect(Number(target.port || 5432), target.hostname, () => {
      socket.pipe(upstream).pipe(socket);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const proxy: Proxy = {
    port: (server.address() as { port: number }).port,
    mode,
    cut() {
      for (const socket of sockets) socket.destroy();
    },
    async close() {
      proxy.cut();
      await new Promise((done) => server.close(done));
    },
  };
  return proxy;
}

/** The test database's URL with the host and port of `port` on 127.0.0.1 instead. */
export function urlAt(port: number, extra: Record<string, string> = {}): string {
  const u = new URL(url());
  u.hostname = '127.0.0.1';
  u.port = String(port);
  for (const [key, value] of Object.entries(extra)) u.searchParams.set(key, value);
  return u.toString();
}
