/** `driftwatch --version`: the package's version, read from its package.json (beside dist/ when built, or the repository root). */
import { existsSync, readFileSync } from 'node:fs';

export function packageVersion(): string {
  for (const rel of ['../../package.json', '../package.json']) {
    const url = new URL(rel, import.meta.url);
    if (!existsSync(url)) continue;
    const pkg = JSON.parse(readFileSync(url, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'driftwatch' && typeof pkg.version === 'string') return pkg.version;
  }
  return 'unknown';
}
