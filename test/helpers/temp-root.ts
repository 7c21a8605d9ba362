/**
 * Setup file of every test project (vitest.config.ts): each test file runs
 * in its own fork, and this points the fork's temporary directory (TMPDIR,
 * which `os.tmpdir()` reads on every call, and which child processes such as
 * the CLI runs inherit) at a directory of its own that is removed after the
 * file's last hook. Tests make their stores, replay outputs and inputs with
 * `mkdtempSync(join(tmpdir(), …))`; without this a run of the suite left a
 * few hundred of them (≈ 200 MB of embedded stores) behind in /tmp.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const PREFIX = 'dw-test-';
// The system's temporary directory, kept across files should a fork run more than one (TMPDIR is this file's by then).
const base = (process.env.DW_TEST_TMP_BASE ??= tmpdir());

/**
 * A file whose tests are all skipped runs no hooks, and a fork that is
 * killed runs no exit handler: their directories (named after the fork's
 * pid) are removed by a later file once that process is gone.
 */
function removeOrphans(): void {
  for (const name of readdirSync(base)) {
    const pid = Number(name.slice(PREFIX.length).split('-')[0]);
    if (!name.startsWith(PREFIX) || !Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    try {
      rmSync(join(base, name), { recursive: true, force: true });
    } catch {
      // another fork is removing it at the same moment
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

removeOrphans();
const root = mkdtempSync(join(base, `${PREFIX}${process.pid}-`));
process.env.TMPDIR = root;

const removeRoot = () => rmSync(root, { recursive: true, force: true });
// Registered first, so it runs after the file's own afterAll hooks (vitest runs them as a stack): stores are closed by then.
afterAll(removeRoot);
process.once('exit', removeRoot);
