import { describe, it, expect } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli.js';
import { acquireDirLock } from '../../../lib/dir-lock.js';

describe('demo: one run per data directory', () => {
  it('refuses a data directory another demo holds and leaves its store alone', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dw-demo-lock-'));
    const store = join(dataDir, 'store');
    mkdirSync(store);
    writeFileSync(join(store, '.driftwatch-demo'), '{}'); // a demo's store, which a second run would otherwise clear
    writeFileSync(join(store, 'rows'), 'the first run is writing these');
    const lock = acquireDirLock(dataDir, 'demo', `DRIFTWATCH_DATA_DIR ${dataDir}`); // stands for that first run
    try {
      const r = await runCli(['demo'], { DRIFTWATCH_DATA_DIR: dataDir });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/DRIFTWATCH_DATA_DIR .* is in use by driftwatch demo \(pid \d+/);
      expect(existsSync(join(store, 'rows'))).toBe(true);
    } finally {
      lock.release();
    }
  });
});
