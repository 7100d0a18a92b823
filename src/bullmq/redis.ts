/**
 * Connections of this package's own to Redis (replies and cancellations; BullMQ makes its own),
 * opened within a bounded time: a server that refuses or never answers fails with a
 * `RedisConnectionError` naming it, instead of ioredis retrying for ever.
 */
import { messageOf } from '../util/describe.js';
import { Redis, type RedisClient } from './driver.js';
import { RedisConnectionError } from './errors.js';
import { type RedisConnectionOptions, addressOf } from './options.js';

/** An ioredis client for `connection`, ready, or a `RedisConnectionError` within `timeoutMs`. */
export async function connectRedis(
  connection: RedisConnectionOptions,
  timeoutMs: number,
  what: string,
): Promise<RedisClient> {
  const { url, ...rest } = connection;
  const options = { ...rest, lazyConnect: true, maxRetriesPerRequest: null };
  const client: RedisClient =
    typeof url === 'string'
      ? new (Redis as unknown as new (url: string, options: object) => RedisClient)(url, options)
      : new Redis(options);
  let lastError: unknown;
  const onError = (error: unknown): void => {
    lastError = error;
  };
  client.on('error', onError);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      // `connect()` rejects on the first failure; ioredis keeps retrying until ready.
      client.connect().catch((error: unknown) => {
        lastError = error;
        return new Promise<void>((resolve) => client.once('ready', () => resolve()));
      }),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return client;
  } catch {
    client.disconnect();
    const address = addressOf(connection);
    const reason = lastError === undefined ? 'no answer' : messageOf(lastError);
    throw new RedisConnectionError(
      `${what}: could not connect to Redis at ${address} within ${timeoutMs} ms (${reason}). Check that Redis runs there and that \`connection\` points to it.`,
      { address, cause: lastError },
    );
  } finally {
    clearTimeout(timer);
  }
}
