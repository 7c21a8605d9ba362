import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDir } from '../../../lib/make-dir.js';

describe('makeDir', () => {
  it('creates every missing directory of a path, and accepts one that exists', () => {
    const root = mkdtempSync(join(tmpdir(), 'dw-mkdir-'));
    const deep = join(root, 'a', 'b', 'c');
    makeDir(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    makeDir(deep);
    makeDir(root);
  });

  // Node's mkdirSync(…, { recursive: true }) never returns for these (it retries ENOENT for ever).
  it.runIf(existsSync('/proc/self'))('throws for a directory that cannot be made under /proc instead of hanging', () => {
    expect(() => makeDir('/proc/nope')).toThrow(/ENOENT/);
    expect(() => makeDir('/proc/nope/deeper')).toThrow(/ENOENT/);
  });

  it('throws EEXIST for a file where the directory should be, ENOTDIR for a file above it', () => {
    const root = mkdtempSync(join(tmpdir(), 'dw-mkdir-'));
    writeFileSync(join(root, 'file'), 'x');
    expect(() => makeDir(join(root, 'file'))).toThrow(/EEXIST/);
    expect(() => makeDir(join(root, 'file', 'below'))).toThrow(/ENOTDIR/);
  });
});
