import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Tests that need a real Kafka broker live in test/integration/kafka/ and
// test/integration/live/ (the engine as a consumer-group member); their
// project's global setup finds one (KAFKA_BROKERS, else testcontainers) only
// when such a file is part of the run. `npm test` runs both projects.
const KAFKA_TESTS = ['test/integration/kafka/**/*.test.ts', 'test/integration/live/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // chDB is a native in-process engine; one fork per file keeps sessions apart.
    pool: 'forks',
    // Vitest's default is one fork fewer than the cores: on CI's 2 cores, one file at a time, the whole suite in
    // series (~13.5 min). The Kafka files mostly wait (session timeouts, broker round trips), so two forks run the
    // suite in about half the time; every Kafka test uses its own topics and groups, and those that stop a broker
    // start a private one.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Every file's temporary files under a directory of its own, removed after it (test/helpers/temp-root.ts).
    setupFiles: ['test/helpers/temp-root.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...KAFKA_TESTS, '**/node_modules/**'] },
      },
      {
        extends: true,
        test: { name: 'kafka', include: KAFKA_TESTS, globalSetup: ['test/integration/kafka/global-setup.ts'] },
      },
    ],
  },
});
