/**
 * `rh-agents/postgres`: `PostgresStateBackend`, states in PostgreSQL for pipelines that run on
 * several machines. Needs `pg` 8 (an optional peer dependency); without it, importing this entry
 * fails with a message saying what to install.
 */
export { PostgresStateBackend } from './postgres-backend.js';
export {
  defaultPostgresStateBackendOptions,
  type PostgresStateBackendOptions,
  type PostgresStateBackendSettings,
} from './options.js';
export type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from './driver.js';
export { PostgresConnectionError } from './errors.js';
