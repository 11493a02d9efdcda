import { defineConfig } from 'vitest/config';

// Two test files at a time, whatever their project: most integration and e2e files spend their time
// waiting on servers, workers and browsers, so a 2-core machine runs two of them side by side. Every
// file uses its own home, free ports and private Redis, and time budgets scale with the machine's
// load (test/integration/reliability/hostile.ts).
const FILES_AT_ONCE = 2;

export default defineConfig({
  test: {
    maxWorkers: FILES_AT_ONCE,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'src/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
