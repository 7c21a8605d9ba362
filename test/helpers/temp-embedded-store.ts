/** A fresh embedded store (chDB) in a temporary directory, for tests that write and read real tables. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChdbTransport } from '../../store/chdb-transport.js';
import { openEmbeddedStore } from '../../store/open-store.js';

export type Cleanups = Array<() => Promise<void> | void>;

/** Opens (migrated) a store in a new directory named `<prefix>…`; `cleanups` closes it, then removes the directory. */
export async function tempEmbeddedStore(cleanups: Cleanups, prefix = 'dw-store-'): Promise<ChdbTransport> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const t = await openEmbeddedStore(dir);
  cleanups.push(() => t.close());
  return t;
}
