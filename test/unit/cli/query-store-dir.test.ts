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

  it('says when an unknown table is one of the migrations a store made by an earlier version lacks, and how to catch up', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dw-query-behind-'));
    expect((await runCli(['replay', fixture, '--out', out])).code).toBe(0);
    const store = join(out, 'store');
    // An up-to-date store: an unknown table is just that.
    const typo = await runCli(['query', '--data-dir', store, 'SELECT count() FROM driftwatch.drift_keys_hourlyy']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).not.toMatch(/behind/);
    // The store as a version before migration 0012 left it: no hourly rollups, 0011 the last migration recorded.
    for (const sql of [
      'DROP TABLE driftwatch.drift_keys_hourly_mv',
      'DROP TABLE driftwatch.drift_keys_hourly',
      'ALTER TABLE driftwatch.schema_migrations DELETE WHERE version >= 12 SETTINGS mutations_sync = 1',
    ]) {
      const r = await runCli(['query', '--write', '--data-dir', store, sql]);
      expect(r.code, `${sql}: ${r.stderr}`).toBe(0);
    }
    const old = await runCli(['query', '--data-dir', store, 'SELECT count() FROM driftwatch.drift_keys_hourly']);
    expect(old.code).toBe(2);
    expect(old.stderr).toMatch(/Code: 60\./);
    expect(old.stderr).toMatch(/this store's schema is \d+ migrations? behind this driftwatch \(up to \d{4}_\w+\.sql\): run `driftwatch sql migrate --data-dir .*store` to bring it up to date/);
    // And the command it names does bring it up to date.
    expect((await runCli(['sql', 'migrate', '--data-dir', store])).code).toBe(0);
    expect((await runCli(['query', '--data-dir', store, 'SELECT count() FROM driftwatch.drift_keys_hourly'])).code).toBe(0);
  });
});
