/**
 * Where the demo keeps its data: the embedded store at <data dir>/store, the
 * same place `driftwatch query` reads by default, so the suggested queries
 * work without flags. Each run replaces the previous demo's store (a demo is
 * a fresh, reproducible run from its seed, and rows of two runs would mix).
 * A store the demo did not create (a live run, a replay) is never touched:
 * the demo marks its stores with a small file and refuses to clear any other.
 */
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../lib/errors.js';

export const DEMO_MARKER = '.driftwatch-demo';

export function demoStoreDir(dataDir: string): string {
  return join(dataDir, 'store');
}

/**
 * Clears a previous demo's store; throws when the directory holds a store the demo did not write. The caller holds
 * the data directory's lock (lib/dir-lock.ts): the lock file sits in the data dir, beside `storeDir`, so clearing the
 * store never removes it, and no other demo can be writing the store being removed.
 */
export function prepareDemoStore(storeDir: string): { cleared: boolean } {
  if (!existsSync(storeDir) || readdirSync(storeDir).length === 0) return { cleared: false };
  if (!existsSync(join(storeDir, DEMO_MARKER))) {
    throw new ConfigError(
      'DRIFTWATCH_DATA_DIR',
      `${storeDir} holds a store that driftwatch demo did not write (a live run or a replay?). ` +
        'The demo replaces its own store on every run and will not touch this one: point DRIFTWATCH_DATA_DIR at another ' +
        'directory, e.g. DRIFTWATCH_DATA_DIR=.data-demo driftwatch demo',
    );
  }
  rmSync(storeDir, { recursive: true, force: true });
  return { cleared: true };
}

/** Marks the store as the demo's (so the next run may replace it) and records how it was made. */
export function markDemoStore(storeDir: string, info: Record<string, unknown>): void {
  writeFileSync(join(storeDir, DEMO_MARKER), JSON.stringify({ writtenBy: 'driftwatch demo', ...info }, null, 2) + '\n');
}
