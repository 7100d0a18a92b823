/**
 * Reaching the server: an unreachable one fails each call with a `PostgresConnectionError`
 * naming host:port within `connectTimeoutMs` (a closed port, a server that never answers, a
 * database that does not exist), and the backend works once the server answers again. Who ends
 * the pool: the backend ends the one it made from a connection string, never one it was given.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PostgresConnectionError, PostgresStateBackend } from '../../src/postgres/index.js';
import { runEntry, sampleSnapshot } from '../recovery/samples.js';
import {
  type Proxy,
  SKIP_MESSAGE,
  adminPool,
  closedPort,
  dropSchema,
  hasPostgres,
  schemaExists,
  startProxy,
  uniqueSchema,
  url,
  urlAt,
} from './helpers.js';

async function failure(promise: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, ms: performance.now() - started };
}

describe.skipIf(!hasPostgres)('reaching PostgreSQL', () => {
  let admin: pg.Pool;
  let schema: string;
  const cleanups: (() => Promise<unknown>)[] = [];
  beforeEach(() => {
    admin = adminPool();
    schema = uniqueSchema('conn');
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await dropSchema(admin, schema);
    await admin.end();
  });
  const backendOf = (options: ConstructorParameters<typeof PostgresStateBackend>[0]) => {
    const backend = new PostgresStateBackend(options);
    cleanups.push(() => backend.close());
    return backend;
  };
  const proxyOf = async (mode: Proxy['mode']) => {
    const proxy = await startProxy(mode);
    cleanups.push(() => proxy.close());
    return proxy;
  };

  it('a closed port: each call fails at once with a PostgresConnectionError naming host:port', async () => {
    const port = await closedPort();
    const backend = backendOf({ connectionString: urlAt(port), schema });
    for (const call of [() => backend.has('x'), () => backend.save(sampleSnapshot('x'))]) {
      const { error, ms } = await failure(call());
      expect(error).toBeInstanceOf(PostgresConnectionError);
      expect((error as PostgresConnectionError).address).toBe(`127.0.0.1:${port}`);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^PostgresStateBackend: cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${port}/test: .*ECONNREFUSED.*Check that the server runs`,
        ),
      );
      expect(ms).toBeLessThan(3000);
    }
    expect(await schemaExists(admin, schema)).toBe(false);
  });

  it('a server that never answers: the call fails after connectTimeoutMs, and close() does not hang', async () => {
    const proxy = await proxyOf('silent');
    const backend = backendOf({
      connectionString: urlAt(proxy.port),
      schema,
      connectTimeoutMs: 300,
    });
    const { error, ms } = await failure(backend.load('x'));
    expect(error).toBeInstanceOf(PostgresConnectionError);
    expect((error as Error).message).toContain(
      `no connection to PostgreSQL at 127.0.0.1:${proxy.port}/test within 300 ms (\`connectTimeoutMs\`)`,
    );
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(3000);
    const closing = performance.now();
    await backend.close();
    expect(performance.now() - closing).toBeLessThan(3000);
  });

  it('a pool of yours without a connection timeout is bounded by connectTimeoutMs too', async () => {
    const proxy = await proxyOf('silent');
    const pool = new pg.Pool({ connectionString: urlAt(proxy.port) });
    pool.on('error', () => {});
    cleanups.push(async () => {
      proxy.cut(); // lets the pool's pending connection fail, so that end() can finish
      await pool.end();
    });
    const backend = backendOf({ pool, schema, connectTimeoutMs: 200 });
    const { error, ms } = await failure(backend.has('x'));
    expect(error).toBeInstanceOf(PostgresConnectionError);
    expect((error as PostgresConnectionError).address).toBe(`127.0.0.1:${proxy.port}`);
    expect((error as Error).message).toContain('within 200 ms');
    expect(ms).toBeLessThan(3000);
  });

  it('a database that does not exist: the message names the server and says so', async () => {
    const u = new URL(url());
    u.pathname = '/rh_agents_no_such_database';
    const backend = backendOf({ connectionString: u.toString(), schema });
    const { error } = await failure(backend.list());
    expect(error).toBeInstanceOf(PostgresConnectionError);
    expect((error as Error).message).toMatch(
      /at 127\.0\.0\.1:\d+\/rh_agents_no_such_database: database "rh_agents_no_such_database" does not exist/,
    );
  });

  it('works once the server answers again, and after its connections were cut', async () => {
    const proxy = await proxyOf('refuse');
    const backend = backendOf({ connectionString: urlAt(proxy.port), schema });
    await expect(backend.save(sampleSnapshot('back'))).rejects.toThrow(PostgresConnectionError);
    proxy.mode = 'forward';
    await backend.save(sampleSnapshot('back'));
    await backend.append('back', runEntry(0));
    proxy.cut();
    await new Promise((r) => setTimeout(r, 100));
    await backend.append('back', runEntry(1));
    expect((await backend.load('back')).history).toHaveLength(5);
  });

  it('a backend made from a connection string ends its pool on close()', async () => {
    const name = `rh_own_${process.pid}_${Date.now()}`;
    const backend = new PostgresStateBackend({
      connectionString: urlAt(Number(new URL(url()).port || 5432), { application_name: name }),
      schema,
    });
    const sessions = async (): Promise<number> =>
      (
        await admin.query(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
          [name],
        )
      ).rows[0].n;
    await backend.save(sampleSnapshot('own'));
    expect(await sessions()).toBeGreaterThan(0);
    await backend.close();
    const deadline = Date.now() + 5000;
    while ((await sessions()) > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(await sessions()).toBe(0);
  });

  it('a backend over a pool of yours leaves it open on close()', async () => {
    const pool = new pg.Pool({ connectionString: url() });
    cleanups.push(() => pool.end());
    const backend = new PostgresStateBackend({ pool, schema });
    await backend.save(sampleSnapshot('theirs'));
    await backend.close();
    expect(pool.ended).toBe(false);
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM "${schema}".rh_agents_states`,
    );
    expect(rows[0].n).toBe(1);
  });

  it('close() waits for the calls under way; calls after it are refused', async () => {
    const backend = new PostgresStateBackend({ connectionString: url(), schema, compactEvery: 5 });
    const saving = backend.save(sampleSnapshot('busy', { history: [] }));
    const appends = Array.from({ length: 23 }, (_, i) => backend.append('busy', runEntry(i)));
    const closing = backend.close();
    expect(backend.close()).toBe(closing);
    await expect(backend.has('busy')).rejects.toThrow(/closed; create a new one for PostgreSQL/);
    await closing;
    await saving;
    await Promise.all(appends);
    const reopened = backendOf({ connectionString: url(), schema });
    const loaded = await reopened.load('busy');
    expect(loaded.history.map((r) => r.parallelIndex)).toEqual(
      Array.from({ length: 23 }, (_, i) => [i, i]).flat(),
    );
  });
});

describe.runIf(!hasPostgres)('reaching PostgreSQL', () => {
  it.skip(SKIP_MESSAGE, () => {});
});
