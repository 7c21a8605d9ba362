/**
 * DRIFTWATCH_DATA_DIR (or a `--data-dir` flag) must be (or become) a
 * directory: a plain file there, or on its path, is a mistake in the
 * configuration, not a failure of the store. It was reported as one — exit 1,
 * `cannot create the embedded store directory …: ENOTDIR [DW_STORE_FAILED]`
 * (`run`, `sql migrate`), or an unexpected EEXIST (`demo`) — without naming
 * what to fix.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../lib/errors.js';

/** Throws a ConfigError naming DRIFTWATCH_DATA_DIR when `dataDir`/store or a directory on its path is not a directory. */
export function checkDataDir(dataDir: string, storeSubdir = 'store'): void {
  const store = resolve(dataDir, storeSubdir);
  const file = fileOnPath(store);
  if (file === null) return;
  const where = file === store ? `${file} (DRIFTWATCH_DATA_DIR/${storeSubdir})` : file;
  throw new ConfigError('DRIFTWATCH_DATA_DIR', `${where} is a file, not a directory; the embedded store lives in DRIFTWATCH_DATA_DIR/${storeSubdir}: point DRIFTWATCH_DATA_DIR at a directory (or one to create)`);
}

/** Throws a ConfigError naming `--data-dir` when `storeDir` (the store itself, not a data dir) or a directory on its path is not a directory. */
export function checkDataDirFlag(storeDir: string): void {
  const file = fileOnPath(resolve(storeDir));
  if (file === null) return;
  throw new ConfigError('--data-dir', `${file} is a file, not a directory; --data-dir names the embedded store's directory, e.g. <replay out>/store`);
}

/** The deepest existing path of `path` when it is not a directory (anything missing below it can be created), else null. */
function fileOnPath(path: string): string | null {
  for (; ; path = dirname(path)) {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(path) !== path) continue;
      return null; // EACCES and the like: opening the store says so, as a store failure
    }
    return isDir ? null : path;
  }
}
