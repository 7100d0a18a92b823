/**
 * Checking a connection out of a pool within a bounded time, and the error that names the server
 * when that fails. The server's address is read as pg reads it (URL, environment, defaults),
 * never with the password.
 */
import { textOf } from '../util/describe.js';
import { type PostgresPool, type PostgresPoolClient, pg } from './driver.js';
import { PostgresConnectionError } from './errors.js';

const OWNER = 'PostgresStateBackend';

/** Where a pool connects. */
export interface ServerAddress {
  /** `host:port`. */
  hostPort: string;
  /** `host:port/database`, as messages show it. */
  text: string;
}

/**
 * The server a pool's configuration points at, resolved by pg itself (without connecting).
 * Throws what pg throws for a connection string it cannot read.
 */
export function serverAddress(config: object): ServerAddress {
  const { host, port, database } = new pg.Client(config);
  const hostPort = `${host}:${port}`;
  return { hostPort, text: database ? `${hostPort}/${database}` : hostPort };
}

/** The address of a pool of the caller's, or a placeholder when it does not say. */
export function poolAddress(pool: PostgresPool): ServerAddress {
  try {
    return serverAddress(pool.options ?? {});
  } catch {
    return { hostPort: 'unknown', text: 'the server of the given pool' };
  }
}

/**
 * A connection of `pool`, or a `PostgresConnectionError` naming `address` when none comes within
 * `timeoutMs`. A connection that arrives after the deadline goes straight back to the pool.
 */
export async function checkOut(
  pool: PostgresPool,
  timeoutMs: number,
  address: ServerAddress,
): Promise<PostgresPoolClient> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  const connecting = pool.connect();
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new Error(`no connection within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([connecting, deadline]);
  } catch (error) {
    connecting.then(
      (client) => client.release(),
      () => {},
    );
    throw connectionError(error, timedOut || isTimeout(error), timeoutMs, address);
  } finally {
    clearTimeout(timer);
  }
}

function connectionError(
  error: unknown,
  timedOut: boolean,
  timeoutMs: number,
  address: ServerAddress,
): PostgresConnectionError {
  const message = timedOut
    ? `${OWNER}: no connection to PostgreSQL at ${address.text} within ${timeoutMs} ms (\`connectTimeoutMs\`): the server did not answer, or every connection of the pool stayed busy. Check that the server runs and is reachable from here.`
    : `${OWNER}: cannot connect to PostgreSQL at ${address.text}: ${reasonOf(error)}. Check that the server runs and accepts connections there (host, port, database and user of the connection string or pool).`;
  return new PostgresConnectionError(message, { address: address.hostPort, cause: error });
}

/** pg's own connection timeout (of a pool made with `connectionTimeoutMillis`). */
function isTimeout(error: unknown): boolean {
  return /timeout/i.test(reasonOf(error));
}

/** What went wrong, also for an `AggregateError` (every address of a name refused) whose message is empty. */
export function reasonOf(error: unknown): string {
  const e = error as { message?: unknown; code?: unknown; errors?: unknown } | null;
  if (typeof e?.message === 'string' && e.message !== '') return e.message;
  if (Array.isArray(e?.errors) && e.errors.length > 0) {
    return e.errors.map((inner) => reasonOf(inner)).join('; ');
  }
  if (typeof e?.code === 'string') return e.code;
  return textOf(error);
}
