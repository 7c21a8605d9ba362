import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { acquireDirLock, LOCK_FILE } from '../../../lib/dir-lock.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'dw-lock-'));

describe('acquireDirLock', () => {
  it('takes the lock, refuses a second taker while it is held, and gives it back', () => {
    const dir = fresh();
    const lock = acquireDirLock(dir, 'replay', '--out x');
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, command: 'replay' });
    expect(() => acquireDirLock(dir, 'demo', '--out x')).toThrow(`--out x is in use by driftwatch replay (pid ${process.pid}`);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    acquireDirLock(dir, 'demo').release();
  });

  it('refuses while another live process holds it', () => {
    const dir = fresh();
    // The parent of this test process: alive for as long as the test runs.
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, command: 'demo', since: 'then' }));
    expect(() => acquireDirLock(dir, 'replay')).toThrow(/is in use by driftwatch demo/);
  });

  it('takes over a stale lock whose process is gone (crash, kill -9), or a lock it cannot read', () => {
    const dir = fresh();
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: Number(gone.stdout.toString()), command: 'replay', since: 'then' }));
    acquireDirLock(dir, 'replay').release();
    writeFileSync(join(dir, LOCK_FILE), '{"pi');
    acquireDirLock(dir, 'replay').release();
  });
});
