/**
 * DRIFTWATCH_DATA_DIR must be (or become) a directory: a plain file there,
 * or on its path, is a mistake in the configuration, not a failure of the
 * store. It was reported as one — exit 1, `cannot create the embedded store
 * directory …: ENOTDIR [DW_STORE_FAILED]` (`run`, `sql migrate`), or an
 * unexpected EEXIST (`demo`) — without naming the variable to fix.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../lib/errors.js';

/** Throws a ConfigError naming DRIFTWATCH_DATA_DIR when `dataDir`/store or a directory on its path is not a directory. */
export function checkDataDir(dataDir: string, storeSubdir = 'store'): void {
  const store = resolve(dataDir, storeSubdir);
  // The deepest existing path of <dataDir>/store must be a directory: anything missing below it can be created.
  for (let path = store; ; path = dirname(path)) {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(path) !== path) continue;
      return; // EACCES and the like: opening the store says so, as a store failure
    }
    if (isDir) return;
    const where = path === store ? `${path} (DRIFTWATCH_DATA_DIR/${storeSubdir})` : path;
    throw new ConfigError('DRIFTWATCH_DATA_DIR', `${where} is a file, not a directory; the embedded store lives in DRIFTWATCH_DATA_DIR/${storeSubdir}: point DRIFTWATCH_DATA_DIR at a directory (or one to create)`);
  }
}
