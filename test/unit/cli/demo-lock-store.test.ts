/**
 * One demo per DRIFTWATCH_DATA_DIR at a time: a second demo used to clear the store the first was writing (chDB's
 * own lock included), and both exited 0 with summaries their stores contradicted.
 */
import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runCli, STACK_FRAME } from './run-cli.js';
import { acquireDirLock, LOCK_FILE } from '../../../lib/dir-lock.js';
import { DEMO_MARKER } from '../../../engine/demo/demo-store.js';

/** Every file under `dir` with its size and mtime: what "left intact" means. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const s = statSync(p);
        out[relative(dir, p)] = `${s.size}@${s.mtimeMs}`;
      }
    }
  };
  walk(dir);
  return out;
}

describe('demo: one run per data directory, with a real store', () => {
  it('refuses a data directory another demo holds, touching nothing; runs again once it is released', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dw-demo-lock-'));
    const env = { DRIFTWATCH_DATA_DIR: dataDir };
    const small = ['demo', '--duration', '10m', '--rate', '0', '--artifacts', '1'];
    const first = await runCli(small, env);
    expect(first.code).toBe(0);
    const store = join(dataDir, 'store');
    const marker = readFileSync(join(store, DEMO_MARKER), 'utf8');
    const before = snapshot(store);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false); // released at the end of the run

    const lock = acquireDirLock(dataDir, 'demo', `DRIFTWATCH_DATA_DIR ${dataDir}`); // stands for a demo still running there
    try {
      const second = await runCli([...small, '--seed', '2'], env);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(
        new RegExp(`^driftwatch demo: DRIFTWATCH_DATA_DIR ${dataDir} is in use by driftwatch demo \\(pid ${process.pid}, since .*\\); wait for it to finish or use another directory \\[DW_INPUT_FAILED\\]\n$`),
      );
      expect(second.stderr).not.toMatch(STACK_FRAME);
      expect(second.stdout).toBe('');
      expect(readFileSync(join(store, DEMO_MARKER), 'utf8')).toBe(marker);
      expect(snapshot(store)).toEqual(before);
    } finally {
      lock.release();
    }

    const third = await runCli([...small, '--seed', '3'], env);
    expect(third.code).toBe(0);
    expect(JSON.parse(readFileSync(join(store, DEMO_MARKER), 'utf8'))).toMatchObject({ seed: 3 });
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  }, 60_000);
});
