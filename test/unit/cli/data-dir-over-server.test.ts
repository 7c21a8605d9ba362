/**
 * `--data-dir` names an embedded store (README: `query --data-dir <out>/store`
 * for a replay's; `sql migrate --data-dir`). With CLICKHOUSE_URL exported, as
 * an SRE of a server deployment has it, the flag used to be ignored with a
 * warning: the replay's query ran against the server — and `query --write` or
 * `sql migrate` changed the server instead of the directory named. The flag
 * given on the command line wins; the server here (port 1) is never dialled.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturesDir } from '../../helpers/replay-fixture.js';
import { runCli } from './run-cli.js';

const server = { CLICKHOUSE_URL: 'http://127.0.0.1:1', CLICKHOUSE_USER: 'somebody' };

describe('--data-dir with CLICKHOUSE_URL set', () => {
  it('query reads the embedded store the flag names, not the server', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dw-data-dir-server-'));
    expect((await runCli(['replay', join(fixturesDir, 'rogue-version.ndjson'), '--out', out])).code).toBe(0);
    const r = await runCli(['query', '--data-dir', join(out, 'store'), '-f', 'jsonl', 'SELECT count() AS n FROM driftwatch.incidents FINAL'], server);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({ n: 1 });
    expect(r.log).not.toContain('127.0.0.1:1');

    // Its audit record of a --write names the embedded store's login, not CLICKHOUSE_USER's.
    const w = await runCli(['query', '--write', '--data-dir', join(out, 'store'), "ALTER TABLE driftwatch.incidents DELETE WHERE env = 'none' SETTINGS mutations_sync = 1"], server);
    expect(w.code, w.stderr).toBe(0);
    const audit = await runCli(['query', '--data-dir', join(out, 'store'), '-f', 'jsonl', "SELECT details FROM driftwatch.audit_log WHERE action = 'store.write'"], server);
    const details = JSON.parse((JSON.parse(audit.stdout.trim()) as { details: string }).details) as { storeUser: string };
    expect(details.storeUser).toBe('embedded');
  });

  it('sql migrate migrates the embedded store the flag names', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'dw-data-dir-migrate-')), 'store');
    const r = await runCli(['sql', 'migrate', '--data-dir', dir], server);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^applied: 0001_raw_history\.sql, /);
  });
});
