import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './run-cli.js';

const fixture = fileURLToPath(new URL('../../scenarios/fixtures/rollback.ndjson', import.meta.url));
const hotspots = fileURLToPath(new URL('../../../sql/queries/drift-hotspots.sql', import.meta.url));

/**
 * Every analyst query of sql/queries/ opens with a `--` comment header, so
 * `driftwatch query "$(cat sql/queries/….sql)"` hands the command an argument
 * starting with "--": it must be the SQL, not an unknown option.
 */
describe('query takes SQL that starts with a -- comment', () => {
  it('runs an analyst query file given whole, and still refuses a real unknown option', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dw-query-comment-'));
    expect((await runCli(['replay', fixture, '--out', out])).code).toBe(0);
    const store = join(out, 'store');

    const sql = readFileSync(hotspots, 'utf8').replaceAll('{limit:UInt32}', '5')
      .replaceAll("{from:DateTime64(3, 'UTC')}", "toDateTime64('2026-01-01 00:00:00', 3, 'UTC')")
      .replaceAll("{to:DateTime64(3, 'UTC')}", "toDateTime64('2027-01-01 00:00:00', 3, 'UTC')");
    expect(sql.startsWith('-- ')).toBe(true);
    const r = await runCli(['query', '--data-dir', store, '-f', 'jsonl', sql]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { env: string; artifact: string })).toContainEqual(expect.objectContaining({ env: 'prod', artifact: 'pay' }));

    // The SQL first, options after it, and a comment with no space after its dashes.
    const after = await runCli(['query', '--comment line\nSELECT count() AS n FROM driftwatch.incidents FINAL', '--data-dir', store, '-f', 'jsonl']);
    expect(after.stderr).toBe('');
    expect(JSON.parse(after.stdout.trim())).toEqual({ n: 1 });

    // A failing statement is named by its first line of SQL, not by its comment header.
    const failing = await runCli(['query', '--data-dir', store, '-- header\n\nSELEC 1']);
    expect(failing.code).toBe(2);
    expect(failing.stderr).toMatch(/^driftwatch query: embedded store: SELEC 1: Code: 62\./);

    const bogus = await runCli(['query', '--data-dir', store, '--bogus', 'SELECT 1']);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toMatch(/^driftwatch query: Unknown option '--bogus'/);
    // An option's value may hold spaces: `--data-dir=<dir with a space>` is still the option.
    const spaced = await runCli(['query', `--data-dir=${join(out, 'no such dir')}`, 'SELECT 1']);
    expect(spaced.code).toBe(2);
    expect(spaced.stderr).toContain('no such dir: no embedded store there');
  });
});
