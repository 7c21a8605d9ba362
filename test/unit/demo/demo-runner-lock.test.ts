/** runDemo holds the data directory's lock (beside the store, never inside it) for the whole run, failures included. */
import { describe, it, expect } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo, type DemoOptions } from '../../../engine/demo/demo-runner.js';
import { defaultProcessingOptions } from '../../../config/processing-options.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { silentLogger } from '../../../lib/logger.js';
import { acquireDirLock, LOCK_FILE } from '../../../lib/dir-lock.js';
import { ConfigError, InputError } from '../../../lib/errors.js';
import { DEMO_MARKER } from '../../../engine/demo/demo-store.js';

const options = (storeDir: string): DemoOptions => ({
  scenario: { seed: 1, spanMs: 10 * 60_000 },
  processing: defaultProcessingOptions,
  alerts: defaultAlertsConfig(),
  logger: silentLogger,
  storeDir,
  rate: 0,
  progress: null,
});

describe('runDemo and the data directory lock', () => {
  it('fails with InputError while another demo holds the directory, and leaves its store alone', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dw-demo-runner-lock-'));
    const store = join(dataDir, 'store');
    mkdirSync(join(store, 'data'), { recursive: true });
    writeFileSync(join(store, DEMO_MARKER), '{"writtenBy":"driftwatch demo","seed":7}\n');
    writeFileSync(join(store, 'data', 'part'), 'rows of the running demo');
    const lock = acquireDirLock(dataDir, 'demo');
    try {
      const err = await runDemo(options(store)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toMatch(/is in use by driftwatch demo/);
      expect(readFileSync(join(store, 'data', 'part'), 'utf8')).toBe('rows of the running demo');
      expect(readFileSync(join(store, DEMO_MARKER), 'utf8')).toContain('"seed":7');
    } finally {
      lock.release();
    }
  });

  it('releases the lock when the run fails', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dw-demo-runner-lock-'));
    const store = join(dataDir, 'store');
    mkdirSync(store, { recursive: true });
    writeFileSync(join(store, 'part'), 'a live store'); // not the demo's: prepareDemoStore refuses it
    await expect(runDemo(options(store))).rejects.toThrow(ConfigError);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
    acquireDirLock(dataDir, 'demo').release(); // free again
  });
});
