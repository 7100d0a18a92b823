/**
 * `rh-agents/bullmq`: a parallel group's runs on worker processes, through BullMQ on Redis.
 * `BullMQExecutor` is the coordinator's side (`state.parallel({ executor })`), `startWorker` the
 * workers'. Needs `bullmq` 6 and `ioredis` 5 (optional peer dependencies); without them,
 * importing this entry fails with a message saying what to install.
 */
export { BullMQExecutor } from './executor.js';
export { startWorker, type RemoteWorker } from './worker.js';
export {
  defaultBullMQOptions,
  type BullMQExecutorOptions,
  type RedisConnectionOptions,
  type StartWorkerOptions,
} from './options.js';
export { RedisConnectionError, UnknownActorError } from './errors.js';
export { jobIdOf, parseJobId } from './job-ids.js';
