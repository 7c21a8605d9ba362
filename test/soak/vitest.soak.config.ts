/**
 * The chaos soak's own vitest configuration (`npm run soak`): its file is
 * named *.soak.ts so `npm test` (vitest.config.ts) never picks it up.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/soak/**/*.soak.ts'],
    pool: 'forks',
    testTimeout: 3 * 3600_000,
    hookTimeout: 120_000,
    setupFiles: ['test/helpers/temp-root.ts'],
    globalSetup: ['test/integration/kafka/global-setup.ts'],
  },
});
