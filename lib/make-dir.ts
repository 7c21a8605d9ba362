/**
 * `mkdir -p` that always returns or throws.
 *
 * Node 20's `mkdirSync(path, { recursive: true })` never returns for some
 * paths where a parent "does not exist" even though it cannot be created
 * either — e.g. `/proc/nope`: mkdir(2) answers ENOENT, Node creates the
 * parent (which exists), retries, gets ENOENT again, and so on for ever. A
 * user's mistyped `--out` or data directory must get an error instead, so
 * the missing components are created one at a time, each with a plain
 * mkdir whose error is thrown as it is.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export function makeDir(path: string): void {
  const missing: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    if (exists(dir)) break;
    missing.push(dir);
    if (dirname(dir) === dir) break; // the root itself is missing: let mkdir say why
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
    } catch (err) {
      // Made meanwhile by someone else (another process creating the same tree) is fine.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  // A plain file where the directory should be: mkdir says EEXIST, as mkdir -p does.
  if (!statSync(path).isDirectory()) mkdirSync(path);
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    throw err; // EACCES, ENOTDIR, ELOOP: the mkdir below would fail for the same reason
  }
}
