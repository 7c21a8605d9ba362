import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './run-cli.js';

const fixture = fileURLToPath(new URL('../../scenarios/fixtures/rollback.ndjson', import.meta.url));

describe('query reads a store that exists', () => {
  it('refuses a missing directory without creating one (a usage error, exit 2), and points at <out>/store for a replay out dir', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dw-query-dir-'));
    expect((await runCli(['replay', fixture, '--out', out])).code).toBe(0);

    const typo = await runCli(['query', '--data-dir', join(out, 'sotre'), 'SELECT count() FROM driftwatch.incidents FINAL']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/--data-dir .*sotre: no embedded store there; a replay's store is <out>\/store/);
    expect(existsSync(join(out, 'sotre'))).toBe(false);

    const before = readdirSync(out).sort();
    const parent = await runCli(['query', '--data-dir', out, 'SELECT 1']);
    expect(parent.code).toBe(2);
    expect(parent.stderr).toContain(`did you mean --data-dir ${join(out, 'store')}?`);
    expect(readdirSync(out).sort()).toEqual(before);

    const ok = await runCli(['query', '--data-dir', join(out, 'store'), '-f', 'jsonl', 'SELECT count() AS n FROM driftwatch.incidents FINAL']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout.trim()).n).toBeGreaterThan(0);

    // SQL the store refuses as wrong is the user's input too: exit 2, the store's words kept.
    for (const sql of ['SELEC 1', 'SELECT count() FROM driftwatch.no_such_table', 'SELECT no_such_column FROM driftwatch.incidents']) {
      const bad = await runCli(['query', '--data-dir', join(out, 'store'), sql]);
      expect(bad.code, sql).toBe(2);
      expect(bad.stderr, sql).toMatch(/^driftwatch query: embedded store: .*Code: (62|60|47)\./);
    }
  });
});
