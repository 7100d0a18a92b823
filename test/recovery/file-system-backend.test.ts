import { describeStateBackend } from './backend-suite.js';
import { fileSystemFixture } from './helpers.js';

describeStateBackend('FileSystemStateBackend', () => fileSystemFixture());
describeStateBackend('FileSystemStateBackend, never compacting', () =>
  fileSystemFixture({ compactEvery: Infinity }),
);
