/**
 * The shared conformance suite of `StateBackend`, against the real PostgreSQL: once with a
 * connection string (the backend's own pool, folding every 4 entries), once over a pool of the
 * test's (never folding). Each test runs in a schema of its own, dropped after. Commits do not
 * wait for the disk here (see `fastUrl`); process-crash.test.ts keeps durable commits.
 */
import { describe, it } from 'vitest';
import { describeStateBackend } from '../recovery/backend-suite.js';
import { SKIP_MESSAGE, hasPostgres, postgresFixture } from './helpers.js';

// The 10 000-entry test makes 10 000 commits: it takes a while on a busy machine.
describe.skipIf(!hasPostgres)('PostgreSQL', { timeout: 120_000 }, () => {
  describeStateBackend('PostgresStateBackend', () => postgresFixture({ compactEvery: 4 }));
  describeStateBackend('PostgresStateBackend over a pool of yours, never folding', () =>
    postgresFixture({ compactEvery: Infinity }, { ownPool: true }),
  );
});

describe.runIf(!hasPostgres)('PostgreSQL', () => {
  it.skip(SKIP_MESSAGE, () => {});
});
