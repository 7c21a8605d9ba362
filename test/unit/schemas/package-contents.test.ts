/**
 * What `npm pack` puts in the driftwatch tarball (package.json `files`): what
 * the bin and `driftwatch/schemas` need at run time, and the documents a user
 * reads — not the repository's tests, benchmark results, CI scripts or
 * TypeScript sources. `--dry-run --ignore-scripts`: lists the files without
 * building (a build would rewrite dist/ under the tests that run it).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { repoRoot } from '../../integration/live/engine-process.js';

const run = promisify(execFile);

it('the tarball holds dist/, the migrations, the default rules, the .avsc files and the documents, and no repository junk', async () => {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
  const files = (JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path).sort();
  for (const needed of [
    'package.json', 'README.md', 'alerts.yaml',
    'dist/cli/main.js', 'dist/schemas/index.js', 'dist/schemas/index.d.ts', 'dist/store/migrations.js',
    'config/alerts.default.yaml', // read by dist/config/alerts-config.js (tsc does not copy it)
    'sql/migrations/0001_raw_history.sql', 'sql/README.md', 'sql/roles/roles.sql', 'sql/queries/README.md',
    'schemas/avro/alert-event.avsc', 'schemas/avro/promotion-event.avsc',
  ]) expect(files, needed).toContain(needed);
  const junk = files.filter((f) => /^(test|bench|deploy|\.ci|\.scratch)\//.test(f) || /^dist\/bench\//.test(f) || (/\.ts$/.test(f) && !/\.d\.ts$/.test(f)) || /\.map$/.test(f) || /(^|\/)\.cache\//.test(f));
  expect(junk).toEqual([]);
}, 60_000);
