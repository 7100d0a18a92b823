import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 20_000,
    // Many suites wait on child processes, Redis, PostgreSQL or a browser rather than on the CPU:
    // three files at a time keep a 2-core machine busy (vitest's default there is one).
    maxWorkers: 3,
    minWorkers: 1,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: ['src/**/*.test.ts'],
      // A short summary in the terminal, so `npm test` ends with the test counts in view; the
      // per-file table goes to coverage/coverage.txt.
      reporter: ['text-summary', ['text', { file: 'coverage.txt' }]],
      thresholds: { lines: 90, branches: 90 },
    },
  },
});
