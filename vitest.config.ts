import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 20_000,
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
