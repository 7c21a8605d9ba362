/**
 * What an earlier replay left in `--out`. A replay's --out describes its own
 * input only: its .ndjson files are replaced when it completes, but a store
 * already there would keep the earlier run's rows beside the new ones (an
 * incident the earlier input ended at its end stays ended), so a replay
 * refuses such an --out unless told to replace what is there (`--force`).
 * Only a replay's own outputs are removed, never anything else the directory
 * holds (--out may be `.`).
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../lib/errors.js';
import { embeddedStoreHolder, isEmbeddedStoreDir } from '../store/open-store.js';

/** A replay's output files under --out (the store is `<out>/store`). */
export const OUTPUT_FILES = ['alerts.ndjson', 'dlq.ndjson', 'incidents.ndjson'] as const;

/**
 * Refuses an --out whose store holds anything, or with `replace` removes that
 * store and the earlier .ndjson files. The caller holds --out's lock
 * (lib/dir-lock.ts), so no other replay or demo is writing them.
 */
export function clearEarlierOutputs(outDir: string, replace: boolean): void {
  const storeDir = join(outDir, 'store');
  const storeHasData = existsSync(storeDir) && readdirSync(storeDir).length > 0;
  // A `store` of the user's own (--out ~/project) is neither refused as an earlier run's nor removed by --force.
  if (storeHasData && !isEmbeddedStoreDir(storeDir)) {
    throw new UsageError(
      `--out ${outDir}: ${storeDir} holds files that are not a driftwatch embedded store's; replay writes its store there: choose another --out`,
    );
  }
  if (storeHasData && !replace) {
    throw new UsageError(
      `--out ${outDir}: ${storeDir} already holds a store (of an earlier replay?), whose rows would mix with this input's; ` +
        'use a fresh --out, or pass --force to replace what the earlier run left there (its store and .ndjson files)',
    );
  }
  if (!replace) return;
  // A store a running process has open (a live run whose data dir this is) is not a replay's to remove.
  const holder = storeHasData ? embeddedStoreHolder(storeDir) : undefined;
  if (holder !== undefined) throw new UsageError(`--out ${outDir}: --force would remove ${storeDir}, which a running process (pid ${holder}) has open`);
  rmSync(storeDir, { recursive: true, force: true });
  for (const name of OUTPUT_FILES) rmSync(join(outDir, name), { force: true });
}
