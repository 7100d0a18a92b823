import { describeStateBackend } from './backend-suite.js';
import { sqliteFixture } from './helpers.js';

describeStateBackend('SqliteStateBackend', () => sqliteFixture());
describeStateBackend('SqliteStateBackend, never compacting', () =>
  sqliteFixture({ compactEvery: Infinity }),
);
