/** The error of a PostgreSQL server that cannot be reached. */
import { RhAgentsError } from '../index.js';

/**
 * No connection to PostgreSQL could be made: the server refused it or did not answer within
 * `connectTimeoutMs`, the name did not resolve, or it refused the login. The message names the
 * server (`host:port/database`, never a password) and the reason; `cause` is pg's own error.
 */
export class PostgresConnectionError extends RhAgentsError {
  override name = 'PostgresConnectionError';
  /** The server as `host:port`. */
  readonly address: string;
  constructor(
    message = 'Cannot connect to PostgreSQL; check that the server runs and accepts connections at the configured address.',
    options?: { address?: string; cause?: unknown },
  ) {
    super(message, options);
    this.address = options?.address ?? 'unknown';
  }
}
