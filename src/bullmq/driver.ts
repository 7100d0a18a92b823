/**
 * Loads `bullmq` 6 and `ioredis` 5, optional peer dependencies: importing `rh-agents/bullmq`
 * without them fails here with a message that says what to install. The package root never
 * imports this file. BullMQ's CommonJS build is loaded (through `require`), because that is the
 * build that finds `ioredis` by itself when given connection options.
 */
import { createRequire } from 'node:module';
import type * as BullMQ from 'bullmq';
import type { Redis as IORedis } from 'ioredis';
import { MissingPeerDependencyError } from '../index.js';

/** The command that installs both peers, as the error message says it. */
export const BULLMQ_INSTALL = 'npm install bullmq@^6 ioredis@^5';

export type BullMQModule = typeof BullMQ;
export type RedisClient = IORedis;
export type RedisConstructor = new (options: object) => IORedis;

/** Loads one peer through `require`, or throws a `MissingPeerDependencyError` naming it. */
export function loadPeer<T>(
  id: 'bullmq' | 'ioredis',
  require: (id: string) => unknown = createRequire(import.meta.url),
): T {
  try {
    return require(id) as T;
  } catch (error) {
    const notInstalled =
      (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' &&
      String((error as Error).message).includes(`'${id}'`);
    if (!notInstalled) throw error;
    throw new MissingPeerDependencyError(
      `rh-agents/bullmq needs ${id}, an optional peer dependency that is not installed: run \`${BULLMQ_INSTALL}\`.`,
      { cause: error },
    );
  }
}

/** The `bullmq` module, loaded when `rh-agents/bullmq` is imported. */
export const bullmq: BullMQModule = loadPeer<BullMQModule>('bullmq');

const ioredisModule = loadPeer<RedisConstructor | { default: RedisConstructor }>('ioredis');
/** ioredis's client class (its CommonJS export is the class, also under `default`). */
export const Redis: RedisConstructor =
  'default' in ioredisModule ? ioredisModule.default : ioredisModule;
