import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    // PostgreSQL and MariaDB for the server tests, started only when a selected file uses them.
    globalSetup: ['test/support/servers/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Argon2id tests are CPU-bound; on 2 cores more parallel files only thrash.
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/unit.json' },
  },
});
