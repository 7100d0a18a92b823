/**
 * The options of `BullMQExecutor` and `startWorker`, their defaults, and their checks. Messages
 * name the option, quote the value and say what fits.
 */
import { type AnyActor, BaseActor } from '../core/actors.js';
import { checkInteger, checkNonEmptyString, checkOptions, describe } from '../util/validate.js';

/**
 * Where Redis is: ioredis options such as `{ host, port, password, db, tls }`, or `{ url }`.
 * BullMQ's connections and this package's own (results, cancellations) are made from it.
 */
export interface RedisConnectionOptions {
  host?: string;
  port?: number;
  url?: string;
  [option: string]: unknown;
}

/** Options of `new BullMQExecutor()`. Every duration is in milliseconds. */
export interface BullMQExecutorOptions {
  /** Where Redis is, e.g. `{ host: '127.0.0.1', port: 6379 }`. */
  connection: RedisConnectionOptions;
  /** The BullMQ queue the jobs go to; the workers listen on the same name. */
  queueName: string;
  /** BullMQ's key prefix, the same on the workers. @default 'bull' */
  prefix?: string;
  /** How long connecting to Redis may take before runs fail with a `RedisConnectionError`. @default 5000 */
  connectTimeoutMs?: number;
  /**
   * How long finished jobs are kept (in seconds) so that a resumed coordinator collects them
   * instead of running them again (BullMQ's `removeOnComplete`/`removeOnFail` `age`).
   * @default 86400 (a day)
   */
  keepJobsSeconds?: number;
  /** How often the coordinator looks at the jobs it waits on (a job that failed inside BullMQ, e.g. stalled too often). @default 5000 */
  checkIntervalMs?: number;
}

/** Options of `startWorker()`. */
export interface StartWorkerOptions {
  /** Where Redis is, as for the executor. */
  connection: RedisConnectionOptions;
  /** The queue to take jobs from: the executor's `queueName`. */
  queueName: string;
  /** The actors this worker runs, found by name and event type. */
  actors: readonly AnyActor[];
  /** Jobs run at once by this worker. @default 1 */
  concurrency?: number;
  /** BullMQ's key prefix, the same as the executor's. @default 'bull' */
  prefix?: string;
  /** How long connecting to Redis may take before `startWorker` rejects with a `RedisConnectionError`. @default 5000 */
  connectTimeoutMs?: number;
  /** Passed to BullMQ's `Worker` (e.g. `stalledInterval`, `lockDuration`, `maxStalledCount`). */
  workerOptions?: Record<string, unknown>;
}

export const defaultBullMQOptions = Object.freeze({
  prefix: 'bull',
  connectTimeoutMs: 5000,
  keepJobsSeconds: 86_400,
  checkIntervalMs: 5000,
  concurrency: 1,
});

export interface ResolvedExecutorOptions {
  connection: RedisConnectionOptions;
  queueName: string;
  prefix: string;
  connectTimeoutMs: number;
  keepJobsSeconds: number;
  checkIntervalMs: number;
}

export interface ResolvedWorkerOptions {
  connection: RedisConnectionOptions;
  queueName: string;
  prefix: string;
  connectTimeoutMs: number;
  concurrency: number;
  actors: Map<string, AnyActor>;
  workerOptions: Record<string, unknown>;
}

/** Worker options this package sets itself: passing them would break the protocol. */
const RESERVED_WORKER_OPTIONS = ['connection', 'concurrency', 'prefix', 'autorun'];

/** The key of an actor in a worker's table: its event type and name. */
export function actorKey(eventType: string, name: string): string {
  return `${eventType}\u0000${name}`;
}

export function resolveExecutorOptions(options: unknown): ResolvedExecutorOptions {
  const owner = 'new BullMQExecutor()';
  checkOptions(owner, options, [
    'connection',
    'queueName',
    'prefix',
    'connectTimeoutMs',
    'keepJobsSeconds',
    'checkIntervalMs',
  ]);
  const o = options as Record<string, unknown>;
  const d = defaultBullMQOptions;
  return {
    ...common(owner, o),
    keepJobsSeconds: checkInteger(owner, 'keepJobsSeconds', o.keepJobsSeconds ?? d.keepJobsSeconds),
    checkIntervalMs: checkInteger(owner, 'checkIntervalMs', o.checkIntervalMs ?? d.checkIntervalMs),
  };
}

export function resolveWorkerOptions(options: unknown): ResolvedWorkerOptions {
  const owner = 'startWorker()';
  checkOptions(owner, options, [
    'connection',
    'queueName',
    'actors',
    'concurrency',
    'prefix',
    'connectTimeoutMs',
    'workerOptions',
  ]);
  const o = options as Record<string, unknown>;
  const concurrency = checkInteger(
    owner,
    'concurrency',
    o.concurrency ?? defaultBullMQOptions.concurrency,
  );
  const workerOptions = o.workerOptions ?? {};
  if (typeof workerOptions !== 'object' || workerOptions === null || Array.isArray(workerOptions)) {
    throw new TypeError(
      `${owner}: expected \`workerOptions\` to be an object of BullMQ Worker options (e.g. { stalledInterval: 30000 }), got ${describe(workerOptions)}.`,
    );
  }
  for (const key of RESERVED_WORKER_OPTIONS) {
    if (key in workerOptions) {
      throw new TypeError(
        `${owner}: \`workerOptions.${key}\` is set by startWorker itself; pass \`${key === 'autorun' ? 'nothing' : key}\` ${key === 'autorun' ? '(the worker starts at once)' : 'as an option of startWorker'} instead.`,
      );
    }
  }
  return {
    ...common(owner, o),
    concurrency,
    actors: checkActors(owner, o.actors),
    workerOptions: workerOptions as Record<string, unknown>,
  };
}

function common(
  owner: string,
  o: Record<string, unknown>,
): Pick<ResolvedExecutorOptions, 'connection' | 'queueName' | 'prefix' | 'connectTimeoutMs'> {
  const { connection } = o;
  if (typeof connection !== 'object' || connection === null || Array.isArray(connection)) {
    throw new TypeError(
      `${owner}: expected \`connection\` to be Redis connection options, e.g. { host: '127.0.0.1', port: 6379 }, got ${describe(connection)}.`,
    );
  }
  const queueName = checkNonEmptyString(
    owner,
    'queueName',
    o.queueName,
    "name the BullMQ queue, e.g. 'documents' (the same on the coordinator and its workers)",
  );
  if (queueName.includes(':')) {
    throw new TypeError(
      `${owner}: \`queueName\` cannot contain ':' (BullMQ uses it to build Redis keys), got ${describe(queueName)}; use '-' or '_' instead.`,
    );
  }
  const prefix = checkNonEmptyString(
    owner,
    'prefix',
    o.prefix ?? defaultBullMQOptions.prefix,
    "BullMQ's key prefix, e.g. 'bull'",
  );
  return {
    connection: connection as RedisConnectionOptions,
    queueName,
    prefix,
    connectTimeoutMs: checkInteger(
      owner,
      'connectTimeoutMs',
      o.connectTimeoutMs ?? defaultBullMQOptions.connectTimeoutMs,
    ),
  };
}

function checkActors(owner: string, actors: unknown): Map<string, AnyActor> {
  if (!Array.isArray(actors) || actors.length === 0) {
    throw new TypeError(
      `${owner}: expected \`actors\` to be a non-empty array of the actors (Tool, Agent, LLM) this worker runs, got ${describe(actors)}.`,
    );
  }
  const table = new Map<string, AnyActor>();
  actors.forEach((actor: unknown, index) => {
    if (!(actor instanceof BaseActor)) {
      throw new TypeError(
        `${owner}: \`actors[${index}]\` is not an actor (a Tool, Agent or LLM), got ${describe(actor)}.`,
      );
    }
    const key = actorKey(actor.eventType, actor.name);
    if (table.has(key)) {
      throw new TypeError(
        `${owner}: \`actors\` holds two ${actor.eventType} actors named '${actor.name}'; a worker finds actors by name, so each name must be unique.`,
      );
    }
    table.set(key, actor as AnyActor);
  });
  return table;
}

/** `host:port` of a connection, for messages. */
export function addressOf(connection: RedisConnectionOptions): string {
  if (typeof connection.url === 'string') {
    try {
      const url = new URL(connection.url);
      return `${url.hostname || '127.0.0.1'}:${url.port || 6379}`;
    } catch {
      return connection.url;
    }
  }
  return `${connection.host ?? '127.0.0.1'}:${connection.port ?? 6379}`;
}
