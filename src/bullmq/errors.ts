/** The errors of `rh-agents/bullmq`. */
import { RhAgentsError } from '../index.js';

/**
 * Redis could not be reached within `connectTimeoutMs`: the server refused the connection, did not
 * answer, or the name did not resolve. The message names the server (`host:port`) and the reason.
 */
export class RedisConnectionError extends RhAgentsError {
  override name = 'RedisConnectionError';
  /** The server as `host:port`. */
  readonly address: string;
  constructor(
    message = 'Cannot connect to Redis; check that it runs and accepts connections at the configured address.',
    options?: { address?: string; cause?: unknown },
  ) {
    super(message, options);
    this.address = options?.address ?? 'unknown';
  }
}

/** A worker received a run of an actor it was not given; the message names the actor and the queue. */
export class UnknownActorError extends RhAgentsError {
  override name = 'UnknownActorError';
}
