/**
 * Security audit records of hand-made store changes (store/admin-audit.ts):
 * `query --write` statements, run or refused, and `sql migrate` runs that
 * applied something — with no secret of the statement in them.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { maskStatement, statementTarget } from '../../../store/admin-audit.js';
import { runCli } from './run-cli.js';

const fixture = fileURLToPath(new URL('../../scenarios/fixtures/rollback.ndjson', import.meta.url));

interface SecurityRow {
  action: string;
  actor: string;
  subject_id: string;
  details: string;
}

let store: string;

beforeAll(async () => {
  const out = mkdtempSync(join(tmpdir(), 'dw-admin-audit-'));
  store = join(out, 'store');
  expect((await runCli(['replay', fixture, '--out', out])).code).toBe(0);
}, 60_000);

const query = (...args: string[]) => runCli(['query', '--data-dir', store, ...args]);

async function securityRecords(): Promise<SecurityRow[]> {
  const r = await query('-f', 'jsonl', "SELECT action, actor, subject_id, details FROM driftwatch.audit_log FINAL WHERE category = 'security' ORDER BY at, action");
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim() === '' ? [] : r.stdout.trim().split('\n').map((l) => JSON.parse(l) as SecurityRow);
}

describe('security audit of hand-made store changes', () => {
  it('records a --write statement with its target, masked text, hash and who ran it; a read records nothing', async () => {
    expect(await securityRecords()).toEqual([]);
    expect((await query('SELECT count() FROM driftwatch.incidents FINAL')).code).toBe(0);
    expect(await securityRecords()).toEqual([]);

    const sql = "ALTER TABLE driftwatch.incidents DELETE WHERE env = 'prod' -- clean up the test's prod";
    const r = await query('--write', sql);
    expect(r.code, r.stderr).toBe(0);
    const [record, ...rest] = await securityRecords();
    expect(rest).toEqual([]);
    expect(record).toMatchObject({ action: 'store.write', subject_id: 'driftwatch.incidents' });
    expect(record!.actor).toMatch(/^.+@.+$/);
    expect(JSON.parse(record!.details)).toEqual({
      statement: "ALTER TABLE driftwatch.incidents DELETE WHERE env = '…'",
      statementSha256: createHash('sha256').update(sql).digest('hex'),
      storeUser: 'embedded',
    });
  });

  it('records a --write statement that failed, with its error code and no secret', async () => {
    const before = (await securityRecords()).length;
    const sql = "INSERT INTO driftwatch.no_such_table (password) VALUES ('hunter2')";
    const r = await query('--write', sql);
    expect(r.code).not.toBe(0);
    const records = await securityRecords();
    expect(records).toHaveLength(before + 1);
    const failed = records.find((x) => x.action === 'store.write_failed')!;
    expect(failed.subject_id).toBe('driftwatch.no_such_table');
    expect(JSON.parse(failed.details)).toMatchObject({ statement: "INSERT INTO driftwatch.no_such_table (password) VALUES ('…')", clickhouseCode: 60 });
    expect(JSON.stringify(records)).not.toContain('hunter2');
    // Nor in what the failure says: the error names the statement with its literals masked, on stderr and in the log.
    expect(r.stderr).toContain("embedded store: INSERT INTO driftwatch.no_such_table (password) VALUES ('…'): Code: 60.");
    expect(r.stderr + r.log).not.toContain('hunter2');
  });

  it('a failed CREATE USER … IDENTIFIED BY says nothing of its password', async () => {
    const r = await query('--write', "CREATE USER IF NOT EXISTS bob IDENTIFIED BY 'TopS3cretPw'");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("CREATE USER IF NOT EXISTS bob IDENTIFIED BY '…'");
    expect(r.stderr + r.log + JSON.stringify(await securityRecords())).not.toContain('TopS3cretPw');
  });

  it('a statement the store echoes in its syntax error says nothing of its literals there either', async () => {
    // chDB quotes the statement from the failure position ("failed at position 12 (bob): bob IDENTIFIED BY '…'").
    const r = await query('--write', "CREATE USR bob IDENTIFIED BY 'Echoed5ecretPw'");
    expect(r.code).toBe(2); // a syntax error is the user's input
    expect(r.stderr).toMatch(/Syntax error: failed at position \d+[^:]*: bob IDENTIFIED BY '…'/);
    expect(r.stderr + r.log + JSON.stringify(await securityRecords())).not.toContain('Echoed5ecretPw');
  });

  it('records a sql migrate that applied migrations, and none that applied nothing', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'dw-admin-audit-migrate-')), 'store');
    const migrate = await runCli(['sql', 'migrate', '--data-dir', dir]);
    expect(migrate.code, migrate.stderr).toBe(0);
    expect((await runCli(['sql', 'migrate', '--data-dir', dir])).stdout).toMatch(/^applied: none/);
    const r = await runCli(['query', '--data-dir', dir, '-f', 'jsonl', "SELECT action, subject_id, details FROM driftwatch.audit_log WHERE category = 'security'"]);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as SecurityRow);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'store.migrate', subject_id: 'driftwatch' });
    expect(JSON.parse(rows[0]!.details).applied).toContain('0001_raw_history.sql');
  });
});

describe('what a statement keeps in its audit record', () => {
  it('masks every string literal, escaped quotes and all, and drops comments — an apostrophe in one cannot pair with a literal', () => {
    expect(maskStatement("CREATE USER x IDENTIFIED WITH sha256_password BY 'it''s \\'secret\\''")).toBe("CREATE USER x IDENTIFIED WITH sha256_password BY '…'");
    expect(maskStatement("-- it's mine\nINSERT INTO t VALUES ('pw')")).toBe("INSERT INTO t VALUES ('…')");
    expect(maskStatement("SELECT * FROM s3('https://b/k', 'KEY', 'SECRET') /* key's */")).toBe("SELECT * FROM s3('…', '…', '…')");
    expect(maskStatement("INSERT INTO t VALUES ('unterminated secret")).toBe("INSERT INTO t VALUES ('…'");
    expect(maskStatement(`SELECT '${'x'.repeat(5000)}', ${'1, '.repeat(600)}1`).length).toBeLessThanOrEqual(1001);
  });

  it('names the target when the statement does up front', () => {
    expect(statementTarget('DROP TABLE IF EXISTS driftwatch.alerts')).toBe('driftwatch.alerts');
    expect(statementTarget('TRUNCATE TABLE `driftwatch`.`incidents`')).toBe('driftwatch.incidents');
    expect(statementTarget("CREATE USER IF NOT EXISTS analyst IDENTIFIED BY '…'")).toBe('analyst');
    expect(statementTarget('SELECT 1')).toBeUndefined();
  });
});
