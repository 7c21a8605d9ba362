/**
 * deploy/Dockerfile installs the dependencies in a way the repository's lock
 * file allows. The lock names no entry for some per-platform optional packages
 * (chdb's other-platform libraries: the registry reachable where it was made
 * does not serve them), and `npm ci` refuses such a lock outright ("`npm ci`
 * can only install packages when your package.json and package-lock.json … are
 * in sync … Missing: @chdb/lib-darwin-arm64@ from lock file"), so an image
 * built with it never builds and the compose stack never starts. `npm install`
 * honours the lock for everything it names (.ci/run installs the same way).
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployDir, repoRoot } from './dashboards.js';

interface LockEntry {
  optionalDependencies?: Record<string, string>;
}

/** Where npm would look for `dep` required by the package at `path` (its own node_modules, then each ancestor's). */
function lookupPaths(path: string, dep: string): string[] {
  const paths: string[] = [];
  let at = path;
  for (;;) {
    paths.push(at === '' ? `node_modules/${dep}` : `${at}/node_modules/${dep}`);
    if (at === '') return paths;
    const i = at.lastIndexOf('/node_modules/');
    at = i < 0 ? '' : at.slice(0, i);
  }
}

/** Optional dependencies the lock file has no entry for: `npm ci` refuses a lock with any. */
function optionalDependenciesMissingFromLock(packages: Record<string, LockEntry>): string[] {
  const missing = new Set<string>();
  for (const [path, entry] of Object.entries(packages)) {
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) {
      if (!lookupPaths(path, dep).some((p) => p in packages)) missing.add(dep);
    }
  }
  return [...missing].sort();
}

describe('deploy/Dockerfile dependency install', () => {
  it('finds what npm ci reports missing, and nothing it resolves from an ancestor', () => {
    const packages = {
      '': {},
      'node_modules/a': { optionalDependencies: { b: '1', c: '1' } },
      'node_modules/a/node_modules/d': { optionalDependencies: { b: '1', e: '1' } },
      'node_modules/b': {},
    };
    expect(optionalDependenciesMissingFromLock(packages)).toEqual(['c', 'e']);
  });

  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const dockerfile = readFileSync(join(deployDir, 'Dockerfile'), 'utf8');
  const runLines = dockerfile.split('\n').filter((l) => !l.trimStart().startsWith('#')).join('\n');

  it('uses npm install, not npm ci, while the lock file misses optional packages', () => {
    if (optionalDependenciesMissingFromLock(lock.packages).length > 0) {
      expect(runLines).not.toMatch(/\bnpm ci\b/);
      expect(runLines).toMatch(/\bnpm install\b/);
    }
  });

  it('builds, then prunes the dev dependencies', () => {
    expect(runLines).toMatch(/npm install[^\n]*(\n[^\n]*)*npm run build[^\n]*(\n[^\n]*)*npm prune --omit=dev/);
  });
});
