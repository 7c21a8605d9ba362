/**
 * A store another process holds: the error names that process instead of
 * chDB's bare "Failed to create connection" (or a hint about this process).
 */
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli.js';

describe('an embedded store in use by another process', () => {
  it('sql migrate names the process that holds it', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'dw-in-use-')), 'store');
    // A real second process with the store open (chDB's own lock), held until killed.
    const holder = spawn(process.execPath, ['--input-type=module', '-e', `import { Session } from 'chdb'; new Session(${JSON.stringify(dir)}); setInterval(() => {}, 1000);`], {
      cwd: process.cwd(),
      stdio: 'ignore',
    });
    try {
      for (let i = 0; i < 200 && !existsSync(join(dir, 'status')); i++) await new Promise((r) => setTimeout(r, 100));
      expect(existsSync(join(dir, 'status'))).toBe(true);
      const r = await runCli(['sql', 'migrate', '--data-dir', dir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cannot open the embedded store at ${dir}`);
      expect(r.stderr).toContain(`It is in use by another process (pid ${holder.pid}`);
    } finally {
      holder.kill('SIGKILL');
    }
  }, 60_000);
});
