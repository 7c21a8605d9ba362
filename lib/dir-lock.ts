/**
 * One driftwatch process at a time in a directory (a replay's --out, a
 * demo's data dir). Two runs writing the same output files, or one clearing
 * a store the other is writing, both "succeed" and leave corrupted or
 * foreign data behind; the embedded store's own lock only covers the store,
 * and is taken after output files were already truncated.
 *
 * The lock is a file created with O_EXCL holding the owner's pid, command
 * and start time. A lock whose pid no longer runs (a crash, kill -9) is
 * stale and taken over; a live owner makes `acquireDirLock` fail with a
 * message naming it. Released by `release()`, and on process exit.
 */
import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { makeDir } from './make-dir.js';
import { join } from 'node:path';
import { InputError } from './errors.js';
import { isProcessAlive } from './process-alive.js';

export const LOCK_FILE = '.driftwatch.lock';

export interface DirLock {
  readonly path: string;
  release(): void;
}

interface Owner {
  pid: number;
  command: string;
  since: string;
}

/** Takes the lock of `dir` (created if missing) for `command`; `what` names the directory in errors (e.g. `--out out/`). */
export function acquireDirLock(dir: string, command: string, what: string = dir): DirLock {
  makeDir(dir);
  const path = join(dir, LOCK_FILE);
  const owner: Owner = { pid: process.pid, command, since: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify(owner));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw lockError(what, path, err);
      const current = readOwner(path);
      if (current && isRunning(current.pid)) {
        throw new InputError(`${what} is in use by driftwatch ${current.command} (pid ${current.pid}, since ${current.since}); wait for it to finish or use another directory`);
      }
      rmSync(path, { force: true }); // stale: its owner is gone
    }
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    const current = readOwner(path);
    if (current?.pid === process.pid) rmSync(path, { force: true });
  };
  process.on('exit', release);
  return { path, release };
}

function readOwner(path: string): Owner | undefined {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as Partial<Owner>;
    return typeof o.pid === 'number' ? { pid: o.pid, command: String(o.command ?? 'run'), since: String(o.since ?? '?') } : undefined;
  } catch {
    return undefined; // unreadable or half-written: treated as stale
  }
}

function isRunning(pid: number): boolean {
  return pid === process.pid || isProcessAlive(pid);
}

function lockError(what: string, path: string, err: unknown): InputError {
  const e = err as NodeJS.ErrnoException;
  return new InputError(`${what}: cannot take the lock ${path} (${e.code ?? ''}${e.code ? ': ' : ''}${e.message})`, { cause: err });
}
